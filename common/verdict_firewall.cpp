// SPDX-License-Identifier: MIT
// The host firewall as the OS reports it (Windows Defender Firewall): its
// decision for the port in words, its fix, and the findings it proves where
// no packet capture shows what reached this host.
#include "verdict_parts.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace reachback::verdict_parts {
namespace {

std::string_view profile_name(firewall_profile p) {
  switch (p) {
    case firewall_profile::domain: return "Domain";
    case firewall_profile::private_profile: return "Private";
    case firewall_profile::public_profile: return "Public";
  }
  return "Public";
}

std::string rule_or(const host_firewall_evidence& fw, const std::string& otherwise) {
  return fw.rule.empty() ? otherwise : "the rule " + quoted(fw.rule);
}

}  // namespace

std::string firewall_name(host_os os) {
  switch (os) {
    case host_os::windows_host: return "Windows Defender Firewall";
    case host_os::macos_host: return "the macOS firewall";
    case host_os::linux_host: break;
  }
  return "this host's firewall";
}

std::string profiles_text(const host_firewall_evidence& fw) {
  if (fw.active_profiles.empty()) return "Domain,Private,Public";
  std::vector<std::string> names;
  for (const auto p : fw.active_profiles) names.emplace_back(profile_name(p));
  return joined(names, ",");
}

std::string by_rule_text(const host_firewall_evidence& fw) {
  return fw.rule.empty() ? std::string() : " by the rule " + quoted(fw.rule);
}

std::string block_reason_text(const host_firewall_evidence& fw) {
  const auto network = fw.network_name.empty() ? std::string() : " " + quoted(fw.network_name);
  switch (fw.reason) {
    case firewall_block_reason::no_allow_rule:
      return "no enabled inbound rule allows it, and the default inbound action is block";
    case firewall_block_reason::profile_mismatch:
      return rule_or(fw, "an allow rule") + " allows it only on another profile, and the network" + network +
             " is " + profiles_text(fw);
    case firewall_block_reason::other_program: return rule_or(fw, "an allow rule") + " allows it only for another program";
    case firewall_block_reason::block_rule: return "the block rule " + quoted(fw.rule) + " overrides every allow rule";
    case firewall_block_reason::local_subnet_only:
      return rule_or(fw, "an allow rule") + " admits only remote addresses on the local subnet, not the internet";
    case firewall_block_reason::block_all_inbound:
      return "\"Block all incoming connections\" is on for the " + profiles_text(fw) +
             " profile, and it overrides every allow rule";
    case firewall_block_reason::none: break;
  }
  return "its rules block it";
}

std::string allow_text(const host_firewall_evidence& fw) {
  if (fw.decision == firewall_decision::firewall_off) return "it is off for the " + profiles_text(fw) + " profile";
  return "it allows the port" + by_rule_text(fw);
}

firewall_view read_firewall(const evidence& ev) {
  if (ev.capture.available || !ev.firewall) return firewall_view::unknown;
  const auto& fw = *ev.firewall;
  if (fw.log_shows_drop == true) return firewall_view::log_shows_drop;
  if (!fw.available) return firewall_view::unknown;
  switch (fw.decision) {
    case firewall_decision::blocked: return firewall_view::blocks;
    case firewall_decision::allowed:
    case firewall_decision::firewall_off: return firewall_view::allows;
    case firewall_decision::unknown: break;
  }
  return firewall_view::unknown;
}

std::vector<std::string> firewall_fix(const evidence& ev, const fix_writer& fx) {
  if (!ev.firewall || !ev.firewall->available || ev.firewall->decision != firewall_decision::blocked)
    return fx.steps("firewall_allow");
  const auto& fw = *ev.firewall;
  const auto rule = fw.rule.empty() ? std::string("<rule name>") : fw.rule;
  switch (fw.reason) {
    case firewall_block_reason::profile_mismatch:
      return fx.steps("firewall_profile_mismatch",
                      {{"rule", rule},
                       {"network", fw.network_name.empty() ? std::string("<network>") : fw.network_name},
                       {"profile", profiles_text(fw)}});
    case firewall_block_reason::other_program: return fx.steps("firewall_other_program", {{"rule", rule}});
    case firewall_block_reason::block_rule: return fx.steps("firewall_block_rule", {{"rule", rule}});
    case firewall_block_reason::local_subnet_only: return fx.steps("firewall_local_subnet", {{"rule", rule}});
    case firewall_block_reason::block_all_inbound:
      return fx.steps("firewall_block_all_inbound", {{"profile", profiles_text(fw)}});
    case firewall_block_reason::no_allow_rule:
    case firewall_block_reason::none: break;
  }
  return fx.steps("firewall_allow");
}

std::vector<std::string> host_evidence_steps(const evidence& ev, const fix_writer& fx, std::string_view id) {
  // A firewall log that was read already stands in for the capture.
  const bool log_read = ev.firewall && ev.firewall->log_shows_drop.has_value();
  auto steps = log_read && id == "get_capture" ? std::vector<std::string>{} : fx.steps(id);
  if (!ev.firewall) return steps;
  const auto& fw = *ev.firewall;
  if (!fw.available && !fw.unavailable_reason.empty())
    steps.push_back("The firewall's rules were not read: " + fw.unavailable_reason);
  if (!fw.log_shows_drop && !fw.log_unavailable_reason.empty())
    steps.push_back("The firewall log was not read: " + fw.log_unavailable_reason);
  return steps;
}

finding host_firewall(const evidence& ev, const layout& home, const fix_writer& fx, const std::string& how) {
  return {cause::host_firewall, home.host_index(),
          "This host's firewall blocks port " + port_text(ev.port) + ": " + how + ".", firewall_fix(ev, fx)};
}

finding firewall_log_drop(const evidence& ev, const layout& home, const fix_writer& fx) {
  const auto& fw = *ev.firewall;
  std::string how = "its log" + (fw.log_path.empty() ? std::string() : " (" + fw.log_path + ")") +
                    " shows a DROP of the relay's " + probe_word(ev);
  if (fw.available && fw.decision == firewall_decision::blocked) how += ", and " + block_reason_text(fw);
  return host_firewall(ev, home, fx, how);
}

finding firewall_blocks(const evidence& ev, const layout& home, const fix_writer& fx, const std::string& what,
                        bool answered) {
  const auto p = port_text(ev.port);
  finding f{cause::host_firewall, home.host_index(),
            firewall_name(ev.os) + " on this host blocks port " + p + ": " + block_reason_text(*ev.firewall) + "; " +
                what + ".",
            firewall_fix(ev, fx)};
  // The firewall drops without answering, so a refusal or an ICMP error came
  // from elsewhere: the router in front may be wrong as well.
  if (const auto nat = home.innermost_nat(); answered && nat) {
    f.summary += " It drops such packets without answering, so the answer may also come from another device the " +
                 hop_label(home.hops[*nat]) + " forwards port " + p + " to. What tells them apart: whether the port stays closed after this "
                 "fix; if it does, check that forward.";
  }
  return f;
}

}  // namespace reachback::verdict_parts
