// SPDX-License-Identifier: MIT
#include "client/hairpin_probe.hpp"

#include <tuple>
#include <utility>
#include <variant>

#include "common/address.hpp"
#include "common/elapsed.hpp"

namespace reachback::client {
namespace {

using asio::ip::tcp;
using asio::ip::udp;
using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

/// How far the connection got: filled in as it goes, so the deadline
/// leaves what was reached.
struct attempt {
  std::error_code connect_error;
  bool connected = false;
  std::string received;
};

/// Connects, then reads `want` bytes (the proof) or until the peer closes.
asio::awaitable<void> connect_and_read(tcp::socket& socket, tcp::endpoint target, std::size_t want, attempt& a) {
  auto [connect_error] = co_await socket.async_connect(target, use_nothrow);
  a.connect_error = connect_error;
  if (connect_error) co_return;
  a.connected = true;
  if (want == 0) co_return;
  std::string buffer(want, '\0');
  auto [read_error, n] = co_await asio::async_read(socket, asio::buffer(buffer), use_nothrow);
  a.received = buffer.substr(0, n);
}

// Largest datagram read back: more than the proof line, so a longer one
// is told apart from it.
constexpr std::size_t datagram_room = 512;

/// Sends the datagram from a fresh ephemeral port and reads one datagram
/// back. The socket is connected, so only the target's answers are read,
/// and the ICMP port unreachable it may send ends the read with an error.
asio::awaitable<void> send_and_receive(udp::socket& socket, udp::endpoint target, const std::string& datagram,
                                       attempt& a) {
  std::error_code ec;
  socket.open(target.protocol(), ec);
  if (!ec) socket.connect(target, ec);
  if (!ec) std::tie(ec, std::ignore) = co_await socket.async_send(asio::buffer(datagram), use_nothrow);
  if (ec) {
    a.connect_error = ec;
    co_return;
  }
  std::string buffer(datagram_room, '\0');
  auto [read_error, n] = co_await socket.async_receive(asio::buffer(buffer), use_nothrow);
  a.connect_error = read_error;
  if (read_error) co_return;
  a.connected = true;
  a.received = buffer.substr(0, n);
}

hairpin_outcome outcome_of(const attempt& a, bool timed_out, const std::string& expected_proof) {
  if (!a.connected) return timed_out ? hairpin_outcome::timeout : failed_connect_outcome(a.connect_error);
  if (expected_proof.empty()) return hairpin_outcome::connected;
  return a.received == expected_proof ? hairpin_outcome::looped_back : hairpin_outcome::other_peer;
}

}  // namespace

hairpin_outcome failed_connect_outcome(const std::error_code& ec) {
  if (ec == asio::error::connection_refused || ec == asio::error::connection_reset) return hairpin_outcome::refused;
  if (ec == asio::error::host_unreachable || ec == asio::error::network_unreachable)
    return hairpin_outcome::unreachable;
  if (ec == asio::error::timed_out) return hairpin_outcome::timeout;
  return hairpin_outcome::failed;
}

asio::awaitable<hairpin_evidence> probe_hairpin(hairpin_target target, std::chrono::milliseconds deadline) {
  hairpin_evidence evidence;
  evidence.target = format_endpoint(target.address, target.port);
  std::error_code ec;
  const auto address = asio::ip::make_address(target.address, ec);
  if (ec) {
    evidence.error = "not an IP address: " + target.address;
    co_return evidence;
  }
  attempt a;
  const auto start = clock::now();
  const auto executor = co_await asio::this_coro::executor;
  tcp::socket stream(executor);
  udp::socket datagrams(executor);
  std::variant<std::monostate, std::monostate> first;
  if (target.protocol == transport::udp) {
    first = co_await (send_and_receive(datagrams, {address, target.port}, target.datagram, a) ||
                      expire_after(deadline));
  } else {
    first = co_await (connect_and_read(stream, {address, target.port}, target.expected_proof.size(), a) ||
                      expire_after(deadline));
  }
  evidence.elapsed_ms = ms_since(start);
  evidence.outcome = outcome_of(a, first.index() == 1, target.expected_proof);
  if (evidence.outcome == hairpin_outcome::unreachable || evidence.outcome == hairpin_outcome::failed)
    evidence.error = a.connect_error.message();
  co_return evidence;
}

hairpin_evidence run_hairpin_probe(asio::io_context& ctx, hairpin_target target, std::chrono::milliseconds deadline) {
  return run_until_done(ctx, probe_hairpin(std::move(target), deadline));
}

}  // namespace reachback::client
