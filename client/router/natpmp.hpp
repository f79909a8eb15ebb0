// SPDX-License-Identifier: MIT
#pragma once
// Pure NAT-PMP (RFC 6886): the requests a client sends to the gateway's
// UDP port 5351 and the parsers of its answers.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "common/evidence.hpp"

namespace reachback::router {

/// The gateway's NAT-PMP (and PCP) server port.
inline constexpr std::uint16_t natpmp_port = 5351;

/// The bit of the opcode byte that marks an answer: the request's opcode + 128.
/// PCP keeps it (RFC 6887 section 7.1); version 0 tells a NAT-PMP answer
/// from a PCP one (is_natpmp_answer).
inline constexpr std::uint8_t natpmp_response_bit = 0x80;

/// The protocol of a mapping request; the value is the request's opcode.
enum class natpmp_protocol : std::uint8_t { udp = 1, tcp = 2 };

/// The mapping request's protocol for the probed transport `t`.
[[nodiscard]] constexpr natpmp_protocol natpmp_protocol_of(transport t) noexcept {
  return t == transport::udp ? natpmp_protocol::udp : natpmp_protocol::tcp;
}

/// Result codes of RFC 6886 section 3.5.
enum class natpmp_result : std::uint16_t {
  success = 0,
  unsupported_version = 1,
  not_authorized = 2,  ///< "Not Authorized/Refused": NAT-PMP is turned off
  network_failure = 3,
  out_of_resources = 4,
  unsupported_opcode = 5,
};

/// The external address request: version 0, opcode 0.
[[nodiscard]] std::array<std::uint8_t, 2> natpmp_external_address_request() noexcept;

/// A mapping request (opcode 1 UDP, 2 TCP). A lifetime of 0 with a
/// suggested external port of 0 deletes the mapping; recommended lifetime
/// is 7200 s.
[[nodiscard]] std::array<std::uint8_t, 12> natpmp_map_request(natpmp_protocol protocol,
                                                              std::uint16_t internal_port,
                                                              std::uint16_t suggested_external_port,
                                                              std::uint32_t lifetime_seconds) noexcept;

/// The answer to an external address request.
struct natpmp_external_address_response {
  std::uint16_t result_code = 0;
  std::uint32_t epoch_seconds = 0;  ///< seconds since the gateway's mapping table started
  /// Dotted IPv4; empty unless result_code is 0. "0.0.0.0" is a real answer:
  /// the gateway has no external address (yet).
  std::string external_address;
  bool operator==(const natpmp_external_address_response&) const = default;
};

/// The answer to a mapping request.
struct natpmp_map_response {
  natpmp_protocol protocol = natpmp_protocol::tcp;
  std::uint16_t result_code = 0;
  std::uint32_t epoch_seconds = 0;
  /// 0 unless result_code is 0.
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;
  std::uint32_t lifetime_seconds = 0;
  bool operator==(const natpmp_map_response&) const = default;
};

/// Parses an answer with version 0 and opcode 128: 12 bytes on success. An
/// error answer may be only the 8-byte header (version, opcode, result code,
/// epoch), as the RFC's "unsupported version" answer is. nullopt for another
/// version or opcode or a short datagram; extra bytes are ignored.
[[nodiscard]] std::optional<natpmp_external_address_response> parse_natpmp_external_address_response(
    std::span<const std::uint8_t> datagram);

/// Parses an answer with version 0 and opcode 129 (UDP) or 130 (TCP): 16
/// bytes on success, 8 or more on an error. nullopt otherwise.
[[nodiscard]] std::optional<natpmp_map_response> parse_natpmp_map_response(
    std::span<const std::uint8_t> datagram);

/// "SUCCESS", "UNSUPPORTED_VERSION", "NOT_AUTHORIZED", "NETWORK_FAILURE",
/// "OUT_OF_RESOURCES", "UNSUPPORTED_OPCODE", or "result <code>".
[[nodiscard]] std::string natpmp_result_name(std::uint16_t code);

}  // namespace reachback::router
