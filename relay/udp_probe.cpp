// SPDX-License-Identifier: MIT
#include "relay/udp_probe.hpp"

#include <optional>
#include <string_view>
#include <utility>

#include "common/elapsed.hpp"
#include "common/messages.hpp"
#include "relay/datagram_answer.hpp"
#include "relay/icmp_errors.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/probe_classify.hpp"
#include "relay/probe_socket.hpp"
#include "relay/proof.hpp"
#include "relay/sweep_plan.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;

namespace {

// Datagrams read per wake-up before waiting again: the socket takes any
// sender's datagrams, and a flood of them must not hold the event loop.
constexpr int max_reads_per_wakeup = 16;

/// One datagram sent and what came back for it, as the TCP classifiers
/// read it: `attempt.connected` means a datagram from the target arrived.
struct udp_exchange {
  probe_attempt attempt;
  std::optional<datagram_answer> answer;  ///< when attempt.connected
};

std::error_code open_udp_socket(udp::socket& socket, const udp::endpoint& target,
                                const asio::ip::address& source, std::optional<int> ttl) {
  if (auto ec = open_probe_socket(socket, target, source, ttl)) return ec;
  // Also for Asio: its synchronous receive would otherwise poll and block.
  asio::error_code ec;
  socket.non_blocking(true, ec);
  return ec;
}

// Opens `socket`: an exchange with nothing sent yet, or one that failed to
// open (a local failure whatever its error).
udp_exchange open_udp_probe(udp::socket& socket, const udp::endpoint& target,
                            const asio::ip::address& source, std::optional<int> ttl) {
  udp_exchange opened;
  opened.attempt.error = open_udp_socket(socket, target, source, ttl);
  opened.attempt.open_failed = static_cast<bool>(opened.attempt.error);
  return opened;
}

std::optional<queued_error> icmp_error_of(udp::socket& socket) {
  auto queued = read_icmp_error(socket.native_handle());
  if (queued && queued->from_icmp()) return queued;
  return std::nullopt;
}

// Reads what is waiting: an ICMP error first, then datagrams until one
// comes from the target. nullopt when neither is there yet.
std::optional<udp_exchange> read_waiting(udp::socket& socket, const udp::endpoint& target,
                                         std::string_view nonce) {
  udp_exchange heard;
  if ((heard.attempt.queued = icmp_error_of(socket))) return heard;
  std::array<char, max_banner> payload{};
  for (int i = 0; i < max_reads_per_wakeup; ++i) {
    udp::endpoint sender;
    asio::error_code ec;
    const auto n = socket.receive_from(asio::buffer(payload), sender, 0, ec);
    if (ec == asio::error::would_block) break;
    // Any other error is the pending ICMP error just read from the queue.
    if (ec) continue;
    if ((heard.answer = judge_datagram(sender, target, {payload.data(), n}, nonce))) {
      heard.attempt.connected = true;
      return heard;
    }
  }
  return std::nullopt;
}

// Waits for an answer to the datagrams sent; the caller's timer bounds it.
asio::awaitable<udp_exchange> hear_answer(udp::socket& socket, const udp::endpoint& target,
                                          const std::string& nonce) {
  for (;;) {
    // An ICMP error wakes a read wait too (EPOLLERR), so one wait sees both.
    const auto [ec] = co_await socket.async_wait(udp::socket::wait_read, use_nothrow);
    if (ec) co_return udp_exchange{};  // cancelled: the timer won
    if (auto heard = read_waiting(socket, target, nonce)) co_return std::move(*heard);
  }
}

// Sends one probe datagram and listens until `deadline`'s wait / `divisor`.
asio::awaitable<udp_exchange> send_and_listen(udp::socket& socket, const udp::endpoint& target,
                                              const std::string& nonce, probe_deadline deadline,
                                              int divisor) {
  const auto sent_at = steady_clock::now();
  const auto payload = protocol::udp_probe_line(nonce);
  udp_exchange out;
  asio::error_code ec;
  socket.send_to(asio::buffer(payload), target, 0, ec);
  if (ec) {
    // Refused by this host (no route, no buffer) or by an ICMP error the
    // socket still holds from an earlier datagram: the queue tells which.
    out.attempt.error = ec;
    out.attempt.queued = read_icmp_error(socket.native_handle());
  } else {
    auto heard = co_await (hear_answer(socket, target, nonce) ||
                           deadline.clock->wait_until(deadline.start, deadline.kind, divisor));
    if (heard.index() == 0) {
      out = std::move(std::get<0>(heard));
    } else if (!(out.attempt.queued = icmp_error_of(socket))) {
      // Only an ICMP error that raced the timer is still read: a datagram
      // now is late, as it would be for TCP.
      out.attempt.timed_out = true;
    }
  }
  out.attempt.elapsed_ms = ms_since(sent_at);
  co_return out;
}

void record_exchange(connect_back_result& result, const udp_exchange& heard) {
  if (heard.answer) {
    result.outcome = heard.answer->outcome;
    result.banner = heard.answer->banner;
    return;
  }
  const auto failure = classify_connect_failure(heard.attempt);
  result.outcome = failure.outcome;
  result.icmp = failure.icmp;
  if (failure.icmp) result.reply_ttl = heard.attempt.queued->arrival_ttl;
}

std::uint16_t local_port(const udp::socket& socket) {
  asio::error_code ec;
  return socket.local_endpoint(ec).port();
}

}  // namespace

asio::awaitable<or_local_failure<connect_back_result>> udp_probe_back(dial_route route,
                                                                     std::string nonce,
                                                                     probe_clock& clock) {
  const auto started = steady_clock::now();
  const udp::endpoint target(route.target.address(), route.target.port());
  connect_back_result result;
  result.dialed_address = address_text(target.address());
  result.port = target.port();

  udp::socket socket(co_await asio::this_coro::executor);
  auto heard = open_udp_probe(socket, target, route.source, std::nullopt);
  const probe_deadline deadline{&clock, &deadlines::connect, started};
  for (const int divisor : udp_listen_until_divisor) {
    if (heard.attempt.error) break;
    heard = co_await send_and_listen(socket, target, nonce, deadline, divisor);
    if (!heard.attempt.error) ++result.attempts;
    if (!heard.attempt.timed_out) break;
  }
  if (auto failed = local_failure_of(heard.attempt, "UDP probe")) co_return std::move(*failed);
  result.source_port = local_port(socket);
  record_exchange(result, heard);
  result.connect_ms = ms_since(started);
  result.total_ms = result.connect_ms;
  asio::error_code ignored;
  socket.close(ignored);
  co_return std::move(result);
}

asio::awaitable<or_local_failure<sweep_hop>> udp_ttl_probe(dial_route route, int ttl,
                                                           probe_clock& clock, std::string nonce) {
  const udp::endpoint target(route.target.address(), route.target.port());
  udp::socket socket(co_await asio::this_coro::executor);
  auto heard = open_udp_probe(socket, target, route.source, ttl);
  if (!heard.attempt.error) {
    heard = co_await send_and_listen(socket, target, nonce,
                                     {&clock, &deadlines::hop, steady_clock::now()}, 1);
  }
  asio::error_code ignored;
  socket.close(ignored);
  if (auto failed = local_failure_of(heard.attempt, sweep_part(ttl))) co_return std::move(*failed);
  co_return classify_sweep_probe(heard.attempt, ttl, address_text(target.address()),
                                 sweep_reply::udp_reply);
}

}  // namespace reachback::relay
