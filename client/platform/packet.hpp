// SPDX-License-Identifier: MIT
#pragma once
// Pure packet work for the capture: the addresses, ports and flags of a TCP
// segment in an IP packet, or the ports of a UDP datagram or of the datagram
// an ICMP port unreachable quotes, and the bookkeeping that turns what was
// seen between the relay and this host into capture_evidence.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "client/platform/ip_literal.hpp"
#include "common/evidence.hpp"

namespace reachback::client::platform {

/// TCP header flag bits (byte 13 of the header).
inline constexpr std::uint8_t tcp_fin = 0x01;
inline constexpr std::uint8_t tcp_syn = 0x02;
inline constexpr std::uint8_t tcp_rst = 0x04;
inline constexpr std::uint8_t tcp_ack = 0x10;

/// The parts of a TCP segment the capture looks at.
struct tcp_packet {
  ip_literal src;
  ip_literal dst;
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  std::uint8_t flags = 0;
  bool operator==(const tcp_packet&) const = default;
};

/// Parses an IPv4 or IPv6 packet starting at the IP header. nullopt unless it
/// is TCP with the first 14 bytes of the TCP header present; IPv4 fragments
/// other than the first and IPv6 extension headers are not followed.
[[nodiscard]] std::optional<tcp_packet> parse_tcp_packet(std::span<const std::uint8_t> packet);

/// A UDP datagram, or an ICMP port unreachable (ICMPv4 3/3, ICMPv6 1/4)
/// that quotes one.
struct udp_packet {
  ip_literal src;  ///< the IP packet's: for ICMP, who sent the error
  ip_literal dst;
  /// The datagram's ports; for ICMP those of the quoted datagram, which
  /// went the other way: sport is the port the refused datagram came from.
  std::uint16_t sport = 0;
  std::uint16_t dport = 0;
  bool port_unreachable = false;
  bool operator==(const udp_packet&) const = default;
};

/// Parses an IPv4 or IPv6 packet starting at the IP header. nullopt unless
/// it is a UDP datagram with its 8-byte header, or an ICMP port unreachable
/// quoting a UDP header of the same family; fragments other than the first
/// and IPv6 extension headers are not followed.
[[nodiscard]] std::optional<udp_packet> parse_udp_packet(std::span<const std::uint8_t> packet);

/// Whether the kernel was sending the packet or receiving it.
enum class packet_direction { inbound, outbound };

/// What the capture has counted so far. Bounded: past max_records the
/// counts go on, the port lists stop growing.
struct capture_tally {
  /// Records kept per list; a relay sends a handful of SYNs.
  static constexpr std::size_t max_records = 1024;
  /// A probe from the relay: a SYN, or a UDP datagram.
  struct probe {
    std::uint16_t relay_port = 0;  ///< the probe's source port
    std::uint16_t local_port = 0;  ///< where it arrived
  };
  /// A SYN-ACK or RST, or a UDP datagram or ICMP port unreachable, from
  /// this host to the relay.
  struct answer {
    std::uint16_t relay_port = 0;  ///< the port the answer goes back to
    host_answer kind = host_answer::none;
  };
  std::vector<probe> probes;    ///< in arrival order
  std::vector<answer> answers;  ///< in sending order
  int probe_count = 0;          ///< every probe, also past max_records
};

/// Counts a SYN (no ACK) from `relay` coming in, or a SYN-ACK or RST to
/// `relay` going out. Everything else, e.g. the control connection this host
/// opened, is ignored.
void tally_packet(capture_tally& tally, const tcp_packet& packet, packet_direction direction,
                  const ip_literal& relay);

/// Counts a UDP datagram from `relay` coming in, or a UDP datagram or ICMP
/// port unreachable to `relay` going out.
void tally_packet(capture_tally& tally, const udp_packet& packet, packet_direction direction,
                  const ip_literal& relay);

/// Parses one captured IP packet as `protocol` expects and counts it.
void tally_captured(capture_tally& tally, std::span<const std::uint8_t> packet, packet_direction direction,
                    const ip_literal& relay, transport protocol);

/// capture_evidence (available) from the tally. Only answers to a counted
/// probe count; an answer from the port (SYN-ACK, UDP datagram) outranks a
/// refusal (RST, port unreachable). arrived_port is expected_port when a
/// probe arrived there, else the port of the first probe.
[[nodiscard]] capture_evidence summarize_capture(const capture_tally& tally,
                                                 std::uint16_t expected_port);

}  // namespace reachback::client::platform
