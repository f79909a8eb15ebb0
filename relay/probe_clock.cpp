// SPDX-License-Identifier: MIT
#include "relay/probe_clock.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <utility>

namespace reachback::relay {

std::optional<std::chrono::microseconds> smoothed_rtt(asio::ip::tcp::socket& socket) noexcept {
  tcp_info info{};
  auto length = static_cast<socklen_t>(sizeof info);
  if (::getsockopt(socket.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &length) != 0) {
    return std::nullopt;
  }
  // The kernel keeps 0 until its first sample; a real sample is at least 1 µs.
  if (info.tcpi_rtt == 0) return std::nullopt;
  return std::chrono::microseconds(info.tcpi_rtt);
}

rtt_reader rtt_of(asio::ip::tcp::socket& socket) {
  return [&socket] { return smoothed_rtt(socket); };
}

probe_clock::probe_clock(deadlines fixed) noexcept : poll_(rtt_poll_interval), current_(fixed) {}

probe_clock::probe_clock(deadline_limits limits, rtt_reader read_rtt, std::chrono::milliseconds poll)
    : limits_(limits),
      read_rtt_(std::move(read_rtt)),
      poll_(std::max(poll, std::chrono::milliseconds(1))),
      current_(wait_for(std::nullopt, limits)) {
  ask();
}

void probe_clock::ask() {
  if (rtt_ || !read_rtt_) return;
  rtt_ = read_rtt_();
  if (rtt_) current_ = wait_for(rtt_, limits_);
}

const deadlines& probe_clock::current() {
  ask();
  return current_;
}

asio::awaitable<void> probe_clock::wait_until(steady_clock::time_point start, wait_kind kind,
                                              int divisor) {
  for (;;) {
    const auto due = start + (current().*kind) / std::max(divisor, 1);
    const auto now = steady_clock::now();
    if (now >= due) co_return;
    steady_clock::duration slice = due - now;
    if (!rtt_ && read_rtt_) slice = std::min<steady_clock::duration>(slice, poll_);
    co_await expire_after(slice);
    // expire_after returns at once when cancelled: stop rather than spin.
    const auto cancelled = (co_await asio::this_coro::cancellation_state).cancelled();
    if (cancelled != asio::cancellation_type::none) co_return;
  }
}

}  // namespace reachback::relay
