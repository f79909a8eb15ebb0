// SPDX-License-Identifier: MIT
#pragma once
// The waits of one probe, set from the control connection's RTT. With TCP
// Fast Open the probe request arrives in the client's SYN, before the
// kernel has measured the connection's RTT (it does so when the handshake's
// last ACK arrives, one round trip later). So the probe starts with the
// waits for an unknown RTT, every wait keeps asking for the RTT, and the
// first sample sets the waits of every wait still running.

#include <chrono>
#include <functional>
#include <optional>

#include "common/asio_compat.hpp"

#include "relay/deadlines.hpp"
#include "relay/io_timeouts.hpp"

namespace reachback::relay {

/// The control connection's smoothed RTT; nullopt until the kernel has one.
using rtt_reader = std::function<std::optional<std::chrono::microseconds>()>;

/// The smoothed RTT of `socket` (TCP_INFO's tcpi_rtt). nullopt while the
/// kernel has no sample yet (a Fast Open connection before its handshake's
/// last ACK) and when the socket cannot be asked.
[[nodiscard]] std::optional<std::chrono::microseconds> smoothed_rtt(
    asio::ip::tcp::socket& socket) noexcept;

/// A reader of smoothed_rtt(socket); `socket` must outlive it.
[[nodiscard]] rtt_reader rtt_of(asio::ip::tcp::socket& socket);

/// One of the waits in `deadlines`: &deadlines::connect or &deadlines::hop.
using wait_kind = std::chrono::milliseconds deadlines::*;

/// How often a running wait asks for the RTT until it has one.
inline constexpr std::chrono::milliseconds rtt_poll_interval{10};

/// The waits of one probe, refined once, when the RTT becomes known.
class probe_clock {
 public:
  /// Waits that never change.
  explicit probe_clock(deadlines fixed) noexcept;
  /// wait_for(RTT, limits), with the RTT from `read_rtt`: asked now and,
  /// until it has one, every `poll` by each running wait.
  probe_clock(deadline_limits limits, rtt_reader read_rtt,
              std::chrono::milliseconds poll = rtt_poll_interval);

  /// The waits as they stand (asks for the RTT when it is still unknown).
  [[nodiscard]] const deadlines& current();
  /// The RTT the waits come from; nullopt while unknown.
  [[nodiscard]] std::optional<std::chrono::microseconds> rtt() const noexcept { return rtt_; }

  /// Completes at `start` + current().*kind / divisor, following a
  /// refinement that moves it either way, or at once when cancelled.
  [[nodiscard]] asio::awaitable<void> wait_until(steady_clock::time_point start, wait_kind kind,
                                                 int divisor = 1);

 private:
  void ask();

  deadline_limits limits_;
  rtt_reader read_rtt_;
  std::chrono::milliseconds poll_;
  std::optional<std::chrono::microseconds> rtt_;
  deadlines current_;
};

/// A deadline on a probe's clock: `start` + the clock's wait `kind`.
struct probe_deadline {
  probe_clock* clock = nullptr;
  wait_kind kind = &deadlines::connect;
  steady_clock::time_point start;
};

}  // namespace reachback::relay
