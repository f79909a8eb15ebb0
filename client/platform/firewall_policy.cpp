// SPDX-License-Identifier: MIT
#include "client/platform/firewall_policy.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "common/ascii_text.hpp"
#include "client/platform/ip_literal.hpp"
#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

using variables = std::vector<std::pair<std::string, std::string>>;

constexpr std::array<firewall_profile, 3> all_profiles{
    firewall_profile::domain, firewall_profile::private_profile, firewall_profile::public_profile};

// The comma-separated entries of a ports or addresses list, trimmed:
// netsh and the UI print "554, 8554-8558" with spaces.
std::vector<std::string_view> entries(std::string_view list) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = list.find(',');
    const auto entry = trim(list.substr(0, comma));
    if (!entry.empty()) out.push_back(entry);
    if (comma == std::string_view::npos) return out;
    list.remove_prefix(comma + 1);
  }
}

bool is_any(std::string_view entry) noexcept { return entry == "*" || iequals(entry, "Any"); }

bool entry_covers(std::string_view entry, std::uint16_t port) {
  if (is_any(entry)) return true;
  const auto dash = entry.find('-');
  if (dash == std::string_view::npos) {
    const auto single = parse_unsigned<std::uint16_t>(entry);
    return single && *single == port;
  }
  // "RPC-EPMap" has a dash too; its halves are not numbers, so it never covers.
  const auto first = parse_unsigned<std::uint16_t>(entry.substr(0, dash));
  const auto last = parse_unsigned<std::uint16_t>(entry.substr(dash + 1));
  return first && last && *first <= port && port <= *last;
}

// "Internet", "Internet4" or "Internet6": Windows lets a keyword be limited
// to one IP version with a trailing digit.
bool is_internet_keyword(std::string_view entry, const std::optional<ip_literal>& remote) {
  if (iequals(entry, "Internet")) return true;
  if (entry.size() != 9 || !iequals(entry.substr(0, 8), "Internet")) return false;
  const char version = entry.back();
  if (version != '4' && version != '6') return false;
  if (!remote) return true;
  return (version == '4') == (remote->view().size() == 4);
}

bool in_range(std::string_view first_text, std::string_view last_text, const ip_literal& remote) {
  const auto first = parse_ip(first_text);
  const auto last = parse_ip(last_text);
  if (!first || !last || first->family != remote.family || last->family != remote.family) return false;
  const auto r = remote.view();
  const auto f = first->view();
  const auto l = last->view();
  return !std::lexicographical_compare(r.begin(), r.end(), f.begin(), f.end()) &&
         !std::lexicographical_compare(l.begin(), l.end(), r.begin(), r.end());
}

// The mask as bytes: "24" (prefix length) or "255.255.255.0" (IPv4 mask).
std::optional<std::array<std::uint8_t, 16>> mask_bytes(std::string_view text, std::size_t size) {
  std::array<std::uint8_t, 16> mask{};
  if (const auto bits = parse_unsigned<unsigned>(text)) {
    if (*bits > size * 8) return std::nullopt;
    for (std::size_t i = 0; i < size; ++i) {
      const auto used = std::min<std::size_t>(8, *bits > i * 8 ? *bits - i * 8 : 0);
      mask[i] = static_cast<std::uint8_t>(0xFF00U >> used);
    }
    return mask;
  }
  const auto dotted = parse_ip(text);
  if (!dotted || dotted->view().size() != size) return std::nullopt;
  std::copy(dotted->view().begin(), dotted->view().end(), mask.begin());
  return mask;
}

bool in_subnet(std::string_view network_text, std::string_view mask_text, const ip_literal& remote) {
  const auto network = parse_ip(network_text);
  if (!network || network->family != remote.family) return false;
  const auto size = remote.view().size();
  const auto mask = mask_bytes(mask_text, size);
  if (!mask) return false;
  for (std::size_t i = 0; i < size; ++i) {
    if ((remote.bytes[i] & (*mask)[i]) != (network->bytes[i] & (*mask)[i])) return false;
  }
  return true;
}

bool entry_admits(std::string_view entry, const std::optional<ip_literal>& remote) {
  if (is_any(entry) || is_internet_keyword(entry, remote)) return true;
  // Every other keyword (LocalSubnet, Intranet, DNS, DHCP, WINS,
  // DefaultGateway, PlayToDevice, ...) names nearby or infrastructure
  // addresses, never an arbitrary internet host; like any address entry, it
  // cannot be checked against an address that is not known.
  if (!remote) return false;
  if (const auto dash = entry.find('-'); dash != std::string_view::npos) {
    return in_range(entry.substr(0, dash), entry.substr(dash + 1), *remote);
  }
  if (const auto slash = entry.find('/'); slash != std::string_view::npos) {
    return in_subnet(entry.substr(0, slash), entry.substr(slash + 1), *remote);
  }
  const auto single = parse_ip(entry);
  return single && *single == *remote;
}

// Windows compares paths case-insensitively; this folds ASCII only, so a
// path that differs in the case of a non-ASCII letter is a miss. Short
// (8.3) names and symbolic links are not resolved either.
std::string normalized_path(std::string_view path) {
  constexpr std::string_view long_prefix = "\\\\?\\";
  if (path.substr(0, long_prefix.size()) == long_prefix) path.remove_prefix(long_prefix.size());
  std::string out(trim(path));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c == '/' ? '\\' : ascii_lower(c); });
  return out;
}

const firewall_profile_settings& settings_for(const firewall_policy& policy, firewall_profile profile) {
  switch (profile) {
    case firewall_profile::domain: return policy.domain;
    case firewall_profile::private_profile: return policy.private_profile;
    case firewall_profile::public_profile: break;
  }
  return policy.public_profile;
}

std::uint32_t bit_of(firewall_profile profile) noexcept {
  switch (profile) {
    case firewall_profile::domain: return profile_bit_domain;
    case firewall_profile::private_profile: return profile_bit_private;
    case firewall_profile::public_profile: break;
  }
  return profile_bit_public;
}

std::string quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// "Private", "Domain and Private", "Domain, Private and Public".
std::string profile_list(std::uint32_t mask) {
  const auto profiles = profiles_in(mask);
  std::string out;
  for (std::size_t i = 0; i < profiles.size(); ++i) {
    if (i > 0) out += i + 1 == profiles.size() ? " and " : ", ";
    out += profile_name(profiles[i]);
  }
  return out;
}

// What one evaluation needs besides the policy.
struct packet {
  std::uint16_t port = 0;
  const std::string& program_path;
  std::string_view remote_text;
  std::optional<ip_literal> remote;
};

// How a rule that carries the packet's protocol and port fits the rest.
struct rule_fit {
  bool profile = false;
  bool program = false;
  bool remote = false;
  [[nodiscard]] bool all() const noexcept { return profile && program && remote; }
  [[nodiscard]] int misses() const noexcept { return !profile + !program + !remote; }
};

bool carries(const firewall_rule& rule, std::uint16_t port) {
  return (rule.protocol == protocol_tcp || rule.protocol == protocol_any) &&
         ports_cover(rule.local_ports, port);
}

rule_fit fit(const firewall_rule& rule, firewall_profile profile, const packet& p,
             const variables& vars) {
  rule_fit f;
  f.profile = (rule.profiles & bit_of(profile)) != 0;
  // A rule limited to a service matches only that service's sockets, and
  // which services the listening program runs is not known here.
  f.program = rule.service.empty() && same_program(rule.application, p.program_path, vars);
  f.remote = rule.remote_addresses.empty() || addresses_admit(rule.remote_addresses, p.remote_text);
  return f;
}

const firewall_rule* first_match(const firewall_policy& policy, firewall_action action,
                                 firewall_profile profile, const packet& p) {
  for (const auto& rule : policy.inbound_rules) {
    if (rule.action == action && carries(rule, p.port) &&
        fit(rule, profile, p, policy.path_variables).all()) {
      return &rule;
    }
  }
  return nullptr;
}

std::string program_miss(const firewall_rule& rule, const packet& p) {
  if (!rule.service.empty()) return "only for the service " + quoted(rule.service);
  const std::string listener =
      p.program_path.empty() ? "the listening program, whose path is unknown" : p.program_path;
  return "only for " + rule.application + ", not for " + listener;
}

std::string remote_miss(const firewall_rule& rule, const packet& p) {
  const std::string from =
      p.remote_text.empty() ? "the relay, whose address was not known"
                            : "the internet address " + std::string(p.remote_text);
  return "only from " + rule.remote_addresses + ", not from " + from;
}

firewall_result near_miss(const firewall_rule& rule, const rule_fit& f, firewall_profile profile,
                          const packet& p) {
  firewall_result result{firewall_decision::blocked, firewall_block_reason::none, rule.name, {}};
  std::vector<std::string> misses;
  if (!f.profile) {
    result.reason = firewall_block_reason::profile_mismatch;
    const auto profiles = profile_list(rule.profiles);
    misses.push_back((profiles.empty() ? "on no profile" : "only on the " + profiles + " profile") +
                     ", but the network is " + std::string(profile_name(profile)));
  }
  // The reason is the first miss, in the order users most often hit them.
  const auto miss = [&result](firewall_block_reason reason) {
    if (result.reason == firewall_block_reason::none) result.reason = reason;
  };
  if (!f.program) {
    miss(firewall_block_reason::other_program);
    misses.push_back(program_miss(rule, p));
  }
  if (!f.remote) {
    miss(firewall_block_reason::local_subnet_only);
    misses.push_back(remote_miss(rule, p));
  }
  result.detail = "rule " + quoted(rule.name) + " allows TCP " + std::to_string(p.port) + " ";
  for (std::size_t i = 0; i < misses.size(); ++i) result.detail += (i > 0 ? ", and " : "") + misses[i];
  if (f.profile) result.detail += " (" + std::string(profile_name(profile)) + " profile)";
  return result;
}

// The common slip of adding the port's rule for UDP: worth a mention when
// nothing else comes close. Rules for every UDP port are not that slip.
std::string udp_hint(const firewall_policy& policy, std::uint16_t port) {
  for (const auto& rule : policy.inbound_rules) {
    const auto ports = entries(rule.local_ports);
    const bool names_ports = std::none_of(ports.begin(), ports.end(), is_any) && !ports.empty();
    if (rule.action == firewall_action::allow && rule.protocol == protocol_udp && names_ports &&
        ports_cover(rule.local_ports, port)) {
      return "; rule " + quoted(rule.name) + " allows port " + std::to_string(port) + " for UDP only";
    }
  }
  return {};
}

firewall_result default_block(const firewall_policy& policy, firewall_profile profile,
                              const packet& p) {
  const firewall_rule* nearest = nullptr;
  rule_fit nearest_fit;
  for (const auto& rule : policy.inbound_rules) {
    if (rule.action != firewall_action::allow || !carries(rule, p.port)) continue;
    const auto f = fit(rule, profile, p, policy.path_variables);
    if (nearest == nullptr || f.misses() < nearest_fit.misses()) {
      nearest = &rule;
      nearest_fit = f;
    }
  }
  if (nearest != nullptr) return near_miss(*nearest, nearest_fit, profile, p);
  std::string detail = "the " + std::string(profile_name(profile)) +
                       " profile blocks inbound connections by default, and no enabled rule allows TCP " +
                       std::to_string(p.port);
  if (!p.program_path.empty()) detail += " for " + p.program_path;
  detail += udp_hint(policy, p.port);
  return {firewall_decision::blocked, firewall_block_reason::no_allow_rule, {}, detail};
}

firewall_result evaluate_profile(const firewall_policy& policy, firewall_profile profile,
                                 const packet& p) {
  const auto& settings = settings_for(policy, profile);
  const std::string name(profile_name(profile));
  const std::string port = std::to_string(p.port);
  if (!settings.enabled) {
    return {firewall_decision::firewall_off, firewall_block_reason::none, {},
            "the firewall is off on the " + name + " profile, so it filters nothing"};
  }
  if (settings.block_all_inbound) {
    return {firewall_decision::blocked, firewall_block_reason::block_all_inbound, {},
            "\"Block all incoming connections\" is on for the " + name +
                " profile, which ignores every allow rule"};
  }
  // Windows applies block rules before allow rules (IPsec-authenticated
  // bypass rules aside, which need a connection security rule the relay
  // never satisfies).
  if (const auto* block = first_match(policy, firewall_action::block, profile, p)) {
    std::string detail = "block rule " + quoted(block->name) + " matches TCP " + port + " on the " +
                         name + " profile";
    if (const auto* allow = first_match(policy, firewall_action::allow, profile, p)) {
      detail += ", and it overrides allow rule " + quoted(allow->name);
    }
    return {firewall_decision::blocked, firewall_block_reason::block_rule, block->name, detail};
  }
  if (const auto* allow = first_match(policy, firewall_action::allow, profile, p)) {
    return {firewall_decision::allowed, firewall_block_reason::none, allow->name,
            "rule " + quoted(allow->name) + " allows TCP " + port + " on the " + name + " profile"};
  }
  if (settings.default_inbound == firewall_action::allow) {
    return {firewall_decision::allowed, firewall_block_reason::none, {},
            "the " + name + " profile allows inbound connections by default, and no block rule matches"};
  }
  return default_block(policy, profile, p);
}

int rank(firewall_decision decision) noexcept {
  switch (decision) {
    case firewall_decision::blocked: return 0;
    case firewall_decision::allowed: return 1;
    case firewall_decision::firewall_off: return 2;
    case firewall_decision::unknown: break;
  }
  return 3;
}

std::string summary(const firewall_result& result) {
  switch (result.decision) {
    case firewall_decision::blocked:
      return result.rule.empty() ? "blocked" : "blocked, nearest rule " + quoted(result.rule);
    case firewall_decision::firewall_off: return "firewall off";
    case firewall_decision::allowed:
      return result.rule.empty() ? "allowed by default" : "allowed by rule " + quoted(result.rule);
    case firewall_decision::unknown: break;
  }
  return "unknown";
}

}  // namespace

std::vector<firewall_profile> profiles_in(std::uint32_t mask) {
  std::vector<firewall_profile> out;
  for (const auto profile : all_profiles) {
    if ((mask & bit_of(profile)) != 0) out.push_back(profile);
  }
  return out;
}

std::string_view profile_name(firewall_profile profile) noexcept {
  switch (profile) {
    case firewall_profile::domain: return "Domain";
    case firewall_profile::private_profile: return "Private";
    case firewall_profile::public_profile: break;
  }
  return "Public";
}

bool ports_cover(std::string_view local_ports, std::uint16_t port) {
  const auto list = entries(local_ports);
  return list.empty() || std::any_of(list.begin(), list.end(),
                                     [port](std::string_view e) { return entry_covers(e, port); });
}

bool addresses_admit(std::string_view remote_addresses, std::string_view remote_address) {
  const auto remote = parse_ip(trim(remote_address));
  const auto list = entries(remote_addresses);
  return std::any_of(list.begin(), list.end(),
                     [&remote](std::string_view e) { return entry_admits(e, remote); });
}

std::string expand_path_variables(std::string_view path, const variables& vars) {
  std::string out;
  std::size_t i = 0;
  while (i < path.size()) {
    const auto open = path.find('%', i);
    const auto close = open == std::string_view::npos ? open : path.find('%', open + 1);
    if (close == std::string_view::npos) break;
    out.append(path.substr(i, open - i));
    const auto name = path.substr(open + 1, close - open - 1);
    const auto known = std::find_if(vars.begin(), vars.end(),
                                    [name](const auto& var) { return iequals(var.first, name); });
    if (known != vars.end()) {
      out += known->second;
      i = close + 1;
    } else {
      // Like ExpandEnvironmentStrings: keep "%name" and let the closing
      // '%' open the next variable ("%unknown%\%SystemRoot%").
      out.append(path.substr(open, close - open));
      i = close;
    }
  }
  out.append(path.substr(std::min(i, path.size())));
  return out;
}

bool same_program(std::string_view rule_application, std::string_view program_path,
                  const variables& vars) {
  if (trim(rule_application).empty()) return true;
  if (trim(program_path).empty()) return false;
  return normalized_path(expand_path_variables(rule_application, vars)) ==
         normalized_path(program_path);
}

firewall_result evaluate_inbound(const firewall_policy& policy, std::uint16_t port,
                                 const std::string& program_path, std::string_view remote_address) {
  const auto active = profiles_in(policy.active_profiles);
  if (active.empty()) {
    return {firewall_decision::unknown, firewall_block_reason::none, {},
            "no firewall profile is active, so which rules apply is not known"};
  }
  const packet p{port, program_path, trim(remote_address), parse_ip(trim(remote_address))};
  std::vector<firewall_result> results;
  results.reserve(active.size());
  for (const auto profile : active) results.push_back(evaluate_profile(policy, profile, p));
  // Each network adapter has its own profile and the SYN is judged by the
  // one it arrives on, which is not known here: a block on any active
  // profile is reported, and the detail names what the others do.
  const auto chosen = std::min_element(results.begin(), results.end(), [](const auto& a, const auto& b) {
    return rank(a.decision) < rank(b.decision);
  });
  firewall_result result = *chosen;
  std::string others;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results.begin() + static_cast<std::ptrdiff_t>(i) == chosen) continue;
    others += (others.empty() ? "" : ", ") + std::string(profile_name(active[i])) + ": " +
              summary(results[i]);
  }
  if (!others.empty()) {
    result.detail += "; also active: " + others +
                     " (the profile of the adapter the SYN arrives on decides)";
  }
  return result;
}

void apply(const firewall_result& result, host_firewall_evidence& evidence) {
  evidence.available = true;
  evidence.decision = result.decision;
  evidence.reason = result.reason;
  evidence.rule = result.rule;
  evidence.detail = result.detail;
}

}  // namespace reachback::client::platform
