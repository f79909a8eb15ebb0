// SPDX-License-Identifier: MIT
#pragma once
// The hairpin test's connection: from this host to its own public address
// and port, once, with a short deadline, to see whether the NAT holding the
// address loops it back in (NAT loopback). For UDP one datagram, from an
// ephemeral port (never the probed one), and the wait for one back.
// Portable Asio; the finding is the engine's (common/verdict_hairpin.hpp).

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

#include "common/asio_compat.hpp"
#include "common/evidence.hpp"

namespace reachback::client {

/// Where the hairpin test connects, and how it knows it came back.
struct hairpin_target {
  std::string address;  ///< the public address, as the relay saw it
  std::uint16_t port = 0;
  /// What probe-client's own listener on the port writes first
  /// (protocol::proof_line for the run's nonce): only that proves the
  /// connection came back to this host. "" when the user's server holds
  /// the port, and nothing can prove who accepted.
  std::string expected_proof;
  transport protocol = transport::tcp;
  /// UDP: the datagram sent (protocol::udp_probe_line for the run's nonce,
  /// which our agent answers with the proof).
  std::string datagram;
};

/// The outcome of a connection attempt that failed with `ec`: a reset (for
/// UDP an ICMP port unreachable, which Linux reports as a refusal and
/// Windows as a reset), an unreachable host or network, a timeout, or a
/// failure on this host.
[[nodiscard]] hairpin_outcome failed_connect_outcome(const std::error_code& ec);

/// Connects to the target and, with an expected proof, reads it; all within
/// `deadline`. A peer that accepts but does not send the proof is another
/// device (the router's own web interface, say), never this host. For UDP:
/// sends the datagram and reads one back; "accepts" is any datagram back.
[[nodiscard]] asio::awaitable<hairpin_evidence> probe_hairpin(hairpin_target target,
                                                              std::chrono::milliseconds deadline);

/// Runs probe_hairpin on `ctx`, where probe-client's own listener accepts,
/// until it ends (the deadline bounds it), and leaves `ctx` stopped.
[[nodiscard]] hairpin_evidence run_hairpin_probe(asio::io_context& ctx, hairpin_target target,
                                                 std::chrono::milliseconds deadline);

}  // namespace reachback::client
