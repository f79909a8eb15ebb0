// SPDX-License-Identifier: MIT
#pragma once
// Protocol v1 messages (see PROTOCOL.md). Plain values; the codec turns them
// into frames and back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "evidence.hpp"

namespace reachback::protocol {

/// Version carried in every frame header.
inline constexpr std::uint8_t version = 1;
/// Frames whose payload is larger are rejected before they are buffered.
inline constexpr std::size_t max_payload = 64 * 1024;
/// The relay's well-known control port.
inline constexpr std::uint16_t default_relay_port = 4750;
/// Bytes the agent listener writes, followed by the nonce and '\n', to prove
/// that the connect-back reached the client that asked for it.
inline constexpr std::string_view proof_prefix = "REACHBACK-PROOF ";

/// Client -> relay, first frame.
struct hello {
  std::string client_version;
  std::optional<std::string> token;
  bool operator==(const hello&) const = default;
};

/// Relay -> client, answer to hello.
struct welcome {
  std::string observed_address;  ///< the client's address as the relay sees it
  std::uint16_t observed_port = 0;
  std::string relay_version;
  std::vector<std::string> capabilities;  ///< "connect_back", "ttl_sweep", "syn_ttl"
  /// Routers between client and relay, from the TTL of the client's SYN.
  std::optional<int> client_hops;
  bool operator==(const welcome&) const = default;
};

/// Client -> relay. Deliberately has no address: the relay dials only the
/// control connection's source.
struct probe_request {
  std::string protocol = "tcp";
  std::uint16_t port = 0;
  std::string nonce;  ///< 32 hex digits
  bool sweep = true;  ///< also run the TTL sweep
  bool operator==(const probe_request&) const = default;
};

/// Relay -> client, answer to probe_request.
struct probe_result {
  std::string nonce;
  connect_back_result connect_back;
  std::optional<ttl_sweep> sweep;
  bool operator==(const probe_result&) const = default;
};

/// Error codes that travel in error frames.
enum class wire_error {
  unsupported_version,
  unauthorized,
  rate_limited,
  too_many_sessions,
  bad_request,
  frame_too_large,
  idle_timeout,
  internal,
};
[[nodiscard]] std::string_view to_string(wire_error e) noexcept;
[[nodiscard]] std::optional<wire_error> wire_error_from_string(std::string_view s) noexcept;

/// Either side, then the sender closes.
struct error {
  wire_error code = wire_error::internal;
  std::string text;
  bool operator==(const error&) const = default;
};

using message = std::variant<hello, welcome, probe_request, probe_result, error>;

}  // namespace reachback::protocol
