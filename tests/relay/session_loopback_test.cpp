// SPDX-License-Identifier: MIT
// Control sessions against an in-process relay on 127.0.0.1: the happy
// path, every refusal (each must be an error frame, then a close), the
// deadlines, and one bad client not disturbing a good one.
#include "loopback_harness.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "common/codec.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/session.hpp"
#include "version.hpp"

namespace reachback::relay::test {
namespace {

using namespace asio::experimental::awaitable_operators;
using protocol::wire_error;

std::string header(std::uint8_t version, std::uint8_t type, std::uint32_t length) {
  std::string bytes = {'R', 'B', static_cast<char>(version), static_cast<char>(type)};
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes += static_cast<char>((length >> shift) & 0xffU);
  }
  return bytes;
}

// Expects exactly one error frame with `code` as the last reply, then a close.
void expect_refusal(const transcript& t, wire_error code) {
  ASSERT_FALSE(t.replies.empty());
  const auto* error = as<protocol::error>(t.replies.back());
  ASSERT_NE(error, nullptr) << "expected an error frame, got none";
  EXPECT_EQ(error->code, code) << error->text;
  EXPECT_TRUE(t.closed_by_relay) << "the relay closes after an error frame";
}

TEST(RelaySession, WelcomesTheClientAsItSeesIt) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame()}, t)));
  ASSERT_EQ(t.replies.size(), 1U);
  const auto* welcome = as<protocol::welcome>(t.replies[0]);
  ASSERT_NE(welcome, nullptr);
  EXPECT_EQ(welcome->observed_address, "127.0.0.1");
  EXPECT_NE(welcome->observed_port, 0);
  EXPECT_EQ(welcome->relay_version, project_version);
  EXPECT_EQ(welcome->capabilities,
            (std::vector<std::string>{"connect_back", "udp_probe", "ttl_sweep", "syn_ttl"}));
  EXPECT_EQ(welcome->client_hops, 0) << "loopback: the SYN kept its initial TTL";
}

TEST(RelaySession, LogsOneLinePerSession) {
  loopback_relay relay;
  const closed_port closed(relay.context());
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), probe_frame(closed.number(), false)}, t)));
  ASSERT_TRUE(relay.wait_for_log_lines(1));
  ASSERT_EQ(relay.log().size(), 1U);
  const std::regex line(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ client=127\.0\.0\.1:\d+ )"
                        R"(port=(\d+) outcome=refused duration=\d+ms( rtt=\d+ms)?)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(relay.log()[0], match, line)) << relay.log()[0];
  EXPECT_EQ(match[1], std::to_string(closed.number()));
}

TEST(RelaySession, RequiresTheToken) {
  auto config = loopback_config();
  config.tokens = {"the-right-token"};
  loopback_relay relay(config);
  transcript wrong;
  transcript missing;
  transcript right;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame("the-wrong-token")}, wrong)));
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame()}, missing)));
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame("the-right-token")}, right)));
  expect_refusal(wrong, wire_error::unauthorized);
  expect_refusal(missing, wire_error::unauthorized);
  ASSERT_EQ(right.replies.size(), 1U);
  EXPECT_NE(as<protocol::welcome>(right.replies[0]), nullptr);
}

TEST(RelaySession, GarbageGetsBadRequest) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {"GET / HTTP/1.1\r\n\r\n"}, t)));
  expect_refusal(t, wire_error::bad_request);
  ASSERT_TRUE(relay.wait_for_log_lines(1));
  EXPECT_NE(relay.log()[0].find("outcome=error:bad_request"), std::string::npos)
      << relay.log()[0];
}

TEST(RelaySession, AnotherVersionIsNamed) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {header(2, 1, 2) + "{}"}, t)));
  expect_refusal(t, wire_error::unsupported_version);
  EXPECT_EQ(as<protocol::error>(t.replies.back())->text, "relay speaks protocol 1, got 2");
}

TEST(RelaySession, AnOversizedFrameIsRejectedFromItsHeader) {
  loopback_relay relay;
  transcript t;
  // Only the header is sent: the relay must not wait for a megabyte.
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {header(1, 1, 1U << 20)}, t)));
  expect_refusal(t, wire_error::frame_too_large);
}

TEST(RelaySession, ProbeBeforeHelloIsABadRequest) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {probe_frame(9, false)}, t)));
  expect_refusal(t, wire_error::bad_request);
}

TEST(RelaySession, ASecondHelloIsABadRequest) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), hello_frame()}, t)));
  ASSERT_EQ(t.replies.size(), 2U);
  expect_refusal(t, wire_error::bad_request);
}

TEST(RelaySession, ProbesOverTheMinuteBudgetAreRateLimited) {
  auto config = loopback_config();
  config.limits.probes_per_minute = 2;
  loopback_relay relay(config);
  const closed_port closed(relay.context());
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(),
                             {hello_frame(), probe_frame(closed.number(), false, numbered_nonce(1)),
                              probe_frame(closed.number(), false, numbered_nonce(2)),
                              probe_frame(closed.number(), false, numbered_nonce(3))},
                             t)));
  ASSERT_EQ(t.replies.size(), 4U);
  EXPECT_NE(as<protocol::probe_result>(t.replies[1]), nullptr);
  EXPECT_NE(as<protocol::probe_result>(t.replies[2]), nullptr);
  expect_refusal(t, wire_error::rate_limited);

  transcript reconnected;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(),
                             {hello_frame(), probe_frame(closed.number(), false, numbered_nonce(4))},
                             reconnected)));
  expect_refusal(reconnected, wire_error::rate_limited);
}

// Holds one session open (hello answered) through `held` while a second one
// connects through `second`.
asio::awaitable<void> hold_then_try(tcp::endpoint held, tcp::endpoint second, transcript& out) {
  auto first = co_await connect_to(held);
  std::string input;
  auto hello = hello_frame();
  co_await send_bytes(first, std::move(hello));
  // Named, not a temporary: g++ 12 can destroy a co_await temporary twice.
  const auto welcome = co_await receive(first, input);
  if (as<protocol::welcome>(welcome) == nullptr) {
    throw std::runtime_error("the first session was not welcomed");
  }
  std::vector<std::string> frames = {hello_frame()};
  co_await talk(second, std::move(frames), out);
}

TEST(RelaySession, ConcurrentSessionsPerIpAreLimited) {
  auto config = loopback_config();
  config.limits.sessions_per_ip = 1;
  loopback_relay relay(config);
  transcript second;
  ASSERT_TRUE(relay.run(hold_then_try(relay.endpoint(), relay.endpoint(), second)));
  expect_refusal(second, wire_error::too_many_sessions);
}

TEST(RelaySession, SessionsOverallAreLimited) {
  auto config = loopback_config();
  config.limits.sessions_total = 1;
  loopback_relay relay(config);
  transcript second;
  ASSERT_TRUE(relay.run(hold_then_try(relay.endpoint(), relay.endpoint(), second)));
  expect_refusal(second, wire_error::too_many_sessions);
  EXPECT_NE(as<protocol::error>(second.replies.back())->text.find("limit of 1"),
            std::string::npos);
}

TEST(RelaySession, ATruncatedFrameThenSilenceTimesOut) {
  auto config = loopback_config();
  config.timeouts.idle = 300ms;
  loopback_relay relay(config);
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame().substr(0, 5)}, t)));
  expect_refusal(t, wire_error::idle_timeout);
  EXPECT_GE(t.last_reply_after, 250ms);
  EXPECT_LT(t.last_reply_after, 2'000ms);
}

// Sends `frame` one byte every 100 ms while waiting for the relay's reply;
// the reply (or the relay closing) ends the trickle.
asio::awaitable<void> trickle_bytes(tcp::socket& socket, std::string frame, std::size_t& sent) {
  for (const char byte : frame) {
    const auto [ec, n] = co_await asio::async_write(socket, asio::buffer(&byte, 1), use_nothrow);
    if (ec) {
      co_return;
    }
    sent += n;
    co_await expire_after(100ms);
  }
}

struct trickle_outcome {
  std::optional<protocol::message> reply;
  std::size_t bytes_sent = 0;
  std::chrono::milliseconds cut_after{0};
};

asio::awaitable<void> trickle(tcp::endpoint relay, bool greet_first, std::string frame,
                              trickle_outcome& out) {
  auto socket = co_await connect_to(relay);
  std::string input;
  if (greet_first) {
    auto hello = hello_frame();
    co_await send_bytes(socket, std::move(hello));
    const auto welcome = co_await receive(socket, input);
    if (as<protocol::welcome>(welcome) == nullptr) {
      throw std::runtime_error("not welcomed");
    }
  }
  const auto start = steady_clock::now();
  auto result = co_await (receive(socket, input, 4s) ||
                          trickle_bytes(socket, std::move(frame), out.bytes_sent));
  out.cut_after =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - start);
  if (result.index() == 0) {
    out.reply = std::move(std::get<0>(result));
  }
}

TEST(RelaySession, ATricklingClientIsCutOffAtTheIdleDeadline) {
  auto config = loopback_config();
  config.timeouts.idle = 500ms;
  loopback_relay relay(config);
  const auto frame = hello_frame();
  trickle_outcome out;
  ASSERT_TRUE(relay.run(trickle(relay.endpoint(), false, frame, out)));
  const auto* error = as<protocol::error>(out.reply);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, wire_error::idle_timeout);
  EXPECT_LT(out.bytes_sent, frame.size());
  EXPECT_GE(out.cut_after, 450ms);
  EXPECT_LT(out.cut_after, 1'500ms);
}

TEST(RelaySession, ATricklingClientIsCutOffAtTheSessionDeadline) {
  auto config = loopback_config();
  config.timeouts.session = 800ms;
  config.timeouts.idle = 3'000ms;
  loopback_relay relay(config);
  trickle_outcome out;
  ASSERT_TRUE(relay.run(trickle(relay.endpoint(), true, probe_frame(9, false), out)));
  const auto* error = as<protocol::error>(out.reply);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, wire_error::idle_timeout);
  EXPECT_NE(error->text.find("session limit"), std::string::npos) << error->text;
  EXPECT_LT(out.cut_after, 1'500ms);
}

struct race {
  transcript bad;
  transcript good;
  steady_clock::time_point good_done;
  steady_clock::time_point bad_done;
};

asio::awaitable<void> bad_client(tcp::endpoint relay, race& r) {
  // Connects and says nothing: the relay must keep serving others meanwhile.
  auto socket = co_await connect_to(relay);
  std::string input;
  auto reply = co_await receive(socket, input);
  r.bad.replies.push_back(std::move(reply));
  r.bad_done = steady_clock::now();
}

asio::awaitable<void> good_client(tcp::endpoint relay, std::uint16_t port, race& r) {
  std::vector<std::string> frames = {hello_frame(), probe_frame(port, true)};
  co_await talk(relay, std::move(frames), r.good);
  r.good_done = steady_clock::now();
}

asio::awaitable<void> bad_and_good(tcp::endpoint relay, std::uint16_t port, race& r) {
  co_await (bad_client(relay, r) && good_client(relay, port, r));
}

TEST(RelaySession, ABadClientDoesNotDisturbAGoodOne) {
  loopback_relay relay;  // idle 1000 ms
  const closed_port closed(relay.context());
  race r;
  ASSERT_TRUE(relay.run(bad_and_good(relay.endpoint(), closed.number(), r)));
  ASSERT_EQ(r.good.replies.size(), 2U);
  const auto* result = as<protocol::probe_result>(r.good.replies[1]);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::refused);
  ASSERT_EQ(r.bad.replies.size(), 1U);
  const auto* error = as<protocol::error>(r.bad.replies[0]);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, wire_error::idle_timeout);
  EXPECT_LT(r.good_done, r.bad_done) << "the good session finished while the bad one was held";
}

TEST(RelaySession, AHelloOverOneKibibyteIsRefusedFromItsHeader) {
  loopback_relay relay;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(std::string(2000, 't'))}, t)));
  expect_refusal(t, wire_error::frame_too_large);
  EXPECT_EQ(as<protocol::error>(t.replies.back())->text,
            "frame payloads are limited to 1024 bytes before the welcome");
}

TEST(RelaySession, AfterTheWelcomeFramesMayBeLarger) {
  loopback_relay relay;
  const closed_port closed(relay.context());
  // A request padded past the hello's limit with a field the relay ignores.
  auto padded = probe_frame(closed.number(), false);
  const auto payload = padded.substr(protocol::header_size, padded.size() - protocol::header_size - 1) +
                       R"(,"padding":")" + std::string(4000, 'x') + R"("})";
  auto request = padded.substr(0, 4);
  for (int shift = 24; shift >= 0; shift -= 8) {
    request += static_cast<char>((payload.size() >> shift) & 0xffU);
  }
  request += payload;
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame(), request}, t)));
  ASSERT_EQ(t.replies.size(), 2U);
  const auto* result = as<protocol::probe_result>(t.replies[1]);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::refused);
}

TEST(RelaySession, AConnectionWithoutAHelloIsClosedAtTheHelloDeadline) {
  auto config = loopback_config();
  config.timeouts.hello = 200ms;
  config.timeouts.idle = 4'000ms;
  loopback_relay relay(config);
  transcript t;
  ASSERT_TRUE(relay.run(talk(relay.endpoint(), {hello_frame().substr(0, 5)}, t)));
  expect_refusal(t, wire_error::idle_timeout);
  EXPECT_EQ(as<protocol::error>(t.replies.back())->text, "no hello within 200 ms");
}

// Says hello, then nothing: the reply that ends the session.
asio::awaitable<void> welcomed_then_silent(tcp::endpoint relay,
                                           std::optional<protocol::message>& last) {
  auto socket = co_await connect_to(relay);
  std::string input;
  auto hello = hello_frame();
  co_await send_bytes(socket, std::move(hello));
  const auto welcome = co_await receive(socket, input);
  if (as<protocol::welcome>(welcome) == nullptr) {
    throw std::runtime_error("not welcomed");
  }
  last = co_await receive(socket, input);
}

TEST(RelaySession, AWelcomedClientWithoutARequestIsClosedSoon) {
  auto config = loopback_config();
  config.timeouts.request = 200ms;
  config.timeouts.idle = 4'000ms;
  loopback_relay relay(config);
  std::optional<protocol::message> last;
  ASSERT_TRUE(relay.run(welcomed_then_silent(relay.endpoint(), last)));
  const auto* error = as<protocol::error>(last);
  ASSERT_NE(error, nullptr);
  EXPECT_EQ(error->code, wire_error::idle_timeout);
  EXPECT_EQ(error->text, "no probe request within 200 ms");
}

// A socket bound but never connected: its local end is known, its peer is
// not. The relay once cleared the peer's error by asking for the local
// end, and served a session for client=0.0.0.0:0.
TEST(RelaySession, AConnectionWhosePeerIsUnknownIsNotServed) {
  asio::io_context ctx{1};
  auto lines = std::make_shared<std::vector<std::string>>();
  auto shared = std::make_shared<relay_shared>(
      loopback_config(), [lines](std::string_view line) { lines->emplace_back(line); });
  tcp::socket socket(ctx);
  socket.open(tcp::v4());
  socket.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  bool finished = false;
  asio::co_spawn(ctx, run_session(std::move(socket), shared, {}),
                 [&finished](const std::exception_ptr& e) {
                   finished = true;
                   if (e) std::rethrow_exception(e);
                 });
  ctx.run_for(3s);
  ASSERT_TRUE(finished);
  EXPECT_TRUE(lines->empty()) << "served and logged: " << lines->front();
  EXPECT_EQ(shared->limiter.sessions(), 0);
}

// Accepts connections on `acceptor` into sessions of `shared`, as the server does.
asio::awaitable<void> accept_into(tcp::acceptor& acceptor, std::shared_ptr<relay_shared> shared) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec) {
      co_return;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_session(std::move(socket), shared, {}), asio::detached);
  }
}

TEST(RelaySession, OneHostOverIpv4AndADualStackSocketIsOneSource) {
  asio::io_context ctx{1};
  auto config = loopback_config();
  config.limits.sessions_per_ip = 1;
  auto shared = std::make_shared<relay_shared>(config, [](std::string_view) {});
  tcp::acceptor v4(ctx, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  // A dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1.
  tcp::acceptor dual(ctx);
  dual.open(tcp::v6());
  dual.set_option(asio::ip::v6_only(false));
  dual.bind(tcp::endpoint(asio::ip::make_address("::ffff:127.0.0.1"), 0));
  dual.listen();
  const tcp::endpoint mapped(asio::ip::make_address("127.0.0.1"), dual.local_endpoint().port());
  asio::co_spawn(ctx, accept_into(v4, shared), asio::detached);
  asio::co_spawn(ctx, accept_into(dual, shared), asio::detached);
  transcript second;
  bool finished = false;
  asio::co_spawn(ctx, hold_then_try(v4.local_endpoint(), mapped, second),
                 [&](const std::exception_ptr& e) {
                   finished = true;
                   ctx.stop();
                   if (e) std::rethrow_exception(e);
                 });
  ctx.run_for(5s);
  ASSERT_TRUE(finished);
  expect_refusal(second, wire_error::too_many_sessions);
  EXPECT_EQ(as<protocol::error>(second.replies.back())->text,
            "1 sessions already open from 127.0.0.1 (limit 1)");
}

}  // namespace
}  // namespace reachback::relay::test
