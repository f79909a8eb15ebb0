// SPDX-License-Identifier: MIT
#pragma once
// Pure: what Windows' IP Helper reports (forwarding-table rows, adapters,
// ICMP echo answers), turned into path evidence. The Win32 calls live in
// path_windows.cpp; these take plain values, so they are tested on fixtures
// in the documented Windows shapes on any OS.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/platform/path_collate.hpp"

namespace reachback::client::platform {

/// Which IP version a question is about.
enum class ip_version { v4, v6 };

/// One row of the forwarding table (GetIpForwardTable2's MIB_IPFORWARD_ROW2).
struct route_row {
  std::string destination;   ///< the prefix's address: "0.0.0.0", "::", "192.0.2.0"
  int prefix_length = 0;     ///< 0 for a default route
  std::string next_hop;      ///< "0.0.0.0" or "::" for an on-link route
  std::uint32_t metric = 0;  ///< the row's Metric: an offset onto the interface's
  std::uint32_t interface_metric = 0;  ///< the interface's metric (Ipv4Metric / Ipv6Metric)
  bool operator==(const route_row&) const = default;
};

/// The next hop of the default route (0.0.0.0/0 or ::/0) that Windows
/// prefers: the lowest route metric plus interface metric, the first row on
/// a tie. On-link defaults (no next hop) and rows that do not parse are
/// skipped. nullopt when there is none, e.g. Wine's empty IPv6 table.
[[nodiscard]] std::optional<std::string> default_gateway(const std::vector<route_row>& rows,
                                                         ip_version version);

/// One adapter from GetAdaptersAddresses, as plain values.
struct adapter_row {
  bool up = false;        ///< OperStatus is IfOperStatusUp
  bool loopback = false;  ///< IfType is IF_TYPE_SOFTWARE_LOOPBACK
  std::vector<std::string> unicast;  ///< its unicast addresses, numeric text
  bool operator==(const adapter_row&) const = default;
};

/// This host's addresses as a relay could see them: unicast addresses of
/// adapters that are up, without loopback adapters and addresses and IPv6
/// link-local ones, canonical text, each once, in adapter order.
[[nodiscard]] std::vector<std::string> host_addresses_of(const std::vector<adapter_row>& adapters);

/// IP_STATUS codes from ipexport.h (the same numbers for IPv4 and IPv6).
namespace ip_status {
inline constexpr std::uint32_t success = 0;
inline constexpr std::uint32_t dest_net_unreachable = 11002;   ///< IPv6: IP_DEST_NO_ROUTE
inline constexpr std::uint32_t dest_host_unreachable = 11003;  ///< IPv6: IP_DEST_ADDR_UNREACHABLE
inline constexpr std::uint32_t dest_prot_unreachable = 11004;  ///< IPv6: IP_DEST_PROHIBITED
inline constexpr std::uint32_t dest_port_unreachable = 11005;
inline constexpr std::uint32_t req_timed_out = 11010;
inline constexpr std::uint32_t ttl_expired_transit = 11013;  ///< IPv6: IP_HOP_LIMIT_EXCEEDED
inline constexpr std::uint32_t ttl_expired_reassembly = 11014;
inline constexpr std::uint32_t dest_unreachable = 11040;
inline constexpr std::uint32_t dest_scope_mismatch = 11045;
}  // namespace ip_status

/// What an ICMP error status says about the path: TTL expired in transit is
/// a router's time exceeded; the destination-unreachable family is an
/// unreachable. Success and local failures (timeout, no resources, bad
/// request, reassembly expiry) are nullopt: they name no hop.
[[nodiscard]] std::optional<probe_outcome> outcome_of_ip_status(std::uint32_t status);

/// One answer to an echo request sent by IcmpSendEcho2 / Icmp6SendEcho2.
struct echo_answer {
  int ttl = 0;               ///< the TTL (hop limit) the request went out with
  std::uint32_t status = 0;  ///< the reply's Status, or GetLastError() when parsing found none
  std::string from;          ///< the reply's Address, numeric text
  std::uint32_t rtt_ms = 0;  ///< the reply's RoundTripTime
  bool operator==(const echo_answer&) const = default;
};

/// The probe reply an echo answer stands for, or nullopt when it names no
/// hop. `target` is the canonical text of the address that was pinged;
/// `this_host` are this host's addresses. The target's own echo reply ends
/// the walk like the relay's port unreachable does on Linux; an echo reply
/// from any other address is not trusted. An error from this host itself
/// (no route, ARP failure) says nothing about the path, and neither does an
/// unspecified or unparseable address.
[[nodiscard]] std::optional<probe_reply> probe_reply_of(const echo_answer& answer,
                                                        const std::string& target,
                                                        const std::vector<std::string>& this_host);

}  // namespace reachback::client::platform
