// SPDX-License-Identifier: MIT
#pragma once
// The temporary listener a free port gets: it accepts on every address
// (IPv4 and IPv6) and writes proof_prefix + nonce + '\n' to whoever connects,
// so the relay can tell our agent from anything else that answers.

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "common/asio_compat.hpp"

namespace reachback::client {

/// Like any Asio object: call it from the executor's thread, or while the
/// executor is not running.
class agent_listener {
 public:
  explicit agent_listener(asio::any_io_executor executor);
  ~agent_listener();
  agent_listener(const agent_listener&) = delete;
  agent_listener& operator=(const agent_listener&) = delete;

  /// Binds `port` on all addresses; an error (e.g. address_in_use) if not.
  /// Errors are Asio's: compare with asio::error::address_in_use.
  [[nodiscard]] std::error_code open(std::uint16_t port);
  /// Starts accepting; each connection gets the proof for `nonce`.
  void start(const std::string& nonce);
  /// Stops accepting and closes every socket.
  void close();
  /// Connections accepted so far.
  [[nodiscard]] int accepted() const noexcept;

 private:
  struct state;
  std::shared_ptr<state> state_;
};

}  // namespace reachback::client
