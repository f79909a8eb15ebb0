// SPDX-License-Identifier: MIT
#pragma once
// The temporary listener a free port gets: it accepts on every address
// (IPv4 and IPv6) and writes the proof line for the nonce to whoever
// connects, so the relay can tell our agent from anything else that answers.
// It also reads the relay's greeting, so the client knows it was reached as
// soon as the relay does (protocol::greeting_line).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "client/agent_nonces.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {

/// Like any Asio object: call it from the executor's thread, or while the
/// executor is not running.
class agent_listener {
 public:
  explicit agent_listener(const asio::any_io_executor& executor);
  ~agent_listener();
  agent_listener(const agent_listener&) = delete;
  agent_listener& operator=(const agent_listener&) = delete;

  /// Binds `port` on all addresses; an error (e.g. address_in_use) if not.
  /// Errors are Asio's: compare with asio::error::address_in_use.
  [[nodiscard]] std::error_code open(std::uint16_t port);
  /// Starts accepting; each connection gets the proof for `nonce`.
  void start(const std::string& nonce);
  /// Starts accepting; each connection gets the proof for its family's nonce.
  void start(const agent_nonces& nonces);
  /// Completes once a connection over `family` (either, when unset) brought
  /// the greeting for its nonce (true), or when the listener closes (false
  /// then, unless it was greeted before).
  [[nodiscard]] asio::awaitable<bool> greeted(std::optional<ip_family> family = std::nullopt);
  /// Stops accepting and closes every socket.
  void close();
  /// Connections accepted so far.
  [[nodiscard]] int accepted() const noexcept;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace reachback::client
