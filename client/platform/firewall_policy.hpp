// SPDX-License-Identifier: MIT
#pragma once
// Pure model and evaluator of Windows Defender Firewall's inbound policy, as
// INetFwPolicy2 reports it: would a TCP SYN from an internet address reach
// the program that listens on a port? No Windows types: the reader
// (firewall_windows.cpp) fills these values, tests fill them by hand.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/evidence.hpp"

namespace reachback::client::platform {

/// NET_FW_PROFILE2_* bits, as CurrentProfileTypes and a rule's Profiles give them.
inline constexpr std::uint32_t profile_bit_domain = 1;
inline constexpr std::uint32_t profile_bit_private = 2;
inline constexpr std::uint32_t profile_bit_public = 4;
/// NET_FW_PROFILE2_ALL: a rule for every profile.
inline constexpr std::uint32_t profile_bits_all = 0x7FFFFFFF;

/// IANA protocol numbers as a rule's Protocol gives them; 256 is "any".
inline constexpr int protocol_tcp = 6;
inline constexpr int protocol_udp = 17;
inline constexpr int protocol_any = 256;

/// A rule's or a profile's action (NET_FW_ACTION).
enum class firewall_action { block, allow };

/// One profile's switches (INetFwPolicy2 per NET_FW_PROFILE_TYPE2).
struct firewall_profile_settings {
  bool enabled = true;                                      ///< FirewallEnabled
  firewall_action default_inbound = firewall_action::block;  ///< DefaultInboundAction
  bool block_all_inbound = false;                           ///< BlockAllInboundTraffic
  bool operator==(const firewall_profile_settings&) const = default;
};

/// One enabled inbound rule, its fields as the API gives them.
struct firewall_rule {
  std::string name;                                ///< Name, as the rule list shows it
  firewall_action action = firewall_action::allow;  ///< Action
  int protocol = protocol_any;                      ///< Protocol: protocol_tcp, protocol_any, ...
  /// "3000", "1000-2000", "80,443,8000-8010", "*" or "" (any), or keywords
  /// such as "RPC", "RPC-EPMap", "IPHTTPS", "Teredo", "Ply2Disc", "mDNS".
  std::string local_ports;
  std::uint32_t profiles = profile_bits_all;  ///< profile_bit_* mask
  /// The program's path, "" for any program; may hold %SystemRoot%-style variables.
  std::string application;
  std::string service;  ///< service short name, "" for any
  /// "*", keywords ("LocalSubnet", "Internet", "DNS", ...), addresses,
  /// ranges "a-b" and subnets "a/24" or "a/255.255.255.0", comma-separated.
  std::string remote_addresses = "*";
  /// Edge traversal matters only for traffic that arrives through Teredo;
  /// a port forwarded by a NAT router is ordinary inbound traffic, so the
  /// evaluator records it but never uses it.
  bool edge_traversal = false;
  bool operator==(const firewall_rule&) const = default;
};

/// What INetFwPolicy2 told, plus the variables to expand in rule paths.
struct firewall_policy {
  std::uint32_t active_profiles = 0;  ///< CurrentProfileTypes, profile_bit_* mask
  firewall_profile_settings domain;           ///< the Domain profile's switches
  firewall_profile_settings private_profile;  ///< the Private profile's switches
  firewall_profile_settings public_profile;   ///< the Public profile's switches
  std::vector<firewall_rule> inbound_rules;  ///< enabled inbound rules only
  /// Name and value of the variables that rule paths may use, e.g.
  /// {"SystemRoot", "C:\\Windows"}; names compare case-insensitively.
  std::vector<std::pair<std::string, std::string>> path_variables;
  bool operator==(const firewall_policy&) const = default;
};

/// The evaluation, in host_firewall_evidence's terms.
struct firewall_result {
  firewall_decision decision = firewall_decision::unknown;
  firewall_block_reason reason = firewall_block_reason::none;
  std::string rule;    ///< the rule that decided, or the nearest miss
  std::string detail;  ///< one line: why
  bool operator==(const firewall_result&) const = default;
};

/// The profiles set in a profile_bit_* mask, in the order domain, private, public.
[[nodiscard]] std::vector<firewall_profile> profiles_in(std::uint32_t mask);

/// The name Windows shows for a profile: "Domain", "Private", "Public".
[[nodiscard]] std::string_view profile_name(firewall_profile profile) noexcept;

/// Whether a LocalPorts string covers `port`. Keywords and malformed
/// entries never cover an ordinary port.
[[nodiscard]] bool ports_cover(std::string_view local_ports, std::uint16_t port);

/// Whether a RemoteAddresses string admits `remote_address`, an internet
/// address: "*" and "Internet" do; LocalSubnet and the other keywords do
/// not; addresses, ranges and subnets are compared. An empty or
/// unparsable `remote_address` (not known yet) is admitted only by "*" and
/// "Internet".
[[nodiscard]] bool addresses_admit(std::string_view remote_addresses,
                                   std::string_view remote_address);

/// `path` with each %NAME% found in `variables` replaced by its value;
/// unknown variables stay as written.
[[nodiscard]] std::string expand_path_variables(
    std::string_view path, const std::vector<std::pair<std::string, std::string>>& variables);

/// Whether a rule's application path names `program_path` (case-insensitive,
/// '/' and '\' alike, after expanding `variables`). An empty rule path
/// means any program.
[[nodiscard]] bool same_program(
    std::string_view rule_application, std::string_view program_path,
    const std::vector<std::pair<std::string, std::string>>& variables);

/// Would an inbound TCP SYN from `remote_address` (the relay's; "" when not
/// known yet) to `port`, for the program at `program_path`, pass on the
/// active profiles? Windows' order: firewall off, then block-all, then a
/// block rule, then an allow rule, then the default action. When the
/// default blocks, names the nearest miss: an allow rule for another
/// profile, another program, or nearby addresses only. With several active
/// profiles, a block on any of them wins and the detail names each.
[[nodiscard]] firewall_result evaluate_inbound(const firewall_policy& policy, std::uint16_t port,
                                               const std::string& program_path,
                                               std::string_view remote_address);

/// Copies the result into the evidence and marks it available.
void apply(const firewall_result& result, host_firewall_evidence& evidence);

}  // namespace reachback::client::platform
