// SPDX-License-Identifier: MIT
#include "delay_line.hpp"

namespace reachback::lab {

delay_line::delay_line(clock::duration delay, delay_limits limits)
    : delay_{delay}, limits_{limits} {}

bool delay_line::push(std::span<const std::byte> packet, clock::time_point now) {
  if (queue_.size() >= limits_.max_packets || bytes_ + packet.size() > limits_.max_bytes) {
    ++counters_.overflow;
    return false;
  }
  queue_.push_back(entry{now + delay_, {packet.begin(), packet.end()}});
  bytes_ += packet.size();
  ++counters_.queued;
  return true;
}

std::optional<delay_line::clock::time_point> delay_line::next_due() const noexcept {
  if (queue_.empty()) {
    return std::nullopt;
  }
  return queue_.front().due;
}

std::optional<std::vector<std::byte>> delay_line::pop_due(clock::time_point now) {
  if (queue_.empty() || queue_.front().due > now) {
    return std::nullopt;
  }
  std::vector<std::byte> packet = std::move(queue_.front().packet);
  queue_.pop_front();
  bytes_ -= packet.size();
  ++counters_.delivered;
  return packet;
}

}  // namespace reachback::lab
