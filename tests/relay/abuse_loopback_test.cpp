// SPDX-License-Identifier: MIT
// The abuse suite: attacks from issue 10 against an in-process relay on
// loopback, each next to a genuine client that must still get its verdict.
// Attackers bind addresses of 127.0.0.0/8, so they are many sources on one
// host. How fast the genuine client is under attack is measured by
// tests/bench/relay_flood.sh, not here.
#include "loopback_harness.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "relay/io_timeouts.hpp"

namespace reachback::relay::test {
namespace {

using namespace asio::experimental::awaitable_operators;
using protocol::wire_error;

const std::string proof = protocol::proof_line(test_nonce);

// Raises the open-file limit to what `needed` sockets take, when the hard
// limit allows; false when it does not.
bool allow_open_files(rlim_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return false;
  }
  if (limit.rlim_cur >= needed) {
    return true;
  }
  if (limit.rlim_max < needed) {
    return false;
  }
  limit.rlim_cur = needed;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

// What the attackers share with the test, which outlives none of them.
struct attack {
  bool stop = false;
  int connects = 0;   ///< connections made, reconnects included
  int refusals = 0;   ///< error frames the relay sent
  int left_open = 0;  ///< refusals after which the relay did not close
  std::vector<wire_error> codes;  ///< distinct codes of those frames
  void heard(const protocol::error& e, bool closed) {
    ++refusals;
    left_open += closed ? 0 : 1;
    if (std::ranges::find(codes, e.code) == codes.end()) {
      codes.push_back(e.code);
    }
  }
};

// Reads the relay's answer on an attack connection and whether it closes.
asio::awaitable<void> hear_out(tcp::socket& socket, std::string& input, attack& a) {
  const auto reply = co_await receive(socket, input, 10s);
  const bool closed = co_await peer_closes(socket, 10s);
  if (const auto* error = as<protocol::error>(reply)) {
    a.heard(*error, closed);
  }
}

// Waits until `done()` holds, checking every 5 ms; false after `limit`.
asio::awaitable<bool> until(std::function<bool()> done, std::chrono::milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  while (!done()) {
    if (steady_clock::now() >= deadline) {
      co_return false;
    }
    co_await expire_after(5ms);
  }
  co_return true;
}

// One idle attacker: connects from `source`, says nothing, and reconnects
// 100 ms after the relay closes it, until the attack stops.
asio::awaitable<void> idle_attacker(tcp::endpoint relay, asio::ip::address source,
                                    std::shared_ptr<attack> a) {
  while (!a->stop) {
    auto socket = co_await connect_to(relay, source);
    ++a->connects;
    std::string input;
    co_await hear_out(socket, input, *a);
    co_await expire_after(100ms);
  }
}

// 127.1.X.Y, one per source index.
asio::ip::address attacker_address(int index) {
  return asio::ip::make_address_v4(0x7f010000U + static_cast<unsigned>(index) + 1U);
}

// The genuine client: one TCP probe of its agent from 127.0.0.1. It waits
// as long for each reply as the attackers do: with the sanitizers at -O0 on
// a busy machine, the relay sharing one thread with 1,000 attackers takes
// more than the usual 3 s to come to its turn; refused, it hears at once.
asio::awaitable<void> genuine(tcp::endpoint relay, std::uint16_t agent_port, transcript& out) {
  std::vector<std::string> frames = {hello_frame(), probe_frame(agent_port, false)};
  co_await talk(relay, std::move(frames), out, asio::ip::make_address("127.0.0.1"), 10s);
}

const protocol::probe_result* verified(const transcript& t) {
  if (t.replies.size() != 2) {
    return nullptr;
  }
  const auto* result = as<protocol::probe_result>(t.replies[1]);
  return result != nullptr && result->connect_back.outcome == connect_outcome::verified
             ? result
             : nullptr;
}

struct idle_flood_outcome {
  bool relay_was_full = false;
  transcript genuine;
};

asio::awaitable<void> idle_flood(loopback_relay& relay, std::uint16_t agent_port,
                                 std::shared_ptr<attack> a, idle_flood_outcome& out) {
  const auto executor = co_await asio::this_coro::executor;
  constexpr int sources = 250;
  constexpr int per_source = 4;
  for (int s = 0; s < sources; ++s) {
    for (int i = 0; i < per_source; ++i) {
      asio::co_spawn(executor, idle_attacker(relay.endpoint(), attacker_address(s), a),
                     asio::detached);
    }
  }
  // Named: g++ 12 can destroy a co_await temporary twice.
  std::function<bool()> full = [&relay] {
    return relay.sessions() == loopback_config().limits.sessions_total;
  };
  out.relay_was_full = co_await until(std::move(full), 5s);
  co_await genuine(relay.endpoint(), agent_port, out.genuine);
  a->stop = true;
}

TEST(RelayAbuse, IdleFlood) {
  ASSERT_TRUE(allow_open_files(4096)) << "1,000 attack sockets need 4096 open files";
  auto config = loopback_config();
  config.timeouts.idle = 10s;  // the hello deadline (2 s) is what cuts the attackers
  ASSERT_EQ(config.limits.sessions_total, 256);
  ASSERT_EQ(config.limits.sessions_per_ip, 4);
  loopback_relay relay(config);
  target_listener agent(relay.context(), proof);
  auto a = std::make_shared<attack>();
  idle_flood_outcome out;
  ASSERT_TRUE(relay.run(idle_flood(relay, agent.port(), a, out), 30s));
  a->stop = true;
  EXPECT_TRUE(out.relay_was_full) << "the attack did not fill the pool; it proves nothing";
  EXPECT_GE(a->connects, 1000);
  EXPECT_GT(a->refusals, 0) << "sources over their fair share are refused";
  const auto* result = verified(out.genuine);
  ASSERT_NE(result, nullptr) << "the genuine client lost its verdict to the flood: " << describe(out.genuine);
  EXPECT_EQ(result->connect_back.dialed_address, "127.0.0.1");
}

// A frame of `type` whose 64 KiB payload is all '[': nlohmann's parser
// once spent about 7 ms on each.
std::string junk_frame(std::uint8_t type) {
  const auto length = static_cast<std::uint32_t>(protocol::max_payload);
  std::string frame = {'R', 'B', static_cast<char>(protocol::version), static_cast<char>(type)};
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame += static_cast<char>((length >> shift) & 0xffU);
  }
  return frame + std::string(length, '[');
}

// One junk attacker from `source`: sends a junk frame, as its hello or
// after a proper one, reads the relay's answer, waits for the close and
// starts again, until the attack stops.
asio::awaitable<void> junk_attacker(tcp::endpoint relay, asio::ip::address source,
                                    bool after_welcome, std::shared_ptr<attack> a) {
  while (!a->stop) {
    auto socket = co_await connect_to(relay, source);
    ++a->connects;
    std::string input;
    if (after_welcome) {
      auto hello = hello_frame();
      co_await send_bytes(socket, std::move(hello));
      const auto welcome = co_await receive(socket, input);
      if (as<protocol::welcome>(welcome) == nullptr) {
        throw std::runtime_error("the junk attacker was not welcomed");
      }
    }
    auto junk = junk_frame(after_welcome ? 3 : 1);
    // The relay may close before the 64 KiB are in: a failed write is fine.
    co_await asio::async_write(socket, asio::buffer(junk), use_nothrow);
    co_await hear_out(socket, input, *a);
  }
}

struct frame_flood_outcome {
  bool flooding = false;
  std::vector<transcript> genuine;
};

asio::awaitable<void> frame_flood(tcp::endpoint relay, std::vector<std::uint16_t> agent_ports,
                                  std::shared_ptr<attack> a, frame_flood_outcome& out) {
  const auto executor = co_await asio::this_coro::executor;
  const auto source = asio::ip::make_address("127.2.0.1");
  for (const bool after_welcome : {false, false, true, true}) {
    asio::co_spawn(executor, junk_attacker(relay, source, after_welcome, a), asio::detached);
  }
  std::function<bool()> underway = [a] { return a->refusals >= 8; };
  out.flooding = co_await until(std::move(underway), 5s);
  for (std::size_t i = 0; i < agent_ports.size(); ++i) {
    transcript t;
    std::vector<std::string> frames = {
        hello_frame(), probe_frame(agent_ports[i], false, numbered_nonce(static_cast<int>(i)))};
    co_await talk(relay, std::move(frames), t, asio::ip::make_address("127.0.0.1"));
    out.genuine.push_back(std::move(t));
  }
  a->stop = true;
}

TEST(RelayAbuse, FrameFlood) {
  auto config = loopback_config();
  config.limits.probes_per_minute = 100;
  loopback_relay relay(config);
  // One agent per genuine probe, each proving that probe's nonce.
  std::vector<std::unique_ptr<target_listener>> agents;
  std::vector<std::uint16_t> ports;
  for (int i = 0; i < 5; ++i) {
    agents.push_back(std::make_unique<target_listener>(
        relay.context(), protocol::proof_line(numbered_nonce(i))));
    ports.push_back(agents.back()->port());
  }
  auto a = std::make_shared<attack>();
  frame_flood_outcome out;
  ASSERT_TRUE(relay.run(frame_flood(relay.endpoint(), ports, a, out), 15s));
  a->stop = true;
  EXPECT_TRUE(out.flooding) << "the junk frames were not answered";
  EXPECT_EQ(a->codes, (std::vector<wire_error>{wire_error::frame_too_large, wire_error::bad_request}))
      << "before the welcome: refused from the header; after it: too deep to parse";
  EXPECT_EQ(a->left_open, 0) << "every refusal closes the connection";
  ASSERT_EQ(out.genuine.size(), 5U);
  for (const auto& t : out.genuine) {
    EXPECT_NE(verified(t), nullptr) << "a genuine probe did not verify under the flood";
  }
}

// hello, then two probes with one nonce; then another session reusing it.
asio::awaitable<void> reuse_nonce(tcp::endpoint relay, std::uint16_t agent_port,
                                  std::vector<transcript>& out) {
  out.resize(2);
  std::vector<std::string> twice = {hello_frame(), probe_frame(agent_port, false),
                                    probe_frame(agent_port, false)};
  co_await talk(relay, std::move(twice), out[0]);
  std::vector<std::string> again = {hello_frame(), probe_frame(agent_port, false)};
  co_await talk(relay, std::move(again), out[1]);
}

TEST(RelayAbuse, ReusedNonce) {
  loopback_relay relay;
  target_listener agent(relay.context(), proof);
  std::vector<transcript> sessions;
  ASSERT_TRUE(relay.run(reuse_nonce(relay.endpoint(), agent.port(), sessions)));
  const auto& first = sessions.at(0);
  ASSERT_EQ(first.replies.size(), 3U);
  const auto* result = as<protocol::probe_result>(first.replies[1]);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->connect_back.outcome, connect_outcome::verified);
  for (const auto& refused : {first.replies[2], sessions.at(1).replies.back()}) {
    const auto* error = as<protocol::error>(refused);
    ASSERT_NE(error, nullptr) << "a reused nonce must be refused";
    EXPECT_EQ(error->code, wire_error::bad_request);
    EXPECT_EQ(error->text,
              "this nonce was already probed with in the last 10 minutes; send a fresh one");
  }
  EXPECT_TRUE(sessions.at(1).closed_by_relay);
  EXPECT_EQ(agent.accepted(), 1) << "the relay dialed only for the first use";
}

}  // namespace
}  // namespace reachback::relay::test
