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
inline constexpr std::size_t max_payload = std::size_t{64} * 1024;
/// The relay's well-known control port.
inline constexpr std::uint16_t default_relay_port = 4750;
/// Bytes the agent listener writes, followed by the nonce and '\n', to prove
/// that the connect-back reached the client that asked for it.
inline constexpr std::string_view proof_prefix = "REACHBACK-PROOF ";
/// Bytes the relay writes on a connect-back the client asked to be greeted
/// on, followed by the nonce: the agent that reads them knows, without
/// another round trip, that the relay reached it.
inline constexpr std::string_view greeting_prefix = "REACHBACK-PROBE ";
/// Bytes the relay sends in a UDP probe datagram, followed by the nonce and
/// '\n'. The agent answers it with the proof line; an echo server sends it
/// back, which proves nothing.
inline constexpr std::string_view udp_probe_prefix = "REACHBACK-UDP-PROBE ";

/// The welcome's capabilities: what a relay offers; every welcome lists the
/// ones enabled. A client asks a relay without "udp_probe" for no UDP probe:
/// an older relay would answer bad_request.
inline constexpr std::string_view capability_connect_back = "connect_back";
inline constexpr std::string_view capability_udp_probe = "udp_probe";
inline constexpr std::string_view capability_ttl_sweep = "ttl_sweep";
inline constexpr std::string_view capability_syn_ttl = "syn_ttl";

/// The values of probe_request::protocol.
inline constexpr std::string_view protocol_tcp = "tcp";
inline constexpr std::string_view protocol_udp = "udp";

/// What the agent writes to prove `nonce`: proof_prefix, nonce, '\n'.
[[nodiscard]] std::string proof_line(std::string_view nonce);
/// What the relay writes to greet the agent: greeting_prefix, nonce, then
/// "\r\n\r\n". The empty line makes a line-based server such as HTTP answer
/// at once (nmap's GenericLines probe does the same), so a foreign server
/// that is not the agent leaves a banner.
[[nodiscard]] std::string greeting_line(std::string_view nonce);
/// The payload of the relay's UDP probe: udp_probe_prefix, nonce, '\n'.
[[nodiscard]] std::string udp_probe_line(std::string_view nonce);

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
  std::vector<std::string> capabilities;  ///< "connect_back", "udp_probe", "ttl_sweep", "syn_ttl"
  /// Routers between client and relay, from the TTL of the client's SYN.
  std::optional<int> client_hops;
  bool operator==(const welcome&) const = default;
};

/// Client -> relay. Deliberately has no address: the relay dials only the
/// control connection's source.
struct probe_request {
  /// protocol_tcp or protocol_udp. UDP has no handshake and no control
  /// probe: it ignores greet, early_result and control.
  std::string protocol = std::string(protocol_tcp);
  std::uint16_t port = 0;
  std::string nonce;  ///< 32 hex digits
  bool sweep = true;  ///< also run the TTL sweep
  /// The client's own agent listens on the port: greet the connect-back.
  bool greet = false;
  /// Send the probe_result at the handshake (`connected`) and who answered
  /// in a probe_answer after it. Without it, one probe_result holds both.
  bool early_result = false;
  /// Also probe a random port of the dynamic range at the same address
  /// (the control probe). A request without the field asks for none.
  bool control = true;
  bool operator==(const probe_request&) const = default;
};

/// Relay -> client, answer to probe_request, sent as soon as the connect-back
/// has its handshake outcome and the sweep is done.
struct probe_result {
  std::string nonce;
  connect_back_result connect_back;  ///< `connected` when a probe_answer follows
  std::optional<ttl_sweep> sweep;
  /// The control probe, when asked for.
  std::optional<control_probe_result> control;
  /// The control connection's smoothed RTT in ms, from which the relay set
  /// its waits; nullopt when the kernel had none.
  std::optional<double> rtt_ms;
  bool operator==(const probe_result&) const = default;
};

/// Relay -> client, after a probe_result whose connect-back is `connected`:
/// the same connect-back, now verified or foreign with what the peer sent.
/// The client need not wait for it.
struct probe_answer {
  std::string nonce;
  connect_back_result connect_back;
  bool operator==(const probe_answer&) const = default;
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

/// The wire type of each is its index + 1: append new messages at the end.
using message = std::variant<hello, welcome, probe_request, probe_result, error, probe_answer>;

}  // namespace reachback::protocol
