// SPDX-License-Identifier: MIT
#pragma once
// The UDP agent a free port gets with --udp: it binds the port on every
// address (IPv4 and IPv6) and answers the relay's probe datagram
// (protocol::udp_probe_line) with the proof line, to its source. It sends
// nothing else, ever: a datagram from the probed port before the probe
// would open a NAT mapping and turn a closed port into a false reachable.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "client/agent_nonces.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {

/// Pure: what the agent sends back for one received datagram: the proof for
/// `nonce` when the datagram is exactly the probe line for it; nullopt (send
/// nothing) for anything else.
[[nodiscard]] std::optional<std::string> udp_agent_reply(std::string_view datagram, std::string_view nonce);

/// Like any Asio object: call it from the executor's thread, or while the
/// executor is not running.
class udp_agent {
 public:
  /// Proofs sent at most: the relay sends its probe up to 3 times and the
  /// hairpin test once; past this the agent only reads.
  static constexpr int max_replies = 16;
  /// Datagrams read at most; past this the agent stops reading, so a flood
  /// cannot keep it busy.
  static constexpr int max_datagrams = 1024;

  explicit udp_agent(const asio::any_io_executor& executor);
  ~udp_agent();
  udp_agent(const udp_agent&) = delete;
  udp_agent& operator=(const udp_agent&) = delete;

  /// Binds `port` on all addresses; an error (e.g. address_in_use) if not.
  [[nodiscard]] std::error_code open(std::uint16_t port);
  /// Starts answering the probe for `nonce`.
  void start(const std::string& nonce);
  /// Starts answering each family's probe for its own nonce.
  void start(const agent_nonces& nonces);
  /// Stops and closes the socket.
  void close();
  /// Proofs sent so far.
  [[nodiscard]] int replies() const noexcept;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace reachback::client
