// SPDX-License-Identifier: MIT
// Issue 10's port exhaustion attack: 10 sources × 20 probes, all at once,
// against a port that completes every handshake but never accepts, while
// the relay's ephemeral range holds 1,000 ports. Each probe must come back
// as what the network did (the connect-back reached a silent peer) or as
// an `internal` error; never as `unreachable` from source port 0, which is
// the relay's own shortage passed off as a network verdict.
//
// tests/lab/relay_port_exhaustion.sh runs it inside a network namespace of
// its own with that range; anywhere else it fails at once, since a wide
// range would exhaust nothing and prove nothing.
#include "loopback_harness.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "common/codec.hpp"
#include "common/evidence_json.hpp"
#include "relay/io_timeouts.hpp"

namespace reachback::relay::test {
namespace {

constexpr int sources = 10;
constexpr int probes_per_source = 20;
constexpr int widest_range = 1'000;

/// Ports in net.ipv4.ip_local_port_range of this namespace.
int local_port_range_size() {
  std::ifstream file("/proc/sys/net/ipv4/ip_local_port_range");
  int first = 0;
  int last = -1;
  file >> first >> last;
  return last - first + 1;
}

/// 127.0.0.1 .. 127.0.0.10: ten sources, one loopback.
asio::ip::address source_address(int index) {
  return asio::ip::make_address_v4(0x7f000001U + static_cast<unsigned>(index));
}

/// A port on `address` whose kernel completes every handshake into a
/// queue nobody accepts from: the peer stays silent and never closes, so
/// every connection the relay closes gracefully waits in FIN-WAIT-2.
class never_accepting {
 public:
  never_accepting(asio::io_context& ctx, asio::ip::address address) : acceptor_(ctx) {
    const tcp::endpoint where(address, 0);
    acceptor_.open(where.protocol());
    acceptor_.bind(where);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  tcp::acceptor acceptor_;
};

/// The attacker's control connection from `source`. Its port is chosen at
/// connect, per destination, so the attacker does not take the relay's
/// ports from the shared range: only the relay's own use should exhaust it.
asio::awaitable<tcp::socket> connect_from(tcp::endpoint relay, asio::ip::address source) {
  tcp::socket socket(co_await asio::this_coro::executor);
  socket.open(relay.protocol());
  const int on = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on, sizeof on);
  socket.bind(tcp::endpoint(source, 0));
  co_await socket.async_connect(relay, asio::use_awaitable);
  co_return socket;
}

// Every probe its own nonce: the relay refuses one it has probed with.
std::string attack_frame(std::uint16_t port, int probe) {
  return protocol::encode(protocol::probe_request{.protocol = "tcp",
                                                  .port = port,
                                                  .nonce = numbered_nonce(probe),
                                                  .sweep = true,
                                                  .control = true});
}

/// How one probe came back.
enum class answer_kind {
  network,        ///< a probe_result that only the network explains
  internal,       ///< an `internal` error frame: the relay said it failed
  false_outcome,  ///< a probe_result with a local failure dressed as the network's
  other,          ///< no reply, or another error frame
};

std::string_view kind_name(answer_kind kind) {
  switch (kind) {
    case answer_kind::network: return "network";
    case answer_kind::internal: return "internal";
    case answer_kind::false_outcome: return "false";
    case answer_kind::other: return "other";
  }
  return "?";
}

/// Loopback has no routers: an `unreachable` without ICMP can only be a
/// local failure, and so can a connect-back that sent no SYN (port 0).
bool looks_local(const protocol::probe_result& result) {
  const auto& back = result.connect_back;
  if (back.source_port == 0) return true;
  if (back.outcome == connect_outcome::unreachable && !back.icmp) return true;
  if (result.control && result.control->outcome == connect_outcome::unreachable &&
      !result.control->icmp)
    return true;
  if (!result.sweep) return false;
  for (const auto& hop : result.sweep->hops)
    if (hop.reply == sweep_reply::unreachable && !hop.icmp) return true;
  return false;
}

answer_kind kind_of(const std::optional<protocol::message>& reply) {
  if (const auto* result = as<protocol::probe_result>(reply))
    return looks_local(*result) ? answer_kind::false_outcome : answer_kind::network;
  if (const auto* error = as<protocol::error>(reply))
    return error->code == protocol::wire_error::internal ? answer_kind::internal : answer_kind::other;
  return answer_kind::other;
}

asio::awaitable<void> attack_once(tcp::endpoint relay, asio::ip::address source,
                                  std::uint16_t port, int probe, std::map<answer_kind, int>& tally,
                                  std::vector<std::string>& samples) {
  // Named values only: g++ 12 may destroy a temporary of a co_await
  // expression twice, and miscompiles a co_await inside a condition.
  auto socket = co_await connect_from(relay, source);
  auto frames = hello_frame() + attack_frame(port, probe);
  co_await send_bytes(socket, std::move(frames));
  std::string input;
  auto reply = co_await receive(socket, input, 10s);  // the welcome
  if (as<protocol::welcome>(reply) != nullptr) reply = co_await receive(socket, input, 20s);
  const auto kind = kind_of(reply);
  ++tally[kind];
  if (kind == answer_kind::false_outcome && samples.size() < 3) {
    const auto& back = std::get<protocol::probe_result>(*reply).connect_back;
    samples.push_back(std::string(to_string(back.outcome)) + " from source port " +
                      std::to_string(back.source_port));
  }
  if (kind == answer_kind::other && samples.size() < 3) {
    const auto* error = as<protocol::error>(reply);
    samples.push_back(error ? "error " + error->text : "no reply");
  }
}

// Every probe of the attack runs at once, on the relay's own io_context.
asio::awaitable<void> attack(tcp::endpoint relay, const std::vector<std::uint16_t>& ports,
                             std::map<answer_kind, int>& tally, std::vector<std::string>& samples) {
  const auto executor = co_await asio::this_coro::executor;
  int finished = 0;
  asio::steady_timer all_done(executor, steady_clock::time_point::max());
  for (int s = 0; s < sources; ++s) {
    for (int p = 0; p < probes_per_source; ++p) {
      asio::co_spawn(executor,
                     attack_once(relay, source_address(s), ports[static_cast<std::size_t>(s)],
                                 s * probes_per_source + p, tally, samples),
                     [&](const std::exception_ptr& e) {
                       if (e) samples.emplace_back("an attack session failed to connect");
                       if (++finished == sources * probes_per_source) all_done.cancel();
                     });
    }
  }
  co_await all_done.async_wait(use_nothrow);
}

config::relay_config attacked_relay() {
  auto config = loopback_config();
  // Room for the whole attack: only ports may run out, never sessions.
  config.limits.sessions_per_ip = probes_per_source;
  config.limits.probes_per_minute = probes_per_source;
  config.limits.sessions_total = sources * probes_per_source;
  config.timeouts.session = 30'000ms;
  config.timeouts.idle = 10'000ms;
  // The defaults that made each probe hold about 17 ports.
  config.sweep.max_ttl = 16;
  config.sweep.retries = 1;
  return config;
}

TEST(PortExhaustion, TenSourcesTimesTwentyProbesGiveNoFalseOutcome) {
  ASSERT_LE(local_port_range_size(), widest_range)
      << "run through tests/lab/relay_port_exhaustion.sh, which narrows the ephemeral range";
  loopback_relay relay(attacked_relay());
  std::vector<never_accepting> targets;
  std::vector<std::uint16_t> ports;
  for (int s = 0; s < sources; ++s) {
    ports.push_back(targets.emplace_back(relay.context(), source_address(s)).port());
  }
  std::map<answer_kind, int> tally;
  std::vector<std::string> samples;
  ASSERT_TRUE(relay.run(attack(relay.endpoint(), ports, tally, samples), 60s));

  std::string counts;
  for (const auto& [kind, count] : tally) counts += " " + std::string(kind_name(kind)) + "=" + std::to_string(count);
  std::cout << "port exhaustion: " << sources * probes_per_source << " probes:" << counts << "\n";
  for (const auto& sample : samples) std::cout << "  e.g. " << sample << "\n";
  EXPECT_EQ(tally[answer_kind::false_outcome], 0);
  EXPECT_EQ(tally[answer_kind::other], 0);
  EXPECT_EQ(tally[answer_kind::network] + tally[answer_kind::internal], sources * probes_per_source);
}

}  // namespace
}  // namespace reachback::relay::test
