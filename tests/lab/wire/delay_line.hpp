// SPDX-License-Identifier: MIT
#pragma once
// The delay element of the lab's wire: a bounded, time-ordered queue of
// packets. Pure: the caller passes the clock in, so tests need no sleeping.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

namespace reachback::lab {

/// Limits that keep one direction of a wire bounded whatever the traffic.
struct delay_limits {
  std::size_t max_packets = 4096;       ///< packets waiting at most
  std::size_t max_bytes = 8U << 20U;    ///< bytes waiting at most
};

/// What happened to the packets offered to one delay line.
struct delay_counters {
  std::uint64_t queued = 0;     ///< accepted by push()
  std::uint64_t delivered = 0;  ///< handed out by pop_due()
  std::uint64_t overflow = 0;   ///< refused because a limit was reached
};

/// A FIFO of packets, each due `delay` after it was pushed. The delay is the
/// same for every packet and the clock is monotonic, so arrival order is
/// delivery order and the FIFO is time-ordered.
class delay_line {
 public:
  using clock = std::chrono::steady_clock;

  /// A line that holds every packet for `delay` (zero passes them straight on).
  explicit delay_line(clock::duration delay, delay_limits limits = {});

  /// Queues a copy of `packet`, due at `now + delay`; false when a limit
  /// would be exceeded (the packet is dropped and counted as overflow).
  bool push(std::span<const std::byte> packet, clock::time_point now);

  /// When the oldest packet falls due; nullopt when the line is empty.
  [[nodiscard]] std::optional<clock::time_point> next_due() const noexcept;

  /// Removes and returns the oldest packet when it is due at `now`.
  [[nodiscard]] std::optional<std::vector<std::byte>> pop_due(clock::time_point now);

  /// Packets waiting.
  [[nodiscard]] std::size_t size() const noexcept { return queue_.size(); }
  /// Bytes waiting.
  [[nodiscard]] std::size_t bytes() const noexcept { return bytes_; }
  /// Totals since construction.
  [[nodiscard]] const delay_counters& counters() const noexcept { return counters_; }

 private:
  struct entry {
    clock::time_point due;
    std::vector<std::byte> packet;
  };

  clock::duration delay_;
  delay_limits limits_;
  std::deque<entry> queue_;
  std::size_t bytes_ = 0;
  delay_counters counters_;
};

}  // namespace reachback::lab
