// SPDX-License-Identifier: MIT
#include "client/platform/packet.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

#include "common/big_endian.hpp"

namespace reachback::client::platform {

namespace {

constexpr std::size_t tcp_bytes_needed = 14;  // ports, sequence numbers, flags
constexpr std::size_t udp_header_bytes = 8;
constexpr std::size_t icmp_header_bytes = 8;
constexpr std::size_t ipv4_min_header = 20;
constexpr std::size_t ipv6_header_bytes = 40;

// The parts of an IP header the parsers read, once it checks out.
struct ip_header {
  int family = 0;
  std::uint8_t protocol = 0;  // IPv4 protocol, IPv6 next header
  std::size_t length = 0;     // where the payload starts
  ip_literal src;
  ip_literal dst;
};

// An IPv4 header (not a later fragment) or an IPv6 header; nullopt for
// anything else, or one cut short.
std::optional<ip_header> read_ip_header(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  if (packet[0] >> 4 == 4) {
    if (packet.size() < ipv4_min_header) return std::nullopt;
    const std::size_t length = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
    const bool later_fragment = (read_be16(packet, 6) & 0x1fff) != 0;
    if (length < ipv4_min_header || packet.size() < length || later_fragment) return std::nullopt;
    return ip_header{AF_INET, packet[9], length, *ip_from_bytes(AF_INET, packet.subspan(12, 4)),
                     *ip_from_bytes(AF_INET, packet.subspan(16, 4))};
  }
  if (packet[0] >> 4 == 6 && packet.size() >= ipv6_header_bytes) {
    return ip_header{AF_INET6, packet[6], ipv6_header_bytes, *ip_from_bytes(AF_INET6, packet.subspan(8, 16)),
                     *ip_from_bytes(AF_INET6, packet.subspan(24, 16))};
  }
  return std::nullopt;
}

// Whether an ICMP message of `family` is port unreachable.
bool is_port_unreachable(int family, std::uint8_t type, std::uint8_t code) {
  return family == AF_INET ? type == 3 && code == 3 : type == 1 && code == 4;
}

// The ports of the UDP datagram an ICMP error quotes: its IP header, then
// at least the UDP header's first 8 bytes (RFC 792, RFC 4443 both guarantee it).
std::optional<udp_packet> read_quoted_udp(std::span<const std::uint8_t> quoted, int family) {
  const auto inner = read_ip_header(quoted);
  if (!inner || inner->family != family || inner->protocol != IPPROTO_UDP) return std::nullopt;
  if (quoted.size() < inner->length + udp_header_bytes) return std::nullopt;
  udp_packet packet;
  packet.sport = read_be16(quoted, inner->length);
  packet.dport = read_be16(quoted, inner->length + 2);
  return packet;
}

bool syn_from_relay(const tcp_packet& p, packet_direction direction, const ip_literal& relay) {
  return direction == packet_direction::inbound && p.src == relay &&
         (p.flags & (tcp_syn | tcp_ack)) == tcp_syn;
}

host_answer answer_to_relay(const tcp_packet& p, packet_direction direction,
                            const ip_literal& relay) {
  if (direction != packet_direction::outbound || p.dst != relay) return host_answer::none;
  if ((p.flags & tcp_rst) != 0) return host_answer::rst;
  if ((p.flags & (tcp_syn | tcp_ack)) == (tcp_syn | tcp_ack)) return host_answer::syn_ack;
  return host_answer::none;
}

bool probe_from_relay(const ip_literal& src, packet_direction direction, const ip_literal& relay) {
  return direction == packet_direction::inbound && src == relay;
}

void count_probe(capture_tally& tally, std::uint16_t relay_port, std::uint16_t local_port) {
  ++tally.probe_count;
  if (tally.probes.size() < capture_tally::max_records) tally.probes.push_back({relay_port, local_port});
}

void count_answer(capture_tally& tally, std::uint16_t relay_port, host_answer kind) {
  if (kind != host_answer::none && tally.answers.size() < capture_tally::max_records)
    tally.answers.push_back({relay_port, kind});
}

// An answer from the port itself outranks a refusal.
bool port_answered(host_answer kind) { return kind == host_answer::syn_ack || kind == host_answer::udp_reply; }

}  // namespace

std::optional<udp_packet> parse_udp_packet(std::span<const std::uint8_t> packet) {
  const auto ip = read_ip_header(packet);
  if (!ip) return std::nullopt;
  const auto payload = packet.subspan(ip->length);
  if (ip->protocol == IPPROTO_UDP) {
    if (payload.size() < udp_header_bytes) return std::nullopt;
    return udp_packet{ip->src, ip->dst, read_be16(payload, 0), read_be16(payload, 2), false};
  }
  // glibc declares the two in different enums.
  const int icmp = ip->family == AF_INET ? int{IPPROTO_ICMP} : int{IPPROTO_ICMPV6};
  if (ip->protocol != icmp || payload.size() < icmp_header_bytes) return std::nullopt;
  if (!is_port_unreachable(ip->family, payload[0], payload[1])) return std::nullopt;
  auto quoted = read_quoted_udp(payload.subspan(icmp_header_bytes), ip->family);
  if (!quoted) return std::nullopt;
  quoted->src = ip->src;
  quoted->dst = ip->dst;
  quoted->port_unreachable = true;
  return quoted;
}

std::optional<tcp_packet> parse_tcp_packet(std::span<const std::uint8_t> packet) {
  const auto ip = read_ip_header(packet);
  if (!ip || ip->protocol != IPPROTO_TCP || packet.size() < ip->length + tcp_bytes_needed) return std::nullopt;
  const auto tcp = packet.subspan(ip->length);
  return tcp_packet{ip->src, ip->dst, read_be16(tcp, 0), read_be16(tcp, 2), tcp[13]};
}

void tally_packet(capture_tally& tally, const tcp_packet& packet, packet_direction direction,
                  const ip_literal& relay) {
  if (syn_from_relay(packet, direction, relay)) {
    count_probe(tally, packet.sport, packet.dport);
    return;
  }
  count_answer(tally, packet.dport, answer_to_relay(packet, direction, relay));
}

void tally_packet(capture_tally& tally, const udp_packet& packet, packet_direction direction,
                  const ip_literal& relay) {
  if (!packet.port_unreachable && probe_from_relay(packet.src, direction, relay)) {
    count_probe(tally, packet.sport, packet.dport);
    return;
  }
  if (direction != packet_direction::outbound || packet.dst != relay) return;
  // The refused datagram came from the relay's port: the quoted source.
  if (packet.port_unreachable)
    count_answer(tally, packet.sport, host_answer::port_unreachable);
  else
    count_answer(tally, packet.dport, host_answer::udp_reply);
}

void tally_captured(capture_tally& tally, std::span<const std::uint8_t> packet, packet_direction direction,
                    const ip_literal& relay, transport protocol) {
  if (protocol == transport::udp) {
    if (const auto udp = parse_udp_packet(packet)) tally_packet(tally, *udp, direction, relay);
  } else if (const auto tcp = parse_tcp_packet(packet)) {
    tally_packet(tally, *tcp, direction, relay);
  }
}

capture_evidence summarize_capture(const capture_tally& tally, std::uint16_t expected_port) {
  capture_evidence evidence;
  evidence.available = true;
  evidence.probe_count = tally.probe_count;
  evidence.probe_seen = tally.probe_count > 0;
  if (!tally.probes.empty()) {
    const bool on_expected = std::any_of(tally.probes.begin(), tally.probes.end(),
                                         [&](const auto& s) { return s.local_port == expected_port; });
    evidence.arrived_port = on_expected ? expected_port : tally.probes.front().local_port;
  }
  // An answer counts only when it goes back to the port a relay probe came
  // from; this keeps out the control connection and anything else to the relay.
  for (const auto& answer : tally.answers) {
    const bool to_a_probe = std::any_of(tally.probes.begin(), tally.probes.end(),
                                        [&](const auto& s) { return s.relay_port == answer.relay_port; });
    if (!to_a_probe) continue;
    evidence.answer = answer.kind;
    if (port_answered(answer.kind)) break;
  }
  return evidence;
}

}  // namespace reachback::client::platform
