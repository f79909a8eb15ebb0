// SPDX-License-Identifier: MIT
// relay_load: the load generator of tests/bench/relay_load.sh. It speaks the
// protocol to a probe-relay on loopback and plays the client's agent, so
// every session is a real verified probe (hello, welcome, probe_request,
// connect-back, greeting, proof, probe_result), or it holds idle sessions
// open, or it measures the peer a relay session is compared with: a plain
// TCP accept + connect on the same loopback.
//
//   relay_load verified --relay 127.0.0.1:4750 --sessions N --concurrency C --sources K
//   relay_load idle     --relay 127.0.0.1:4750 --sessions N --sources K --ready FILE
//   relay_load plain    --sessions N --concurrency C
//
// Sources are 127.1.X.Y addresses (K of them, bound before connecting) so
// the relay's per-source limits see many clients. Output: one line
// "sessions=N failed=F seconds=S per_second=R cpu_us=U". Exit 0 when no session
// failed, 1 when one did, 2 for bad arguments.

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio_compat.hpp"
#include "common/codec.hpp"
#include "common/messages.hpp"

namespace {

using asio::ip::tcp;
using reachback::use_nothrow;
namespace protocol = reachback::protocol;

struct load_options {
  std::string mode;
  tcp::endpoint relay{asio::ip::make_address("127.0.0.1"), 4750};
  int sessions = 1000;
  int concurrency = 32;
  int sources = 64;
  std::string ready_file;  ///< idle: written once every session is welcomed
  std::uint16_t agent_port = 0;  ///< verified: where the relay connects back
};

struct tally {
  int started = 0;
  int done = 0;
  int failed = 0;
};

asio::ip::address source_address(int index, int sources) {
  const int n = index % sources;
  return asio::ip::make_address_v4(asio::ip::address_v4::uint_type{0x7f010000U} +
                                   static_cast<unsigned>(n / 250) * 256U +
                                   static_cast<unsigned>(n % 250) + 1U);
}

std::string random_nonce(std::mt19937_64& random) {
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string nonce(32, '0');
  for (auto& digit : nonce) {
    digit = hex[random() % 16];
  }
  return nonce;
}

// Reads frames until one decodes; nullopt on EOF, a bad frame or an error.
asio::awaitable<std::optional<protocol::message>> read_message(tcp::socket& socket,
                                                               std::string& buffer) {
  for (;;) {
    const auto result = protocol::decode(buffer);
    if (const auto* whole = std::get_if<protocol::decoded>(&result)) {
      auto message = whole->msg;
      buffer.erase(0, whole->consumed);
      co_return message;
    }
    if (std::holds_alternative<std::error_code>(result)) {
      co_return std::nullopt;
    }
    std::array<char, 4096> chunk{};
    const auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    if (ec) {
      co_return std::nullopt;
    }
    buffer.append(chunk.data(), n);
  }
}

asio::awaitable<bool> send(tcp::socket& socket, const protocol::message& message) {
  const auto frame = protocol::encode(message);
  const auto [ec, n] = co_await asio::async_write(socket, asio::buffer(frame), use_nothrow);
  co_return !ec;
}

asio::awaitable<std::optional<tcp::socket>> connect_from(asio::ip::address source,
                                                         tcp::endpoint to) {
  tcp::socket socket(co_await asio::this_coro::executor);
  asio::error_code ec;
  socket.open(tcp::v4(), ec);
  if (!ec) {
    socket.bind({source, 0}, ec);
  }
  if (ec) {
    co_return std::nullopt;
  }
  const auto [connect_ec] = co_await socket.async_connect(to, use_nothrow);
  if (connect_ec) {
    co_return std::nullopt;
  }
  co_return std::move(socket);
}

asio::awaitable<bool> welcome_session(tcp::socket& socket, std::string& buffer) {
  // Named, not a temporary inside co_await: g++ 12 destroys such temporaries
  // twice.
  const protocol::message hello = protocol::hello{.client_version = "relay_load", .token = {}};
  if (!co_await send(socket, hello)) {
    co_return false;
  }
  const auto reply = co_await read_message(socket, buffer);
  co_return reply && std::holds_alternative<protocol::welcome>(*reply);
}

asio::awaitable<bool> verified_session(const load_options& opts, int index,
                                       std::mt19937_64& random) {
  auto socket = co_await connect_from(source_address(index, opts.sources), opts.relay);
  std::string buffer;
  if (!socket || !co_await welcome_session(*socket, buffer)) {
    co_return false;
  }
  const auto nonce = random_nonce(random);
  const protocol::message request = protocol::probe_request{
      .port = opts.agent_port, .nonce = nonce, .sweep = false, .greet = true, .control = false};
  if (!co_await send(*socket, request)) {
    co_return false;
  }
  const auto reply = co_await read_message(*socket, buffer);
  const auto* result = reply ? std::get_if<protocol::probe_result>(&*reply) : nullptr;
  co_return result && result->connect_back.outcome == reachback::connect_outcome::verified;
}

// The client's agent: reads the greeting line and proves its nonce.
asio::awaitable<void> prove(tcp::socket socket) {
  std::string line;
  const auto [ec, n] =
      co_await asio::async_read_until(socket, asio::dynamic_buffer(line, 256), '\n', use_nothrow);
  if (ec || !line.starts_with(protocol::greeting_prefix)) {
    co_return;
  }
  const auto nonce = std::string_view(line).substr(protocol::greeting_prefix.size(), 32);
  const auto proof = protocol::proof_line(nonce);
  co_await asio::async_write(socket, asio::buffer(proof), use_nothrow);
}

asio::awaitable<void> accept_forever(tcp::acceptor& acceptor, bool prove_nonces) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_nothrow);
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
      co_return;
    }
    if (!ec && prove_nonces) {
      asio::co_spawn(acceptor.get_executor(), prove(std::move(socket)), asio::detached);
    }
  }
}

// The peer: one TCP handshake on loopback, which the acceptor closes.
asio::awaitable<bool> plain_session(const load_options& opts, int index, tcp::endpoint to) {
  const auto socket = co_await connect_from(source_address(index, opts.sources), to);
  co_return socket.has_value();
}

// Runs `one(index)` for every session, at most opts.concurrency at a time.
using session_runner = std::function<asio::awaitable<bool>(int index, std::mt19937_64& random)>;

asio::awaitable<void> worker(const load_options& opts, tally& counts, session_runner one) {
  std::mt19937_64 random(std::random_device{}());
  while (counts.started < opts.sessions) {
    const int index = counts.started++;
    const bool ok = co_await one(index, random);
    ++counts.done;
    counts.failed += ok ? 0 : 1;
  }
}

asio::awaitable<void> idle_session(const load_options& opts, int index, tally& counts,
                                   std::vector<tcp::socket>& held) {
  auto socket = co_await connect_from(source_address(index, opts.sources), opts.relay);
  std::string buffer;
  const bool ok = socket && co_await welcome_session(*socket, buffer);
  ++counts.done;
  counts.failed += ok ? 0 : 1;
  if (ok) {
    held.push_back(std::move(*socket));
  }
}

// Until every session is done, or nothing at all happens for 30 s.
void run_until_done(asio::io_context& ctx, const tally& counts, int sessions) {
  while (counts.done < sessions && ctx.run_one_for(std::chrono::seconds{30}) > 0) {
  }
}

// When a run started: by the wall clock, and by this process's CPU clock.
struct run_start {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
};

// cpu_us is this process's own CPU per session, user and kernel. For
// `plain` it is what both ends of a plain accept+connect cost, the peer a
// relay session's CPU is compared with on the same machine.
int report(const tally& counts, const run_start& started) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started.wall).count();
  const double cpu_seconds = static_cast<double>(std::clock() - started.cpu) / CLOCKS_PER_SEC;
  std::printf("sessions=%d failed=%d seconds=%.3f per_second=%.0f cpu_us=%.1f\n", counts.done,
              counts.failed, seconds, counts.done / seconds,
              counts.done > 0 ? cpu_seconds * 1e6 / counts.done : 0.0);
  return counts.failed == 0 ? 0 : 1;
}

// Runs opts.sessions sessions of `one`, opts.concurrency at a time, and
// reports them.
int run_sessions(asio::io_context& ctx, const load_options& opts, const session_runner& one) {
  tally counts;
  const run_start started;
  for (int i = 0; i < opts.concurrency; ++i) {
    asio::co_spawn(ctx, worker(opts, counts, one), asio::detached);
  }
  run_until_done(ctx, counts, opts.sessions);
  return report(counts, started);
}

int run_verified(load_options opts) {
  asio::io_context ctx{1};
  // Every source address is a 127.x address, so one agent on all of them.
  tcp::acceptor agent(ctx, {asio::ip::make_address("0.0.0.0"), 0});
  opts.agent_port = agent.local_endpoint().port();
  asio::co_spawn(ctx, accept_forever(agent, true), asio::detached);
  return run_sessions(ctx, opts, [&opts](int index, std::mt19937_64& random) {
    return verified_session(opts, index, random);
  });
}

int run_plain(const load_options& opts) {
  asio::io_context ctx{1};
  tcp::acceptor peer(ctx, {asio::ip::make_address("127.0.0.1"), 0});
  asio::co_spawn(ctx, accept_forever(peer, false), asio::detached);
  const auto to = peer.local_endpoint();
  return run_sessions(ctx, opts, [&opts, to](int index, std::mt19937_64&) {
    return plain_session(opts, index, to);
  });
}

int run_idle(const load_options& opts) {
  asio::io_context ctx{1};
  tally counts;
  std::vector<tcp::socket> held;
  held.reserve(static_cast<std::size_t>(opts.sessions));
  const run_start started;
  for (int i = 0; i < opts.sessions; ++i) {
    asio::co_spawn(ctx, idle_session(opts, i, counts, held), asio::detached);
  }
  run_until_done(ctx, counts, opts.sessions);
  const int status = report(counts, started);
  std::fflush(stdout);
  std::ofstream(opts.ready_file) << held.size() << '\n';
  // Hold the sessions until the script has read the relay's memory and
  // closes our stdin.
  std::string ignored;
  std::getline(std::cin, ignored);
  return status;
}

std::optional<int> number(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc{} && end == text.data() + text.size() && value > 0
             ? std::optional(value)
             : std::nullopt;
}

std::optional<load_options> parse(int argc, char** argv) {
  if (argc < 2) {
    return std::nullopt;
  }
  load_options opts;
  opts.mode = argv[1];
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const std::string_view value = argv[i + 1];
    if (flag == "--relay") {
      const auto colon = value.rfind(':');
      asio::error_code ec;
      const auto address = asio::ip::make_address(std::string(value.substr(0, colon)), ec);
      const auto port = number(value.substr(colon + 1));
      if (colon == std::string_view::npos || ec || !port) return std::nullopt;
      opts.relay = {address, static_cast<std::uint16_t>(*port)};
    } else if (flag == "--ready") {
      opts.ready_file = value;
    } else {
      const auto n = number(value);
      if (!n) return std::nullopt;
      if (flag == "--sessions") opts.sessions = *n;
      else if (flag == "--concurrency") opts.concurrency = *n;
      else if (flag == "--sources") opts.sources = *n;
      else return std::nullopt;
    }
  }
  return opts;
}

}  // namespace

int main(int argc, char** argv) {
  const auto opts = parse(argc, argv);
  if (!opts || (argc % 2) != 0) {
    std::fprintf(stderr, "relay_load: usage: relay_load verified|idle|plain [--relay ADDR:PORT] "
                         "[--sessions N] [--concurrency N] [--sources N] [--ready FILE]\n");
    return 2;
  }
  if (opts->mode == "verified") return run_verified(*opts);
  if (opts->mode == "plain") return run_plain(*opts);
  if (opts->mode == "idle" && !opts->ready_file.empty()) return run_idle(*opts);
  std::fprintf(stderr, "relay_load: unknown mode '%s' (or idle without --ready)\n", argv[1]);
  return 2;
}
