// SPDX-License-Identifier: MIT
#include "client/platform/route_table.hpp"

#include <algorithm>
#include <limits>

#include "client/platform/ip_literal.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {

namespace {

std::size_t address_width(ip_version version) { return version == ip_version::v4 ? 4 : 16; }

bool is_unspecified(const ip_literal& ip) {
  const auto bytes = ip.view();
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::optional<ip_literal> parse_width(const std::string& text, ip_version version) {
  auto ip = parse_ip(text);
  if (!ip || ip->view().size() != address_width(version)) return std::nullopt;
  return ip;
}

// A default route that leads somewhere: an on-link default (a VPN or PPP
// interface) has no router whose address could be reported.
std::optional<ip_literal> default_next_hop(const route_row& row, ip_version version) {
  if (row.prefix_length != 0) return std::nullopt;
  const auto destination = parse_width(row.destination, version);
  auto next_hop = parse_width(row.next_hop, version);
  if (!destination || !next_hop || !is_unspecified(*destination) || is_unspecified(*next_hop)) {
    return std::nullopt;
  }
  return next_hop;
}

bool contains_address(const std::vector<std::string>& addresses, const std::string& canonical) {
  return std::any_of(addresses.begin(), addresses.end(), [&](const std::string& a) {
    const auto ip = parse_ip(a);
    return ip && to_string(*ip) == canonical;
  });
}

}  // namespace

std::optional<std::string> default_gateway(const std::vector<route_row>& rows,
                                           ip_version version) {
  std::optional<std::string> best;
  auto best_metric = std::numeric_limits<std::uint64_t>::max();
  for (const auto& row : rows) {
    const auto next_hop = default_next_hop(row, version);
    // Windows ranks routes by the sum; 64 bits so two large metrics cannot wrap.
    const auto metric = std::uint64_t{row.metric} + row.interface_metric;
    if (next_hop && (!best || metric < best_metric)) {
      best = to_string(*next_hop);
      best_metric = metric;
    }
  }
  return best;
}

std::vector<std::string> host_addresses_of(const std::vector<adapter_row>& adapters) {
  std::vector<std::string> addresses;
  for (const auto& adapter : adapters) {
    if (!adapter.up || adapter.loopback) continue;
    for (const auto& text : adapter.unicast) {
      const auto ip = parse_ip(text);
      if (!ip || is_unspecified(*ip) || is_link_local_v6(*ip)) continue;
      auto canonical = to_string(*ip);
      if (classify_address(canonical) == address_class::loopback) continue;
      if (std::find(addresses.begin(), addresses.end(), canonical) == addresses.end()) {
        addresses.push_back(std::move(canonical));
      }
    }
  }
  return addresses;
}

std::optional<probe_outcome> outcome_of_ip_status(std::uint32_t status) {
  switch (status) {
    case ip_status::ttl_expired_transit:
      return probe_outcome::time_exceeded;
    case ip_status::dest_net_unreachable:
    case ip_status::dest_host_unreachable:
    case ip_status::dest_prot_unreachable:
    case ip_status::dest_port_unreachable:
    case ip_status::dest_unreachable:
    case ip_status::dest_scope_mismatch:
      return probe_outcome::unreachable;
    default:
      return std::nullopt;
  }
}

std::optional<probe_reply> probe_reply_of(const echo_answer& answer, const std::string& target,
                                          const std::vector<std::string>& this_host) {
  const auto from = parse_ip(answer.from);
  if (answer.ttl < 1 || !from || is_unspecified(*from)) return std::nullopt;
  auto from_text = to_string(*from);
  const auto rtt = static_cast<double>(answer.rtt_ms);
  if (answer.status == ip_status::success) {
    // probe_outcome has no "echo reply": the target's own answer is what
    // ends the walk, as the relay's port unreachable does on Linux.
    if (from_text != target) return std::nullopt;
    return probe_reply{answer.ttl, std::move(from_text), probe_outcome::unreachable, rtt};
  }
  const auto outcome = outcome_of_ip_status(answer.status);
  if (!outcome) return std::nullopt;
  // Windows reports a local failure (no route, no ARP answer) as an
  // unreachable from this host's own address.
  if (from_text != target && contains_address(this_host, from_text)) return std::nullopt;
  return probe_reply{answer.ttl, std::move(from_text), *outcome, rtt};
}

}  // namespace reachback::client::platform
