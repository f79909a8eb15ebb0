// SPDX-License-Identifier: MIT
#include "loopback_harness.hpp"

#include <array>
#include <stdexcept>

#include "common/codec.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/session_log.hpp"
#include "relay/session_rules.hpp"
#include "version.hpp"

namespace reachback::relay::test {

using namespace asio::experimental::awaitable_operators;

config::relay_config loopback_config() {
  config::relay_config config;
  config.listen = {"127.0.0.1:0"};
  config.timeouts.session = 5'000ms;
  config.timeouts.idle = 1'000ms;
  config.timeouts.connect = 1'000ms;
  config.timeouts.banner = 300ms;
  config.sweep.max_ttl = 4;
  config.sweep.hop_timeout = 300ms;
  config.sweep.retries = 1;
  return config;
}

std::string numbered_nonce(int n) {
  auto nonce = test_nonce;
  const auto digits = std::to_string(n);
  nonce.replace(nonce.size() - digits.size(), digits.size(), digits);
  return nonce;
}

namespace {

log_sink collect_into(std::shared_ptr<std::vector<std::string>> lines) {
  return [lines = std::move(lines)](std::string_view line) { lines->emplace_back(line); };
}

}  // namespace

loopback_relay::loopback_relay(config::relay_config config)
    : log_(std::make_shared<std::vector<std::string>>()),
      server_(ctx_.get_executor(), std::move(config), collect_into(log_)) {
  server_.start();
}

tcp::endpoint loopback_relay::endpoint() const { return server_.local_endpoints().at(0); }

std::optional<tcp::endpoint> loopback_relay::metrics_endpoint() const {
  return server_.metrics_endpoint_address();
}

bool loopback_relay::run(asio::awaitable<void> body, std::chrono::milliseconds limit) {
  struct outcome {
    bool finished = false;
    std::exception_ptr failure;
  };
  // Shared: a body that outlives this call must not write to a dead frame.
  auto result = std::make_shared<outcome>();
  asio::co_spawn(ctx_, std::move(body), [result, this](const std::exception_ptr& e) {
    result->finished = true;
    result->failure = e;
    ctx_.stop();
  });
  ctx_.restart();
  ctx_.run_for(limit);
  if (result->failure) {
    std::rethrow_exception(result->failure);
  }
  return result->finished;
}

bool loopback_relay::run_until(const std::function<bool()>& done,
                               std::chrono::milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  ctx_.restart();
  while (!done()) {
    const auto now = steady_clock::now();
    if (now >= deadline) {
      break;
    }
    ctx_.run_one_for(deadline - now);
  }
  return done();
}

bool loopback_relay::wait_for_log_lines(std::size_t lines, std::chrono::milliseconds limit) {
  return run_until([&] { return log_->size() >= lines; }, limit);
}

asio::awaitable<tcp::socket> connect_to(tcp::endpoint relay,
                                        std::optional<asio::ip::address> source) {
  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(relay.protocol());
  if (source) {
    socket.bind(tcp::endpoint(*source, 0));
  }
  co_await socket.async_connect(relay, asio::use_awaitable);
  co_return socket;
}

asio::awaitable<void> send_bytes(tcp::socket& socket, std::string bytes) {
  co_await asio::async_write(socket, asio::buffer(bytes), asio::use_awaitable);
}

asio::awaitable<std::optional<protocol::message>> receive(tcp::socket& socket, std::string& input,
                                                          std::chrono::milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  std::vector<char> chunk(4096);
  for (;;) {
    auto decoded = protocol::decode(std::span<const char>(input));
    if (auto* frame = std::get_if<protocol::decoded>(&decoded)) {
      auto msg = std::move(frame->msg);
      input.erase(0, frame->consumed);
      co_return msg;
    }
    if (std::holds_alternative<std::error_code>(decoded)) {
      co_return std::nullopt;
    }
    const auto now = steady_clock::now();
    if (now >= deadline) {
      co_return std::nullopt;
    }
    auto outcome = co_await (socket.async_read_some(asio::buffer(chunk), use_nothrow) ||
                             expire_after(deadline - now));
    if (outcome.index() == 1) {
      co_return std::nullopt;
    }
    const auto [ec, n] = std::get<0>(outcome);
    if (ec) {
      co_return std::nullopt;
    }
    input.append(chunk.data(), n);
  }
}

asio::awaitable<bool> peer_closes(tcp::socket& socket, std::chrono::milliseconds limit) {
  const auto deadline = steady_clock::now() + limit;
  std::vector<char> chunk(4096);
  for (auto now = steady_clock::now(); now < deadline; now = steady_clock::now()) {
    auto outcome = co_await (socket.async_read_some(asio::buffer(chunk), use_nothrow) ||
                             expire_after(deadline - now));
    if (outcome.index() == 1) {
      co_return false;
    }
    if (std::get<0>(std::get<0>(outcome))) {
      co_return true;  // EOF or reset
    }
  }
  co_return false;
}

asio::awaitable<void> talk(tcp::endpoint relay, std::vector<std::string> frames, transcript& out,
                           std::optional<asio::ip::address> source, std::chrono::milliseconds reply_limit) {
  const auto start = steady_clock::now();
  auto socket = co_await connect_to(relay, source);
  std::string input;
  for (auto& frame : frames) {
    co_await send_bytes(socket, std::move(frame));
    auto reply = co_await receive(socket, input, reply_limit);
    out.last_reply_after = std::chrono::duration_cast<std::chrono::milliseconds>(
        steady_clock::now() - start);
    const bool last = !reply || as<protocol::error>(reply) != nullptr;
    out.replies.push_back(std::move(reply));
    if (last) {
      out.closed_by_relay = co_await peer_closes(socket);
      co_return;
    }
  }
}

std::string describe(const transcript& t) {
  std::string text;
  for (const auto& reply : t.replies) {
    if (!text.empty()) text += ", ";
    if (!reply) {
      text += "none";
    } else if (const auto* error = std::get_if<protocol::error>(&*reply)) {
      text += "error: " + error->text;
    } else {
      text += message_name(*reply);
    }
  }
  return (text.empty() ? "no reply" : text) + (t.closed_by_relay ? "; closed by the relay" : "");
}

std::string hello_frame(std::optional<std::string> token) {
  return protocol::encode(protocol::hello{.client_version = std::string(project_version),
                                          .token = std::move(token)});
}

std::string probe_frame(std::uint16_t port, bool sweep, const std::string& nonce) {
  // No control probe: it dials a random port, which another test may own.
  return protocol::encode(protocol::probe_request{
      .protocol = "tcp", .port = port, .nonce = nonce, .sweep = sweep, .control = false});
}

std::string early_probe_frame(std::uint16_t port) {
  return protocol::encode(protocol::probe_request{.protocol = "tcp",
                                                  .port = port,
                                                  .nonce = test_nonce,
                                                  .sweep = false,
                                                  .greet = true,
                                                  .early_result = true,
                                                  .control = false});
}

std::string udp_probe_frame(std::uint16_t port, bool sweep) {
  return protocol::encode(protocol::probe_request{.protocol = "udp",
                                                  .port = port,
                                                  .nonce = test_nonce,
                                                  .sweep = sweep,
                                                  .greet = true,
                                                  .early_result = true,
                                                  .control = true});
}

struct target_listener::state {
  explicit state(asio::io_context& ctx) : acceptor(ctx) {}
  tcp::acceptor acceptor;
  std::string greeting;
  int accepted = 0;
  std::string heard;
  std::vector<std::shared_ptr<tcp::socket>> held;
};

namespace {

// Keeps what a connection sends first; ends when stop() closes it.
asio::awaitable<void> hear_first(std::shared_ptr<target_listener::state> s,
                                 std::shared_ptr<tcp::socket> socket) {
  std::array<char, 256> first{};
  const auto [ec, n] = co_await socket->async_read_some(asio::buffer(first), use_nothrow);
  s->heard.append(first.data(), n);
}

asio::awaitable<void> serve_target(std::shared_ptr<target_listener::state> s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(use_nothrow);
    if (ec) {
      co_return;  // stopped
    }
    ++s->accepted;
    if (!s->greeting.empty()) {
      co_await asio::async_write(socket, asio::buffer(s->greeting), use_nothrow);
    }
    auto held = std::make_shared<tcp::socket>(std::move(socket));
    s->held.push_back(held);
    asio::co_spawn(s->acceptor.get_executor(), hear_first(s, held), asio::detached);
  }
}

}  // namespace

target_listener::target_listener(asio::io_context& ctx, std::string greeting,
                                 asio::ip::address address, std::uint16_t port)
    : state_(std::make_shared<state>(ctx)) {
  const tcp::endpoint endpoint(address, port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(asio::socket_base::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  state_->greeting = std::move(greeting);
  asio::co_spawn(ctx, serve_target(state_), asio::detached);
}

target_listener::~target_listener() { stop(); }

std::uint16_t target_listener::port() const { return state_->acceptor.local_endpoint().port(); }

int target_listener::accepted() const noexcept { return state_->accepted; }

const std::string& target_listener::heard() const noexcept { return state_->heard; }

void target_listener::stop() {
  asio::error_code ignored;
  state_->acceptor.close(ignored);
  for (const auto& socket : state_->held) {
    socket->close(ignored);
  }
}

struct udp_target::state {
  state(asio::io_context& ctx, responder respond)
      : target(ctx), other_port(ctx), answer(std::move(respond)) {}
  asio::ip::udp::socket target;
  asio::ip::udp::socket other_port;
  responder answer;
  std::vector<std::string> heard;
  std::vector<asio::ip::udp::endpoint> senders;
};

namespace {

void bind_loopback(asio::ip::udp::socket& socket) {
  const asio::ip::udp::endpoint any_loopback_port(asio::ip::make_address("127.0.0.1"), 0);
  socket.open(any_loopback_port.protocol());
  socket.bind(any_loopback_port);
}

asio::awaitable<void> serve_datagrams(std::shared_ptr<udp_target::state> s) {
  std::array<char, 2048> payload{};
  for (;;) {
    asio::ip::udp::endpoint sender;
    const auto [ec, n] =
        co_await s->target.async_receive_from(asio::buffer(payload), sender, use_nothrow);
    if (ec) co_return;  // closed
    s->heard.emplace_back(payload.data(), n);
    s->senders.push_back(sender);
    const auto replies = s->answer(static_cast<int>(s->heard.size()), s->heard.back());
    asio::error_code ignored;
    if (replies.from_other_port) {
      s->other_port.send_to(asio::buffer(*replies.from_other_port), sender, 0, ignored);
    }
    if (replies.from_target) {
      s->target.send_to(asio::buffer(*replies.from_target), sender, 0, ignored);
    }
  }
}

}  // namespace

udp_target::udp_target(asio::io_context& ctx, responder answer)
    : state_(std::make_shared<state>(ctx, std::move(answer))) {
  bind_loopback(state_->target);
  bind_loopback(state_->other_port);
  asio::co_spawn(ctx, serve_datagrams(state_), asio::detached);
}

udp_target::~udp_target() {
  asio::error_code ignored;
  state_->target.close(ignored);
  state_->other_port.close(ignored);
}

std::uint16_t udp_target::port() const { return state_->target.local_endpoint().port(); }

const std::vector<std::string>& udp_target::heard() const noexcept { return state_->heard; }

const std::vector<asio::ip::udp::endpoint>& udp_target::senders() const noexcept {
  return state_->senders;
}

closed_udp_port::closed_udp_port(asio::io_context& ctx) : holder_(ctx) {
  bind_loopback(holder_);
  // Connected to itself: the kernel hands it only datagrams from its own
  // port, and answers every other sender with ICMP port unreachable.
  holder_.connect(holder_.local_endpoint());
}

std::uint16_t closed_udp_port::number() const { return holder_.local_endpoint().port(); }

closed_port::closed_port(asio::io_context& ctx) : holder_(ctx) {
  const tcp::endpoint any_loopback_port(asio::ip::make_address("127.0.0.1"), 0);
  holder_.open(any_loopback_port.protocol());
  holder_.bind(any_loopback_port);  // no listen(): a SYN here is answered with RST
}

std::uint16_t closed_port::number() const { return holder_.local_endpoint().port(); }

}  // namespace reachback::relay::test
