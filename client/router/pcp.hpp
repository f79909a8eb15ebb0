// SPDX-License-Identifier: MIT
#pragma once
// Pure PCP (RFC 6887, version 2): the ANNOUNCE and MAP requests a client
// sends to the gateway's UDP port 5351 and the parser of the answers.
// Addresses travel as 16 bytes, an IPv4 address as ::ffff:a.b.c.d.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/evidence.hpp"

namespace reachback::router {

/// The PCP version spoken here.
inline constexpr std::uint8_t pcp_version = 2;
/// The longest PCP message (RFC 6887 section 7).
inline constexpr std::size_t max_pcp_message = 1100;
/// The common request and answer header.
inline constexpr std::size_t pcp_header_size = 24;
inline constexpr std::size_t pcp_map_message_size = 60;  ///< header plus MAP's 36 bytes
/// IANA protocol numbers for pcp_map_request_args::protocol.
inline constexpr std::uint8_t pcp_protocol_tcp = 6;
inline constexpr std::uint8_t pcp_protocol_udp = 17;

/// The MAP request's protocol number for the probed transport `t`.
[[nodiscard]] constexpr std::uint8_t pcp_protocol_of(transport t) noexcept {
  return t == transport::udp ? pcp_protocol_udp : pcp_protocol_tcp;
}

/// Opcodes, without the R (response) bit.
enum class pcp_opcode : std::uint8_t { announce = 0, map = 1, peer = 2 };

/// Result codes of RFC 6887 section 7.4.
enum class pcp_result : std::uint8_t {
  success = 0,
  unsupp_version = 1,
  not_authorized = 2,
  malformed_request = 3,
  unsupp_opcode = 4,
  unsupp_option = 5,
  malformed_option = 6,
  network_failure = 7,
  no_resources = 8,
  unsupp_protocol = 9,
  user_ex_quota = 10,
  cannot_provide_external = 11,
  address_mismatch = 12,
  excessive_remote_peers = 13,
};

/// A MAP's 96-bit nonce: random per mapping, echoed by the server.
using pcp_nonce = std::array<std::uint8_t, 12>;

/// An ANNOUNCE request (opcode 0, lifetime 0) from `client_address`, the
/// source address of the datagram ("192.168.1.23" or an IPv6 literal).
/// nullopt when that is no IP literal.
[[nodiscard]] std::optional<std::array<std::uint8_t, pcp_header_size>> pcp_announce_request(
    std::string_view client_address);

/// What a MAP request asks for.
struct pcp_map_request_args {
  std::string client_address;  ///< the datagram's source address
  pcp_nonce nonce{};
  std::uint8_t protocol = pcp_protocol_tcp;
  std::uint16_t internal_port = 0;
  std::uint16_t suggested_external_port = 0;  ///< 0: no preference
  /// Empty: no preference, sent as ::ffff:0.0.0.0 for an IPv4 client and
  /// :: for an IPv6 one, as RFC 6887 section 11.1 asks.
  std::string suggested_external_address;
  std::uint32_t lifetime_seconds = 7200;  ///< 0 deletes the mapping
};

/// A MAP request (opcode 1). nullopt when an address is no IP literal.
[[nodiscard]] std::optional<std::array<std::uint8_t, pcp_map_message_size>> pcp_map_request(
    const pcp_map_request_args& args);

/// MAP's own fields of an answer.
struct pcp_map_fields {
  pcp_nonce nonce{};
  std::uint8_t protocol = 0;
  std::uint16_t internal_port = 0;
  std::uint16_t external_port = 0;  ///< assigned
  /// Assigned; dotted IPv4 when IPv4-mapped, else IPv6 text.
  std::string external_address;
  bool operator==(const pcp_map_fields&) const = default;
};

/// A PCP answer.
struct pcp_response {
  /// 2, or in an UNSUPP_VERSION answer the version the server speaks.
  std::uint8_t version = pcp_version;
  std::uint8_t opcode = 0;  ///< without the R bit
  std::uint8_t result_code = 0;
  std::uint32_t lifetime_seconds = 0;  ///< of the mapping, or of an error (how long it lasts)
  std::uint32_t epoch_seconds = 0;
  /// For a version-2 MAP answer of 60 bytes or more; an error answer
  /// carries the request's fields back, which still match the nonce.
  std::optional<pcp_map_fields> map;
  bool operator==(const pcp_response&) const = default;
};

/// Parses an answer: 24 to 1100 bytes with the R bit set and a version
/// other than 0. nullopt otherwise, among them a NAT-PMP server's
/// "unsupported version" answer (see is_natpmp_answer).
[[nodiscard]] std::optional<pcp_response> parse_pcp_response(std::span<const std::uint8_t> datagram);

/// Whether `datagram` is a NAT-PMP answer (version 0, R bit set): what a
/// server that speaks only NAT-PMP sends back to a PCP request (RFC 6887
/// section 9). The client then falls back to NAT-PMP.
[[nodiscard]] bool is_natpmp_answer(std::span<const std::uint8_t> datagram) noexcept;

/// "SUCCESS", "UNSUPP_VERSION", ... "EXCESSIVE_REMOTE_PEERS", or "result <code>".
[[nodiscard]] std::string pcp_result_name(std::uint8_t code);

}  // namespace reachback::router
