// SPDX-License-Identifier: MIT
#include "client/platform/packet.hpp"

#include <sys/socket.h>

#include <algorithm>

namespace reachback::client::platform {

namespace {

constexpr std::uint8_t ip_proto_tcp = 6;
constexpr std::size_t tcp_bytes_needed = 14;  // ports, sequence numbers, flags
constexpr std::size_t ipv6_header_bytes = 40;

std::uint16_t read16(std::span<const std::uint8_t> bytes, std::size_t offset) {
  return static_cast<std::uint16_t>((bytes[offset] << 8) | bytes[offset + 1]);
}

// The TCP header at `offset`, once the IP layer has been checked.
std::optional<tcp_packet> read_tcp(std::span<const std::uint8_t> packet, std::size_t offset,
                                   int family, std::size_t address_offset,
                                   std::size_t address_size) {
  if (packet.size() < offset + tcp_bytes_needed) return std::nullopt;
  tcp_packet tcp;
  tcp.src = *ip_from_bytes(family, packet.subspan(address_offset, address_size));
  tcp.dst = *ip_from_bytes(family, packet.subspan(address_offset + address_size, address_size));
  tcp.sport = read16(packet, offset);
  tcp.dport = read16(packet, offset + 2);
  tcp.flags = packet[offset + 13];
  return tcp;
}

std::optional<tcp_packet> parse_v4(std::span<const std::uint8_t> packet) {
  constexpr std::size_t min_header = 20;
  if (packet.size() < min_header) return std::nullopt;
  const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  const bool later_fragment = (read16(packet, 6) & 0x1fff) != 0;
  if (header < min_header || packet[9] != ip_proto_tcp || later_fragment) return std::nullopt;
  return read_tcp(packet, header, AF_INET, 12, 4);
}

std::optional<tcp_packet> parse_v6(std::span<const std::uint8_t> packet) {
  if (packet.size() < ipv6_header_bytes || packet[6] != ip_proto_tcp) return std::nullopt;
  return read_tcp(packet, ipv6_header_bytes, AF_INET6, 8, 16);
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

}  // namespace

std::optional<tcp_packet> parse_tcp_packet(std::span<const std::uint8_t> packet) {
  if (packet.empty()) return std::nullopt;
  switch (packet[0] >> 4) {
    case 4: return parse_v4(packet);
    case 6: return parse_v6(packet);
    default: return std::nullopt;
  }
}

void tally_packet(capture_tally& tally, const tcp_packet& packet, packet_direction direction,
                  const ip_literal& relay) {
  if (syn_from_relay(packet, direction, relay)) {
    ++tally.probe_count;
    if (tally.syns.size() < capture_tally::max_records) {
      tally.syns.push_back({packet.sport, packet.dport});
    }
    return;
  }
  const auto kind = answer_to_relay(packet, direction, relay);
  if (kind != host_answer::none && tally.answers.size() < capture_tally::max_records) {
    tally.answers.push_back({packet.dport, kind});
  }
}

capture_evidence summarize_capture(const capture_tally& tally, std::uint16_t expected_port) {
  capture_evidence evidence;
  evidence.available = true;
  evidence.probe_count = tally.probe_count;
  evidence.probe_seen = tally.probe_count > 0;
  if (!tally.syns.empty()) {
    const bool on_expected = std::any_of(tally.syns.begin(), tally.syns.end(),
                                         [&](const auto& s) { return s.local_port == expected_port; });
    evidence.arrived_port = on_expected ? expected_port : tally.syns.front().local_port;
  }
  // An answer counts only when it goes back to the port a relay SYN came
  // from; this keeps out the control connection and anything else to the relay.
  for (const auto& answer : tally.answers) {
    const bool to_a_syn = std::any_of(tally.syns.begin(), tally.syns.end(),
                                      [&](const auto& s) { return s.relay_port == answer.relay_port; });
    if (!to_a_syn) continue;
    if (answer.kind == host_answer::syn_ack) {
      evidence.answer = host_answer::syn_ack;
      break;
    }
    evidence.answer = host_answer::rst;
  }
  return evidence;
}

}  // namespace reachback::client::platform
