// SPDX-License-Identifier: MIT
#pragma once
// Watches the relay's SYNs (or UDP probes) arrive at this host and what this
// host answered, even when the host firewall drops them (needs CAP_NET_RAW).

#include <cstdint>
#include <memory>
#include <string>

#include "common/evidence.hpp"

namespace reachback::client::platform {

class packet_capture {
 public:
  packet_capture();
  ~packet_capture();
  packet_capture(const packet_capture&) = delete;
  packet_capture& operator=(const packet_capture&) = delete;

  /// Starts watching `protocol` between `relay_address` and this host, on
  /// any local port (a forward to the wrong port must show up): for UDP the
  /// relay's datagrams, this host's datagrams back and its ICMP port
  /// unreachables. If the capability is missing, evidence() says so and how
  /// to get it.
  void start(const std::string& relay_address, transport protocol = transport::tcp);
  /// What was seen so far, including every packet the kernel queued before
  /// the call; the capture goes on. Safe from any thread.
  [[nodiscard]] capture_evidence peek(std::uint16_t expected_port);
  /// Stops and returns what was seen. Never guesses: unavailable is unavailable.
  [[nodiscard]] capture_evidence finish(std::uint16_t expected_port);

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace reachback::client::platform
