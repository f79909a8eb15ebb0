// SPDX-License-Identifier: MIT
#include "verdict_engine.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "address.hpp"
#include "evidence_json.hpp"

namespace reachback {
namespace {

// ---------------------------------------------------------------------------
// Layout: the hops of the report and how relay TTLs map onto them.

/// The home as far as the evidence shows it: hops[0] is the internet,
/// hops[1..n] the NATs from the outermost inward, the last one this host.
struct layout {
  std::vector<hop> hops;
  std::vector<address_class> classes;  ///< per hop, for naming and CGNAT
  /// Relay TTL at which a probe reaches hops[1] (depth 0).
  std::optional<int> public_ttl;

  [[nodiscard]] std::size_t host_index() const { return hops.size() - 1; }
  [[nodiscard]] int host_depth() const { return static_cast<int>(hops.size()) - 2; }
  /// The hop at `depth` behind the public address (0 = outermost NAT).
  [[nodiscard]] std::size_t at_depth(int depth) const {
    return static_cast<std::size_t>(std::clamp(depth, 0, host_depth())) + 1;
  }
  [[nodiscard]] bool is_host(std::size_t index) const { return index == host_index(); }
  [[nodiscard]] std::optional<std::size_t> innermost_nat() const {
    if (hops.size() <= 2) return std::nullopt;
    return host_index() - 1;
  }
};

std::string label(const hop& h) {
  return h.address ? h.name + " " + *h.address : h.name;
}

/// Routers between this host and the first public hop, innermost first.
/// A silent router inside that stretch still counts: it is a hop.
std::vector<path_hop> home_routers(const path_evidence& path) {
  std::vector<path_hop> routers;
  bool public_seen = false;
  for (const auto& h : path.hops) {
    if (h.address && h.cls == address_class::public_net) {
      public_seen = true;
      break;
    }
    routers.push_back(h);
  }
  if (!public_seen) {
    // Without a public hop, trailing silence may be the internet: keep only
    // what is known to be inside.
    while (!routers.empty() && !routers.back().address) routers.pop_back();
  }
  return routers;
}

bool host_has_address(const evidence& ev, const std::string& address) {
  if (!ev.path) return false;
  const auto& own = ev.path->host_addresses;
  return ev.path->source_address == address ||
         std::find(own.begin(), own.end(), address) != own.end();
}

std::string nat_name(address_class cls, std::size_t home_position, std::size_t home_count) {
  if (cls == address_class::carrier_nat) return "carrier NAT";
  if (home_count == 1) return "router";
  if (home_position == 0) return "ISP hub";
  if (home_position + 1 == home_count) return "room router";
  return "router " + std::to_string(home_position + 1);
}

std::string describe(address_class cls) {
  switch (cls) {
    case address_class::private_net: return "private address: a router of yours";
    case address_class::carrier_nat: return "100.64.0.0/10: your ISP's carrier-grade NAT";
    case address_class::public_net: return "public address";
    case address_class::loopback: return "loopback address";
    case address_class::unknown: break;
  }
  return "unclassified address";
}

/// The relay TTL of the outermost NAT as counted from this host's side: the
/// client's SYN TTL counts every router and is never rate-limited, but it
/// is only right when the path is as long both ways, as it is for a home line.
std::optional<int> public_ttl_from_client(const evidence& ev, int nat_count) {
  if (ev.client_hops && *ev.client_hops >= nat_count) return *ev.client_hops - nat_count + 1;
  if (ev.path && ev.path->reached_relay) {
    const auto routers = static_cast<int>(ev.path->hops.size());
    if (routers >= nat_count) return routers - nat_count + 1;
  }
  return std::nullopt;
}

/// The deepest TTL below `public_distance` that a router answered, if any.
std::optional<int> last_outside_ttl(const ttl_sweep& sweep, int public_distance) {
  std::optional<int> last;
  for (const auto& h : sweep.hops) {
    if (h.ttl < public_distance && h.reply != sweep_reply::silence) last = h.ttl;
  }
  return last;
}

/// The sweep's distance to the public address when the router just before
/// it answered. When that router was silent, the outermost NAT's own answer
/// may have been lost to an ICMP rate limit and the public address seen a
/// hop too deep.
std::optional<int> certain_public_distance(const ttl_sweep& sweep) {
  if (!sweep.public_distance) return std::nullopt;
  const int measured = *sweep.public_distance;
  if (measured == 1 || last_outside_ttl(sweep, measured) == measured - 1) return measured;
  return std::nullopt;
}

/// The relay TTL at which a probe reaches the outermost NAT. The sweep
/// measures it in the direction that matters, relay to home, so a certain
/// distance wins: routes across the internet are often a hop or two longer
/// one way than the other. Otherwise the count from this host's side
/// decides, as long as it falls between the last router outside and the
/// public address.
std::optional<int> find_public_ttl(const evidence& ev, int nat_count) {
  const auto from_client = public_ttl_from_client(ev, nat_count);
  if (!ev.sweep || !ev.sweep->public_distance) return from_client;
  if (const auto certain = certain_public_distance(*ev.sweep)) return certain;
  const int measured = *ev.sweep->public_distance;
  const auto outside = last_outside_ttl(*ev.sweep, measured).value_or(0);
  return from_client && *from_client <= measured && *from_client > outside ? *from_client : measured;
}

/// Whether the relay met a router with a private address right before the
/// public address: an ISP router outside it (a PPPoE gateway, say).
bool relay_met_private_router_outside(const ttl_sweep& sweep) {
  const auto before = std::find_if(sweep.hops.begin(), sweep.hops.end(), [&](const sweep_hop& h) {
    return h.ttl + 1 == sweep.public_distance && h.reply == sweep_reply::time_exceeded;
  });
  return before != sweep.hops.end() && classify_address(before->from) == address_class::private_net;
}

/// How many of the outermost private hops on this host's path are the
/// ISP's routers rather than NATs. Two things must agree: the relay met a
/// private router outside the public address, and the NATs counted from
/// both ends (routers in the SYN's TTL, less the relay's distance to the
/// public address) are fewer than the private hops. The innermost router
/// always stays a NAT: the relay saw another address than this host's.
std::size_t isp_router_count(const evidence& ev, const std::vector<path_hop>& routers) {
  if (!ev.sweep || !ev.client_hops || !relay_met_private_router_outside(*ev.sweep)) return 0;
  const auto distance = certain_public_distance(*ev.sweep);
  if (!distance) return 0;
  const int nats = std::max(1, *ev.client_hops - *distance + 1);
  std::size_t count = 0;
  while (static_cast<int>(routers.size() - count) > nats && routers[count].address &&
         routers[count].cls == address_class::private_net)
    ++count;
  return count;
}

/// Moves the ISP's routers off the front of `routers` (outermost first) and
/// says so on the internet hop.
void drop_isp_routers(const evidence& ev, std::vector<path_hop>& routers, hop& internet) {
  const auto isp_routers = isp_router_count(ev, routers);
  for (auto i = isp_routers; i-- > 0;) {  // innermost first, as the path went
    internet.evidence.push_back("path from this host: TTL " + std::to_string(routers[i].ttl) + " expired at " +
                                *routers[i].address +
                                " (private address, but outside your public one: your ISP's router, not a NAT)");
  }
  if (isp_routers > 0)
    internet.evidence.emplace_back(
        "the relay met a private router right before your public address, and the hop counts from both ends "
        "leave room for fewer NATs than private hops");
  routers.erase(routers.begin(), routers.begin() + static_cast<std::ptrdiff_t>(isp_routers));
}

layout build_layout(const evidence& ev) {
  layout l;
  l.hops.push_back({hop_role::internet, "internet",
                    ev.public_address.empty() ? std::nullopt : std::optional(ev.public_address),
                    hop_status::unknown, {}});
  l.classes.push_back(classify_address(ev.public_address));

  std::vector<path_hop> routers;
  const bool behind_nat = !ev.public_address.empty() && !host_has_address(ev, ev.public_address) &&
                          classify_address(ev.public_address) != address_class::loopback;
  if (ev.path && behind_nat) routers = home_routers(*ev.path);
  std::reverse(routers.begin(), routers.end());  // outermost first
  drop_isp_routers(ev, routers, l.hops.front());
  // The relay saw another address, so at least one NAT is in between, even
  // when the path trace could not show it.
  if (behind_nat && routers.empty()) routers.push_back({0, std::nullopt, address_class::unknown, 0});

  const auto home_count = static_cast<std::size_t>(std::count_if(
      routers.begin(), routers.end(), [](const path_hop& h) { return h.cls != address_class::carrier_nat; }));
  std::size_t home_position = 0;
  for (const auto& r : routers) {
    const auto name = nat_name(r.cls, home_position, home_count);
    if (r.cls != address_class::carrier_nat) ++home_position;
    l.hops.push_back({hop_role::nat, name, r.address, hop_status::unknown, {}});
    l.classes.push_back(r.cls);
    l.hops.back().evidence.push_back(
        r.address  ? "path from this host: TTL " + std::to_string(r.ttl) + " expired at " + *r.address + " (" +
                         describe(r.cls) + ")"
        : r.ttl > 0 ? "path from this host: TTL " + std::to_string(r.ttl) + " got no answer (silent router)"
                    : "the relay sees another address than this host's, so a NAT is in between; the path trace "
                      "could not show it");
  }

  std::optional<std::string> own;
  if (ev.path && !ev.path->source_address.empty()) own = ev.path->source_address;
  l.hops.push_back({hop_role::host, "this host", own, hop_status::unknown, {}});
  l.classes.push_back(address_class::private_net);
  l.public_ttl = find_public_ttl(ev, static_cast<int>(routers.size()));
  return l;
}

// ---------------------------------------------------------------------------
// What the relay's TTL sweep shows, in depths behind the public address.

struct sweep_reading {
  /// Deepest hop that forwarded a probe inward (ICMP time exceeded).
  std::optional<int> deepest_forward;
  /// First TCP or ICMP-unreachable answer behind the public address.
  std::optional<sweep_hop> answer;
  std::optional<int> answer_depth;
};

std::string describe(const sweep_hop& h) {
  std::string text = "relay SYN with TTL " + std::to_string(h.ttl) + ": ";
  switch (h.reply) {
    case sweep_reply::time_exceeded: text += "ICMP time exceeded from " + h.from; break;
    case sweep_reply::rst: text += "RST from " + h.from; break;
    case sweep_reply::syn_ack: text += "SYN-ACK from " + h.from; break;
    case sweep_reply::unreachable:
      text += "ICMP unreachable (type " + std::to_string(h.icmp ? h.icmp->type : 3) + " code " +
              std::to_string(h.icmp ? h.icmp->code : 0) + ") from " + h.from;
      break;
    case sweep_reply::silence:
      return text + "no answer after " + std::to_string(h.attempts) + " attempt(s)";
  }
  if (h.reply_ttl) text += ", arrived with TTL " + std::to_string(*h.reply_ttl);
  return text;
}

/// A TCP answer, or an ICMP rejection. An "unreachable" without ICMP is the
/// relay failing to send (no route, no sockets left), not an answer.
bool is_answer(const sweep_hop& h) {
  return h.reply == sweep_reply::rst || h.reply == sweep_reply::syn_ack ||
         (h.reply == sweep_reply::unreachable && h.icmp);
}

/// Attaches each sweep line to its hop and finds how deep the probes got.
sweep_reading read_sweep(const evidence& ev, layout& l) {
  sweep_reading r;
  if (!ev.sweep) return r;
  for (const auto& h : ev.sweep->hops) {
    const int depth = l.public_ttl ? h.ttl - *l.public_ttl : -1;
    const std::size_t index = depth < 0 ? 0 : l.at_depth(depth);
    if (h.reply == sweep_reply::silence && depth < 0) continue;  // internet noise, not evidence
    if (r.answer && h.ttl > r.answer->ttl) break;                // beyond the answer adds nothing
    auto line = describe(h);
    if (depth > l.host_depth() && h.reply == sweep_reply::time_exceeded)
      line += " (one more router than the path from this host shows)";
    else if (depth > 0 && h.from == ev.public_address)
      line += " (the NAT in front rewrote the source; the TTL places it here)";
    l.hops[index].evidence.push_back(line);
    if (depth < 0) continue;
    if (h.reply == sweep_reply::time_exceeded)
      r.deepest_forward = std::max(r.deepest_forward.value_or(-1), std::min(depth, l.host_depth()));
    if (is_answer(h) && !r.answer) {
      r.answer = h;
      r.answer_depth = std::min(depth, l.host_depth());
    }
  }
  return r;
}

// ---------------------------------------------------------------------------
// Fix text: the fix book's steps in the host OS's commands.

/// One placeholder's value: "{name}" in a step becomes `value`.
struct fill {
  std::string_view name;
  std::string value;
};
using fills = std::vector<fill>;

/// One pass, so a value that itself holds "{name}" stays as it is.
std::string fill_in(std::string_view text, const fills& values) {
  std::string out;
  std::size_t at = 0;
  for (auto open = text.find('{'); open != std::string_view::npos; open = text.find('{', at)) {
    const auto close = text.find('}', open);
    if (close == std::string_view::npos) break;
    const auto name = text.substr(open + 1, close - open - 1);
    const auto value = std::find_if(values.begin(), values.end(), [&](const fill& f) { return f.name == name; });
    out.append(text.substr(at, open - at));
    if (value == values.end()) {
      out += '{';
      at = open + 1;
    } else {
      out += value->value;
      at = close + 1;
    }
  }
  out.append(text.substr(at));
  return out;
}

/// Picks the host OS's steps of a fix and fills in the port and the values given.
class fix_writer {
 public:
  fix_writer(const fix_book& book, host_os os, std::uint16_t port) : book_(book), os_(os), port_(port) {}

  [[nodiscard]] std::vector<std::string> steps(std::string_view id, fills values = {}) const {
    const auto found = book_.fixes.find(id);
    // A book from config/fixes.toml has every id; a hand-made one may not.
    if (found == book_.fixes.end()) return {"(the fix book has no fix \"" + std::string(id) + "\")"};
    values.push_back({"port", std::to_string(port_)});
    std::vector<std::string> out;
    for (const auto& step : found->second.on(os_)) out.push_back(fill_in(step, values));
    return out;
  }

 private:
  const fix_book& book_;
  host_os os_;
  std::uint16_t port_;
};

void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// ---------------------------------------------------------------------------
// Findings: a cause at a hop, with its one-line summary and its fix.

struct finding {
  cause why = cause::inconclusive;
  std::optional<std::size_t> blocking;
  std::string summary;
  std::vector<std::string> fix;
};

std::string port_text(std::uint16_t port) { return std::to_string(port); }

/// "0.4 ms", "12 ms": sub-millisecond loopback times keep a decimal.
std::string format_ms(double ms) {
  if (ms >= 10) return std::to_string(static_cast<long>(ms + 0.5)) + " ms";
  const auto tenths = static_cast<long>(ms * 10 + 0.5);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " ms";
}

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : std::string(separator)) + part;
  return text;
}

std::string host_target(const evidence& ev, const layout& l) {
  const auto& host = l.hops.back();
  return (host.address ? *host.address : std::string("this host's LAN address")) + ":" + port_text(ev.port);
}

/// Where the NAT at `index` must send the port: the next router's WAN, or us.
std::string forward_target(const evidence& ev, const layout& l, std::size_t index) {
  if (index + 1 == l.host_index()) return host_target(ev, l);
  const auto& next = l.hops[index + 1];
  return "the " + next.name + "'s WAN address:" + port_text(ev.port) + " (the " + next.name +
         " shows it on its status page)";
}

finding nat_no_forward(const evidence& ev, const layout& l, std::size_t index, const std::string& how) {
  const auto& h = l.hops[index];
  if (l.classes[index] == address_class::carrier_nat) {
    return {cause::cgnat, index,
            "Your ISP's carrier-grade NAT" + (h.address ? " " + *h.address : std::string()) + " stops port " + port_text(ev.port) +
                " before it reaches your routers; forwarding at home cannot fix that.",
            {"Ask your ISP for a public IPv4 address (often free or cheap) or a port forward on their carrier NAT.",
             "Or serve over IPv6 if your ISP provides it, and open port " + port_text(ev.port) + " there.",
             "Or publish through a tunnel to a host with a public address (ssh -R, WireGuard to a VPS, a "
             "reverse proxy on the VPS running probe-relay)."}};
  }
  std::vector<std::string> fix = {label(h) + ": add a port forward TCP WAN " + port_text(ev.port) + " → " +
                                  forward_target(ev, l, index) + "."};
  if (const auto inner = l.innermost_nat(); inner && *inner > 1) {
    fix.emplace_back("Or switch the " + label(l.hops[*inner]) + " to access-point (bridge) mode, so that the " +
                     l.hops[1].name + " is the only NAT and needs the only forward (to this host's new address).");
  }
  return {cause::nat_no_forward, index,
          "The " + label(h) + " does not forward port " + port_text(ev.port) + ": " + how + ".", fix};
}

finding nat_wrong_target(const evidence& ev, const layout& l, std::size_t index, const std::string& how) {
  const auto& h = l.hops[index];
  return {cause::nat_wrong_target, index,
          "The " + label(h) + " forwards port " + port_text(ev.port) + " to the wrong place: " + how + ".",
          {label(h) + ": change the port forward for TCP WAN " + port_text(ev.port) + " so its target is " +
           forward_target(ev, l, index) + "."}};
}

// ---------------------------------------------------------------------------
// The host firewall as the OS reports it (Windows Defender Firewall), for
// where there is no packet capture to show what reached this host.

std::string firewall_name(host_os os) {
  switch (os) {
    case host_os::windows_host: return "Windows Defender Firewall";
    case host_os::macos_host: return "the macOS firewall";
    case host_os::linux_host: break;
  }
  return "this host's firewall";
}

std::string_view profile_name(firewall_profile p) {
  switch (p) {
    case firewall_profile::domain: return "Domain";
    case firewall_profile::private_profile: return "Private";
    case firewall_profile::public_profile: return "Public";
  }
  return "Public";
}

/// "Public", "Domain,Private": also the form Set-NetFirewallProfile takes.
std::string profiles_text(const host_firewall_evidence& fw) {
  if (fw.active_profiles.empty()) return "Domain,Private,Public";
  std::string text;
  for (const auto p : fw.active_profiles) text += (text.empty() ? "" : ",") + std::string(profile_name(p));
  return text;
}

std::string rule_or(const host_firewall_evidence& fw, const std::string& otherwise) {
  return fw.rule.empty() ? otherwise : "the rule " + quoted(fw.rule);
}

/// Why the firewall blocks, in words.
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

/// Why the firewall lets it through, in words.
std::string allow_text(const host_firewall_evidence& fw) {
  if (fw.decision == firewall_decision::firewall_off) return "it is off for the " + profiles_text(fw) + " profile";
  return "it allows the port" + (fw.rule.empty() ? std::string() : " by the rule " + quoted(fw.rule));
}

/// What the OS's own firewall evidence shows, when no capture watched.
enum class firewall_view { unknown, log_shows_drop, blocks, allows };

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

/// The fix for the reason the firewall blocks, or the plain allow rule.
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

/// How to get what would tell this host apart from the router in front: a
/// capture, or the firewall's rules and log where the OS has no capture.
std::vector<std::string> host_evidence_steps(const evidence& ev, const fix_writer& fx, std::string_view id = "get_capture") {
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

finding host_firewall(const evidence& ev, const layout& l, const fix_writer& fx, const std::string& how) {
  return {cause::host_firewall, l.host_index(),
          "This host's firewall blocks port " + port_text(ev.port) + ": " + how + ".", firewall_fix(ev, fx)};
}

/// The firewall's log shows the relay's SYN dropped here: as good as a capture.
finding firewall_log_drop(const evidence& ev, const layout& l, const fix_writer& fx) {
  const auto& fw = *ev.firewall;
  std::string how = "its log" + (fw.log_path.empty() ? std::string() : " (" + fw.log_path + ")") +
                    " shows a DROP of the relay's SYN";
  if (fw.available && fw.decision == firewall_decision::blocked) how += ", and " + block_reason_text(fw);
  return host_firewall(ev, l, fx, how);
}

/// The firewall's rules block the port; `what` is what the relay met at
/// this host's depth. A reset or ICMP error cannot be the firewall's, which
/// drops without answering, so the router in front may be wrong as well.
finding firewall_blocks(const evidence& ev, const layout& l, const fix_writer& fx, const std::string& what,
                        bool answered) {
  const auto p = port_text(ev.port);
  finding f{cause::host_firewall, l.host_index(),
            firewall_name(ev.os) + " on this host blocks port " + p + ": " + block_reason_text(*ev.firewall) + "; " +
                what + ".",
            firewall_fix(ev, fx)};
  if (const auto nat = l.innermost_nat(); answered && nat) {
    f.summary += " It drops such packets without answering, so the answer may also come from another device the " +
                 label(l.hops[*nat]) + " forwards port " + p + " to: if the port stays closed after this fix, check "
                 "that forward.";
  }
  return f;
}

// ---------------------------------------------------------------------------
// Owners, portproxy rules and excluded ranges on this host.

char lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string owner_text(const port_owner& o) {
  std::string text = o.name.empty() ? std::string("an unknown process") : o.name;
  if (o.pid > 0) text += " (pid " + std::to_string(o.pid) + ")";
  return text;
}

std::string owners_text(const local_port_evidence& local) {
  if (local.owners.empty()) return "a process this user cannot see";
  std::string text;
  for (const auto& o : local.owners) text += (text.empty() ? "" : ", ") + owner_text(o);
  return text;
}

std::string service_text(const hosted_service& s) {
  return s.display_name.empty() || s.display_name == s.name ? s.name : s.name + " (" + s.display_name + ")";
}

bool port_taken(const local_port_evidence& local) {
  return local.state == bind_state::held || local.state == bind_state::loopback_only;
}

constexpr std::string_view ip_helper = "iphlpsvc";

bool runs_ip_helper(const port_owner& o) {
  return iequals(o.unit, ip_helper) || std::any_of(o.services.begin(), o.services.end(), [](const hosted_service& s) {
           return iequals(s.name, ip_helper);
         });
}

const port_owner* ip_helper_owner(const local_port_evidence& local) {
  const auto found = std::find_if(local.owners.begin(), local.owners.end(), runs_ip_helper);
  return found == local.owners.end() ? nullptr : &*found;
}

/// No owner of the port could be seen (no rights, or an OS that hides pids).
bool owners_unseen(const local_port_evidence& local) {
  return std::all_of(local.owners.begin(), local.owners.end(), [](const port_owner& o) { return o.pid <= 0; });
}

std::vector<portproxy_rule> proxy_rules(const evidence& ev) {
  std::vector<portproxy_rule> rules;
  std::copy_if(ev.local.portproxy.begin(), ev.local.portproxy.end(), std::back_inserter(rules),
               [&](const portproxy_rule& r) { return r.listen_port == ev.port; });
  return rules;
}

/// The port is taken, a portproxy rule listens on it, and the IP Helper
/// service that serves those rules holds it (or nobody visible does, and
/// the rule is then the likeliest holder).
bool proxy_holds_port(const evidence& ev) {
  const auto& local = ev.local;
  if (!port_taken(local) || proxy_rules(ev).empty()) return false;
  return (local.squatter && local.squatter->id == ip_helper) || ip_helper_owner(local) != nullptr ||
         owners_unseen(local);
}

/// "portproxy v4tov4 0.0.0.0:3000 → 172.28.160.1:3000"
std::string rule_text(const portproxy_rule& r) {
  return "portproxy " + r.kind + " " + format_endpoint(r.listen_address, r.listen_port) + " → " +
         format_endpoint(r.connect_address, r.connect_port);
}

std::string rules_text(const std::vector<portproxy_rule>& rules) {
  std::vector<std::string> parts;
  for (const auto& r : rules) parts.push_back(rule_text(r));
  return joined(parts, " and ");
}

fills rule_fills(const portproxy_rule& r) {
  return {{"kind", r.kind},
          {"listen_address", r.listen_address},
          {"listen_port", std::to_string(r.listen_port)},
          {"connect_address", r.connect_address},
          {"connect_port", std::to_string(r.connect_port)}};
}

/// "held by the IP Helper service (iphlpsvc) in svchost.exe (pid 1234)"
std::string ip_helper_text(const local_port_evidence& local) {
  const auto* owner = ip_helper_owner(local);
  if (owner == nullptr) return "held, most likely by the IP Helper service (iphlpsvc; the process itself could not be seen),";
  std::string display = "IP Helper";
  for (const auto& s : owner->services)
    if (iequals(s.name, ip_helper) && !s.display_name.empty()) display = s.display_name;
  return "held by the " + display + " service (iphlpsvc) in " + owner_text(*owner);
}

/// Default mode or --listen: the portproxy rule is what stands in the way.
finding proxy_conflict(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto rules = proxy_rules(ev);
  finding f{cause::bind_conflict, host,
            "Port " + port_text(ev.port) + " is " + ip_helper_text(ev.local) + " for the rule " +
                rules_text(rules) + ", so your server cannot bind it.",
            {}};
  for (const auto& r : rules) append(f.fix, fx.steps("portproxy_delete", rule_fills(r)));
  append(f.fix, fx.steps("portproxy_comes_back"));
  if (ev.local.squatter) append(f.fix, ev.local.squatter->fix);
  else f.fix.emplace_back("Or serve on another port and forward that one instead.");
  return f;
}

/// --service with a portproxy rule: the relay probes the proxy, and its
/// target refused this host's own connection.
finding proxy_target_refuses(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto r = proxy_rules(ev).front();
  const auto target = format_endpoint(r.connect_address, r.connect_port);
  const auto question = classify_address(r.connect_address) == address_class::loopback
                            ? "is your server on port " + std::to_string(r.connect_port) + " running?"
                            : std::string("is the server in WSL2 running, and has WSL's address changed?");
  return {cause::no_listener, host,
          "The relay probes the " + rule_text(r) + " on this host, and the portproxy forwards to " + target +
              ", where nothing accepts: " + question,
          fx.steps("portproxy_target", rule_fills(r))};
}

std::string range_text(const excluded_port_range& r) {
  return std::to_string(r.first) + "-" + std::to_string(r.last) + (r.ip_version == 6 ? " (IPv6)" : "");
}

finding forbidden_port(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto p = port_text(ev.port);
  if (ev.os != host_os::windows_host) {
    const auto summary = ev.os == host_os::linux_host
                             ? "Port " + p + " is privileged and this user may not bind it."
                             : "Binding port " + p + " was refused: permission denied.";
    return {cause::forbidden_port, host, summary, fx.steps("forbidden_port")};
  }
  // Windows has no privileged ports: a refused bind that nobody holds is a
  // range the system keeps from every program.
  const auto& range = ev.local.excluded;
  if (!range) {
    return {cause::forbidden_port, host,
            "Binding port " + p + " was refused (WSAEACCES) although no program holds it: Windows keeps the port from "
            "programs, usually in an excluded port range (Hyper-V / WinNAT, for WSL2 and Docker Desktop) that netstat "
            "does not show.",
            fx.steps("forbidden_port")};
  }
  const fills values{{"first", std::to_string(range->first)},
                     {"last", std::to_string(range->last)},
                     {"count", std::to_string(range->last - range->first + 1)},
                     {"ip_version", std::to_string(range->ip_version)}};
  if (range->administered) {
    return {cause::forbidden_port, host,
            "Binding port " + p + " was refused (WSAEACCES) although no program holds it, and it lies in the excluded "
            "range " + range_text(*range) + " that an administrator added (marked * by netsh): that range is someone's "
            "own reservation, which usually still lets a program bind, so security software or a policy may refuse "
            "the port as well.",
            fx.steps("excluded_range_administered", values)};
  }
  return {cause::forbidden_port, host,
          "Port " + p + " lies in the excluded range " + range_text(*range) +
              " that Windows reserves for Hyper-V / WinNAT (used by WSL2, Docker Desktop); netstat shows nothing for it.",
          fx.steps("excluded_range", values)};
}

/// The service to stop for an owner: its unit, or the only service it hosts.
std::string service_of(const port_owner& o) {
  if (!o.unit.empty()) return o.unit;
  return o.services.size() == 1 ? o.services.front().name : std::string();
}

std::vector<std::string> holder_fix(const evidence& ev, const fix_writer& fx) {
  const auto& local = ev.local;
  if (local.squatter) return local.squatter->fix;
  std::vector<std::string> fix;
  for (const auto& o : local.owners) {
    if (!o.container.empty()) {
      fix.push_back("docker-proxy publishes " + o.container + " on port " + port_text(local.port) +
                    ": stop or re-map that container (`docker ps --filter publish=" + port_text(local.port) + "`).");
    } else if (const auto service = service_of(o); !service.empty()) {
      append(fix, fx.steps("stop_service", {{"unit", service}, {"program", owner_text(o)}}));
    } else if (o.services.size() > 1) {
      std::vector<std::string> names;
      for (const auto& s : o.services) names.push_back(service_text(s));
      append(fix, fx.steps("stop_one_of_services", {{"program", owner_text(o)},
                                                    {"pid", std::to_string(o.pid)},
                                                    {"services", joined(names, ", ")}}));
    } else if (o.pid > 0) {
      const auto command = !o.cmdline.empty() ? o.cmdline : !o.name.empty() ? o.name : "pid " + std::to_string(o.pid);
      append(fix, fx.steps("stop_process",
                           {{"program", owner_text(o)}, {"pid", std::to_string(o.pid)}, {"command", command}}));
    } else {
      append(fix, fx.steps("find_holder"));
    }
  }
  if (local.owners.empty() && !local.owners_hidden) append(fix, fx.steps("find_holder"));
  if (local.owners_hidden) append(fix, fx.steps("see_hidden_owners"));
  fix.emplace_back("Or serve on another port and forward that one instead.");
  return fix;
}

std::string holder_summary(const local_port_evidence& local) {
  std::string text = "Port " + port_text(local.port) + " is already held by " + owners_text(local);
  if (local.squatter) text += ", " + local.squatter->description;
  return text + ", so your server cannot bind it.";
}

/// Causes that the local port check alone proves.
std::optional<finding> local_finding(const evidence& ev, const layout& l, const fix_writer& fx) {
  const auto& local = ev.local;
  const auto host = l.host_index();
  if (local.state == bind_state::forbidden) return forbidden_port(ev, host, fx);
  if (proxy_holds_port(ev)) {
    // --service means the proxy: only its target can fail here.
    if (ev.mode != probe_mode::service) return proxy_conflict(ev, host, fx);
    if (local.proxy_target_accepts == false) return proxy_target_refuses(ev, host, fx);
    return std::nullopt;
  }
  if (holder_in_the_way(ev))
    return finding{cause::bind_conflict, host, holder_summary(local), holder_fix(ev, fx)};
  if (local.state == bind_state::loopback_only) {
    return finding{cause::loopback_only, host,
                   owners_text(local) + " listens on port " + port_text(ev.port) +
                       " on the loopback address only, so nothing outside this host can reach it.",
                   {"Make " + owners_text(local) + " listen on 0.0.0.0 (or ::) instead of 127.0.0.1, e.g. "
                    "`server.listen(" + port_text(ev.port) + ", '0.0.0.0')`, `--host 0.0.0.0`, or `bind = "
                    "\"0.0.0.0:" + port_text(ev.port) + "\"`."}};
  }
  if (local.state == bind_state::free && ev.mode == probe_mode::service) {
    return finding{cause::no_listener, host, "Nothing listens on port " + port_text(ev.port) + " on this host.",
                   {"Start your server on port " + port_text(ev.port) + ", listening on 0.0.0.0 or ::.",
                    "Or run without --service: probe-client then listens itself and checks the path."}};
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// The network: where the relay's connect-back stopped and why.

struct network_context {
  const evidence& ev;
  const layout& l;
  const sweep_reading& sweep;
  bool listener_open;  ///< something on this host accepts the port on a reachable address
  const fix_writer& fixes;
};

/// The capture proves the relay's SYN reached this host on another port.
std::optional<finding> wrong_port(const network_context& c) {
  const auto& cap = c.ev.capture;
  if (!cap.available || !cap.syn_seen || !cap.arrived_port || *cap.arrived_port == c.ev.port) return std::nullopt;
  const auto nat = c.l.innermost_nat();
  const auto how = "the relay's SYN for port " + port_text(c.ev.port) + " arrived here on port " +
                   std::to_string(*cap.arrived_port);
  if (!nat) return finding{cause::inconclusive, std::nullopt, "Port " + port_text(c.ev.port) + " is translated: " + how + ".", {}};
  return nat_wrong_target(c.ev, c.l, *nat, how);
}

/// An answer from in front of this host: that router handles the port itself.
std::optional<finding> answered_by_router(const network_context& c) {
  if (!c.sweep.answer_depth || *c.sweep.answer_depth >= c.l.host_depth()) return std::nullopt;
  const auto index = c.l.at_depth(*c.sweep.answer_depth);
  const auto& a = *c.sweep.answer;
  switch (a.reply) {
    case sweep_reply::rst: return nat_no_forward(c.ev, c.l, index, "it answered the relay's SYN itself with a reset");
    case sweep_reply::syn_ack:
      return nat_no_forward(c.ev, c.l, index, "it accepted the connection itself (a service on the router holds the port)");
    case sweep_reply::unreachable: {
      const int code = a.icmp ? a.icmp->code : -1;
      if (code == 0 || code == 1)
        return nat_wrong_target(c.ev, c.l, index, "its forward points at an address nobody answers (ICMP host unreachable)");
      if (code == 3) return nat_no_forward(c.ev, c.l, index, "it answered ICMP port unreachable itself");
      return finding{cause::filtered, index,
                     "The " + label(c.l.hops[index]) + " rejects port " + port_text(c.ev.port) +
                         " with ICMP code " + std::to_string(code) + " (its firewall).",
                     {label(c.l.hops[index]) + ": allow forwarded TCP " + port_text(c.ev.port) +
                      " in its firewall and add the port forward."}};
    }
    default: return std::nullopt;
  }
}

/// Nothing reached this host: blame the innermost NAT's target.
finding missed_this_host(const network_context& c, const std::string& how) {
  if (const auto nat = c.l.innermost_nat()) return nat_wrong_target(c.ev, c.l, *nat, how);
  return {cause::inconclusive, std::nullopt, "The connection reached a device other than this host: " + how + ".", {}};
}

/// Something at this host's depth blocks the port, and the host firewall
/// allows it: another device the router forwards to, or another firewall on
/// this host. Both stay named; the blocking hop is this host's depth, where
/// the relay's probes stopped.
finding not_this_firewall(const network_context& c, const std::string& what) {
  const auto p = port_text(c.ev.port);
  const auto not_it = firewall_name(c.ev.os) + " is not the cause (" + allow_text(*c.ev.firewall) + ")";
  const auto nat = c.l.innermost_nat();
  if (!nat) {
    return {cause::host_firewall, c.l.host_index(),
            "Another firewall on this host blocks port " + p + " (" + what + "), and " + not_it + ".",
            c.fixes.steps("other_firewall")};
  }
  const auto& router = c.l.hops[*nat];
  finding f{cause::filtered, c.l.host_index(),
            "Something at this host's depth blocks port " + p + " (" + what + "), and " + not_it + ": either the " +
                label(router) + " forwards port " + p + " to another device, or a third-party firewall on this host "
                "blocks it; the router's port-forward page tells them apart.",
            {label(router) + ": make sure the port forward for TCP WAN " + p + " targets " + host_target(c.ev, c.l) +
             "."}};
  auto other = c.fixes.steps("other_firewall");
  if (!other.empty()) other.front() = "If it does: " + other.front();
  append(f.fix, other);
  return f;
}

finding answered_at_host_depth(const network_context& c, const std::string& what) {
  const auto& cap = c.ev.capture;
  if (cap.available && !cap.syn_seen)
    return missed_this_host(c, what + " came from another device: the capture saw no relay SYN reach this host");
  const std::string listening = c.ev.agent_listening ? "probe-client" : "your server";
  if (!cap.available) {
    switch (read_firewall(c.ev)) {
      case firewall_view::log_shows_drop: return firewall_log_drop(c.ev, c.l, c.fixes);
      case firewall_view::blocks: return firewall_blocks(c.ev, c.l, c.fixes, what, true);
      case firewall_view::allows:
        return not_this_firewall(c, what + " although " + listening + " was listening");
      case firewall_view::unknown: break;
    }
  }
  if (cap.available || !c.l.innermost_nat())
    return host_firewall(c.ev, c.l, c.fixes, what + " although " + listening + " was listening");
  auto f = host_firewall(c.ev, c.l, c.fixes, what + " at this host's depth although a listener was open");
  f.summary += " Without a packet capture this cannot be told apart from the " + label(c.l.hops[*c.l.innermost_nat()]) +
               " forwarding to another device that refuses it.";
  append(f.fix, host_evidence_steps(c.ev, c.fixes));
  return f;
}

finding on_foreign(const network_context& c) {
  const auto& cb = c.ev.connect_back;
  const auto heard = cb.banner_skipped ? std::string("another server")
                     : cb.silent       ? std::string("a peer that sent nothing")
                                       : "a peer that sent \"" + escape_bytes(cb.banner) + "\"";
  if (auto f = answered_by_router(c)) return *f;
  if (c.ev.agent_listening) return missed_this_host(c, "the relay reached " + heard + " instead of probe-client");
  const auto& cap = c.ev.capture;
  if (cap.available && !cap.syn_seen)
    return missed_this_host(c, "the relay reached " + heard + ", but no relay SYN reached this host");
  finding f{cause::reachable, std::nullopt, "Port " + port_text(c.ev.port) + " is reachable from the internet: the relay connected to your server.", {}};
  if (!cap.available)
    f.summary = "Port " + port_text(c.ev.port) +
                " is reachable: the relay connected to a server at this host's depth (without a capture it could "
                "not confirm the server is this host).";
  return f;
}

finding on_refused(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  if (c.listener_open) return answered_at_host_depth(c, "the relay's SYN was refused (RST)");
  if (c.ev.capture.available && !c.ev.capture.syn_seen)
    return missed_this_host(c, "the relay's SYN was refused by another device: the capture saw none reach this host");
  // Nothing listens here on a reachable address, so a reset is what this host
  // should answer; the local check names the reason.
  return {cause::no_listener, c.l.host_index(),
          "Nothing on this host accepts port " + port_text(c.ev.port) + " from outside, so it answered the relay with a reset.",
          {}};
}

finding on_unreachable(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  const auto& icmp = c.ev.connect_back.icmp;
  if (!icmp) {
    return {cause::inconclusive, std::nullopt,
            "The relay could not send its connect-back (no ICMP came back: the failure is on the relay's side).",
            {"Try again, or try another relay."}};
  }
  // Net or host unreachable comes from a router whose target does not exist,
  // never from a host about its own port.
  if (icmp->code == 0 || icmp->code == 1)
    return missed_this_host(c, "its forward points at an address nobody answers (ICMP host unreachable)");
  const auto what =
      "the relay's SYN was rejected with ICMP type " + std::to_string(icmp->type) + " code " + std::to_string(icmp->code);
  return answered_at_host_depth(c, what);
}

/// The relay's SYN reached this host's depth and was dropped silently, and
/// there was no capture to see where.
finding silent_at_host_depth(const network_context& c, std::size_t index) {
  const auto& before = c.l.hops[index - 1];
  switch (read_firewall(c.ev)) {
    case firewall_view::log_shows_drop: return firewall_log_drop(c.ev, c.l, c.fixes);
    case firewall_view::blocks:
      return firewall_blocks(c.ev, c.l, c.fixes, "the relay's SYN got no answer at this host's depth", false);
    case firewall_view::allows:
      return not_this_firewall(c, "the relay's SYN was dropped silently");
    case firewall_view::unknown: break;
  }
  finding f{cause::filtered, index,
            "The relay's SYN reached this host's depth and was dropped silently: this host's firewall, "
            "or the " + label(before) + " forwarding to another device that drops it.",
            firewall_fix(c.ev, c.fixes)};
  append(f.fix, host_evidence_steps(c.ev, c.fixes));
  return f;
}

/// What a router further out cannot rule out about this host: said when
/// the drop may also be at this host's depth.
std::vector<std::string> host_also(const network_context& c) {
  const auto p = port_text(c.ev.port);
  switch (read_firewall(c.ev)) {
    case firewall_view::log_shows_drop:
    case firewall_view::blocks: {
      std::vector<std::string> steps = {"If the forward is already there: " + firewall_name(c.ev.os) +
                                        " on this host blocks port " + p + " too (" +
                                        block_reason_text(*c.ev.firewall) + ")."};
      append(steps, firewall_fix(c.ev, c.fixes));
      return steps;
    }
    case firewall_view::allows:
      return {"If the forward is already there: " + firewall_name(c.ev.os) + " is not in the way (" +
              allow_text(*c.ev.firewall) + "), so check the forward's target and any third-party firewall on this "
              "host."};
    case firewall_view::unknown: break;
  }
  auto steps = firewall_fix(c.ev, c.fixes);
  if (!steps.empty()) steps.front() = "If the forward is already there: " + steps.front();
  append(steps, host_evidence_steps(c.ev, c.fixes));
  return steps;
}

/// The first hop that stayed silent and every candidate behind it.
finding on_silence(const network_context& c) {
  const auto& cap = c.ev.capture;
  const auto p = port_text(c.ev.port);
  if (cap.available && cap.syn_seen) {
    if (cap.answer == host_answer::syn_ack)
      return {cause::filtered, c.l.host_index(),
              "The relay's SYN reached this host and it answered, but the answer never got back: the return path "
              "does not go through the router that forwarded it (asymmetric routing).",
              {"Make this host's default gateway the router that forwards port " + p + "."}};
    return host_firewall(c.ev, c.l, c.fixes, "the relay's SYN arrived (seen by the capture) and this host dropped it");
  }
  const auto firewall = read_firewall(c.ev);
  if (firewall == firewall_view::log_shows_drop) return firewall_log_drop(c.ev, c.l, c.fixes);
  if (!c.l.public_ttl || !c.ev.sweep) {
    if (firewall == firewall_view::blocks)
      return firewall_blocks(c.ev, c.l, c.fixes, "the relay's SYN got no answer", false);
    return {cause::filtered, std::nullopt,
            "Something between the relay and this host drops port " + p + " silently, and without the TTL sweep it "
            "cannot be told where.",
            host_evidence_steps(c.ev, c.fixes, "sweep_and_capture")};
  }
  const int first_silent = c.sweep.deepest_forward.value_or(-1) + 1;
  const int last_candidate = cap.available ? c.l.host_depth() - 1 : c.l.host_depth();
  if (first_silent > last_candidate) {
    return missed_this_host(c, "the " + label(c.l.hops[c.l.host_index() - 1]) +
                                   " forwarded the relay's SYN but it never reached this host");
  }
  const auto index = c.l.at_depth(first_silent);
  if (c.l.is_host(index)) return silent_at_host_depth(c, index);
  const auto how = "it dropped the relay's SYN silently (no forward, and its WAN drops unsolicited packets)";
  finding f = nat_no_forward(c.ev, c.l, index, how);
  if (first_silent < last_candidate) {
    const auto last = c.l.at_depth(last_candidate);
    f.summary += " Routers that forward do not always answer expired probes, so the drop may also be further in, up "
                 "to " + (c.l.is_host(last) ? label(c.l.hops[last]) : "the " + label(c.l.hops[last])) + ".";
    if (last_candidate == c.l.host_depth()) append(f.fix, host_also(c));
  }
  return f;
}

finding network_finding(const network_context& c) {
  if (c.ev.connect_back.outcome == connect_outcome::verified)
    return {cause::reachable, std::nullopt,
            "Port " + port_text(c.ev.port) + " is reachable from the internet: the relay reached probe-client here.", {}};
  if (auto f = wrong_port(c)) return *f;
  switch (c.ev.connect_back.outcome) {
    // connected: the client could not learn who answered; something did.
    case connect_outcome::foreign:
    case connect_outcome::connected: return on_foreign(c);
    case connect_outcome::refused: return on_refused(c);
    case connect_outcome::unreachable: return on_unreachable(c);
    case connect_outcome::timeout: return on_silence(c);
    default:
      return {cause::inconclusive, std::nullopt, "The relay did not run the connect-back, so nothing is known about the path.", {}};
  }
}

/// A carrier NAT in front of the block explains it better than the block,
/// unless a probe is known to have got past it.
finding prefer_cgnat(const evidence& ev, const layout& l, int reached, finding f) {
  if (f.why == cause::reachable || f.why == cause::cgnat) return f;
  for (std::size_t i = 1; i < l.host_index(); ++i) {
    if (l.classes[i] != address_class::carrier_nat) continue;
    const int depth = static_cast<int>(i) - 1;
    if (reached > depth || (f.blocking && *f.blocking > i)) return f;
    return nat_no_forward(ev, l, i, "");
  }
  return f;
}

// ---------------------------------------------------------------------------
// Evidence lines for the host and the internet, and the hop statuses.

std::string admin_word(host_os os) { return os == host_os::windows_host ? "administrator" : "root"; }

void add_owner_evidence(const evidence& ev, const port_owner& o, hop& host) {
  std::string line = "port " + port_text(ev.port) + " held by " + owner_text(o);
  for (const auto& a : o.addresses) line += " " + a;
  if (!o.unit.empty()) line += (ev.os == host_os::linux_host ? ", unit " : ", service ") + o.unit;
  if (!o.container.empty()) line += ", " + o.container;
  host.evidence.push_back(line);
  if (!o.services.empty()) {
    std::vector<std::string> names;
    for (const auto& s : o.services) names.push_back(service_text(s));
    host.evidence.push_back(owner_text(o) + " running " + joined(names, ", "));
  }
  if (o.access_denied) host.evidence.push_back(owner_text(o) + ": image path not readable: access denied");
  else if (!o.image_path.empty()) host.evidence.push_back(owner_text(o) + ": image " + o.image_path);
  for (const auto& url : o.urls) host.evidence.push_back(owner_text(o) + ": http.sys URL " + url);
}

void add_bind_evidence(const evidence& ev, hop& host) {
  const auto& local = ev.local;
  const auto p = port_text(ev.port);
  switch (local.state) {
    case bind_state::free: host.evidence.push_back("port " + p + " was free on IPv4 and IPv6"); break;
    case bind_state::forbidden:
      host.evidence.push_back(ev.os == host_os::windows_host
                                  ? "binding port " + p + " was refused (WSAEACCES) and no program holds it"
                                  : "binding port " + p + " was refused: permission denied");
      break;
    case bind_state::held:
    case bind_state::loopback_only:
      for (const auto& o : local.owners) add_owner_evidence(ev, o, host);
      if (local.owners_hidden)
        host.evidence.push_back("some sockets on port " + p + " belong to processes this user cannot see (run as " +
                                admin_word(ev.os) + ")");
      break;
  }
}

void add_reservation_evidence(const evidence& ev, hop& host) {
  const auto& local = ev.local;
  const auto p = port_text(ev.port);
  const bool proxy_holds = proxy_holds_port(ev);
  for (const auto& r : proxy_rules(ev)) {
    std::string line = "portproxy rule " + r.kind + " " + format_endpoint(r.listen_address, r.listen_port) + " → " +
                       format_endpoint(r.connect_address, r.connect_port) + " listens on port " + p;
    if (proxy_holds) line += " (the IP Helper service, iphlpsvc, holds the port for it)";
    else if (local.state == bind_state::free) line += ", yet the port was free: is the IP Helper service (iphlpsvc) stopped?";
    else line += ", yet " + owners_text(local) + " holds the port, not the IP Helper service";
    host.evidence.push_back(line);
  }
  if (proxy_holds && ev.mode == probe_mode::service) {
    const auto r = proxy_rules(ev).front();
    const auto target = format_endpoint(r.connect_address, r.connect_port);
    host.evidence.push_back("--service: the relay probes the portproxy, which relays to " + target);
    host.evidence.push_back(!local.proxy_target_accepts ? "the portproxy's target " + target + " was not tried"
                            : *local.proxy_target_accepts
                                ? "the portproxy's target " + target + " accepted a connection from this host"
                                : "the portproxy's target " + target + " refused a connection from this host");
  }
  if (const auto& range = local.excluded) {
    host.evidence.push_back("port " + p + " lies in the excluded port range " + range_text(*range) +
                            (range->administered ? ", added by an administrator (* in netsh)"
                                                 : ", kept by Hyper-V / WinNAT; netstat shows nothing for it"));
  }
  for (const auto& m : local.missing) host.evidence.push_back("not read: " + m.what + ": " + m.why);
}

void add_local_evidence(const evidence& ev, hop& host) {
  add_bind_evidence(ev, host);
  if (ev.local.squatter) host.evidence.push_back("known port squatter: " + ev.local.squatter->description);
  add_reservation_evidence(ev, host);
  if (ev.agent_listening) host.evidence.push_back("probe-client listened on port " + port_text(ev.port) + " on all addresses");
}

std::string foreign_peer_evidence(const connect_back_result& cb) {
  if (cb.banner_skipped) return " (its banner was not waited for: it could only have named the peer)";
  if (cb.silent) return " (the peer sent nothing in " + format_ms(cb.total_ms - cb.connect_ms) + ")";
  return " (banner \"" + escape_bytes(cb.banner) + "\")";
}

void add_connect_back_evidence(const evidence& ev, hop& h) {
  const auto& cb = ev.connect_back;
  if (cb.outcome == connect_outcome::not_run) return;
  std::string line = "connect-back to " + format_endpoint(cb.dialed_address, cb.port) + ": " +
                     std::string(to_string(cb.outcome));
  if (cb.outcome == connect_outcome::foreign) line += foreign_peer_evidence(cb);
  if (cb.icmp) line += " (ICMP type " + std::to_string(cb.icmp->type) + " code " + std::to_string(cb.icmp->code) + " from " + cb.icmp->from + ")";
  line += " after " + format_ms(cb.connect_ms);
  h.evidence.push_back(line);
}

void add_capture_evidence(const capture_evidence& cap, hop& host) {
  if (!cap.available) {
    host.evidence.push_back("packet capture unavailable: " + cap.unavailable_reason);
    return;
  }
  if (!cap.syn_seen) {
    host.evidence.push_back("capture: no relay SYN reached this host");
    return;
  }
  std::string line = "capture: " + std::to_string(cap.syn_count) + " relay SYN(s) arrived";
  if (cap.arrived_port) line += " on port " + std::to_string(*cap.arrived_port);
  line += cap.answer == host_answer::none ? "; this host sent nothing back"
                                          : "; this host answered " + std::string(to_string(cap.answer));
  host.evidence.push_back(line);
}

std::string firewall_decision_line(const host_firewall_evidence& fw, const std::string& port) {
  switch (fw.decision) {
    case firewall_decision::allowed:
      return "firewall: inbound TCP " + port + " from the internet is allowed" +
             (fw.rule.empty() ? std::string() : " by the rule " + quoted(fw.rule));
    case firewall_decision::blocked:
      return "firewall: inbound TCP " + port + " from the internet is blocked: " + block_reason_text(fw);
    case firewall_decision::firewall_off: return "firewall: off for the " + profiles_text(fw) + " profile";
    case firewall_decision::unknown: break;
  }
  return "firewall: whether inbound TCP " + port + " is allowed could not be told";
}

std::string firewall_log_line(const host_firewall_evidence& fw, const std::string& port) {
  const auto log = "firewall log" + (fw.log_path.empty() ? std::string() : " " + fw.log_path);
  if (fw.log_shows_drop)
    return log + (*fw.log_shows_drop ? ": a DROP of the relay's SYN to port " : ": no DROP of the relay's SYN to port ") + port;
  if (!fw.log_unavailable_reason.empty()) return "firewall log not read: " + fw.log_unavailable_reason;
  return fw.logging_dropped ? "firewall log not read" : "firewall log not read: dropped packets are not logged";
}

/// Firewall facts always show on the host, whatever the verdict.
void add_firewall_evidence(const evidence& ev, hop& host) {
  if (!ev.firewall) return;
  const auto& fw = *ev.firewall;
  const auto p = port_text(ev.port);
  if (!fw.available) {
    host.evidence.push_back(firewall_name(ev.os) + " not read: " + fw.unavailable_reason);
  } else {
    host.evidence.push_back("firewall: active profile " + profiles_text(fw) +
                            (fw.network_name.empty() ? std::string() : " on the network " + quoted(fw.network_name)));
    host.evidence.push_back(firewall_decision_line(fw, p));
    if (!fw.detail.empty()) host.evidence.push_back("firewall: " + fw.detail);
  }
  host.evidence.push_back(firewall_log_line(fw, p));
}

void add_internet_evidence(const evidence& ev, const layout& l, hop& internet) {
  if (!ev.public_address.empty())
    internet.evidence.insert(internet.evidence.begin(),
                             "relay " + ev.relay_address + " sees this host as " + ev.public_address);
  if (l.public_ttl)
    internet.evidence.push_back("public address is " + std::to_string(*l.public_ttl) + " hop(s) from the relay");
}

/// How deep the probes demonstrably got: hops before that depth passed.
int reached_depth(const evidence& ev, const layout& l, const sweep_reading& r) {
  int reached = -1;
  if (r.deepest_forward) reached = *r.deepest_forward + 1;
  if (r.answer_depth) reached = std::max(reached, *r.answer_depth);
  if (ev.capture.syn_seen || ev.connect_back.outcome == connect_outcome::verified ||
      read_firewall(ev) == firewall_view::log_shows_drop)
    reached = l.host_depth();
  return reached;
}

void set_statuses(const evidence& ev, const finding& f, const sweep_reading& r, layout& l) {
  const int reached = reached_depth(ev, l, r);
  for (std::size_t i = 0; i < l.hops.size(); ++i) {
    auto& h = l.hops[i];
    const int depth = static_cast<int>(i) - 1;
    if (f.why == cause::reachable) h.status = hop_status::pass;
    else if (f.blocking && i == *f.blocking) h.status = hop_status::blocked;
    else if (f.blocking && i > *f.blocking) h.status = hop_status::not_reached;
    else if (depth < reached || (i == 0 && reached >= 0)) h.status = hop_status::pass;
    else h.status = hop_status::unknown;
  }
}

}  // namespace

bool holder_in_the_way(const evidence& ev) {
  if (!port_taken(ev.local)) return false;
  if (ev.mode == probe_mode::listen) return true;
  // Under --service a portproxy rule is the way in the user asked about.
  if (proxy_holds_port(ev)) return ev.mode != probe_mode::service;
  return ev.local.squatter.has_value();
}

const std::vector<fix_spec>& fix_catalogue() {
  static const std::vector<fix_spec> catalogue = [] {
    const std::vector<std::string> rule = {"port", "kind", "listen_address", "listen_port", "connect_address",
                                           "connect_port"};
    return std::vector<fix_spec>{
        {"firewall_allow", {"port"}},
        {"get_capture", {"port"}},
        {"sweep_and_capture", {"port"}},
        {"forbidden_port", {"port"}},
        {"excluded_range", {"port", "first", "last", "count", "ip_version"}},
        {"excluded_range_administered", {"port", "first", "last", "count", "ip_version"}},
        {"stop_service", {"port", "unit", "program"}},
        {"stop_one_of_services", {"port", "program", "pid", "services"}},
        {"stop_process", {"port", "program", "pid", "command"}},
        {"find_holder", {"port"}},
        {"see_hidden_owners", {"port"}},
        {"portproxy_delete", rule},
        {"portproxy_comes_back", {"port"}},
        {"portproxy_target", rule},
        {"firewall_profile_mismatch", {"port", "rule", "network", "profile"}},
        {"firewall_other_program", {"port", "rule"}},
        {"firewall_block_rule", {"port", "rule"}},
        {"firewall_local_subnet", {"port", "rule"}},
        {"firewall_block_all_inbound", {"port", "profile"}},
        {"other_firewall", {"port"}},
    };
  }();
  return catalogue;
}

verdict diagnose(const evidence& ev, const fix_book& fixes) {
  const fix_writer fx(fixes, ev.os, ev.port);
  layout l = build_layout(ev);
  add_local_evidence(ev, l.hops.back());  // what this host knows comes first
  const auto sweep = read_sweep(ev, l);
  auto& host = l.hops.back();
  add_capture_evidence(ev.capture, host);
  add_firewall_evidence(ev, host);
  add_connect_back_evidence(ev, sweep.answer_depth ? l.hops[l.at_depth(*sweep.answer_depth)] : host);
  add_internet_evidence(ev, l, l.hops.front());

  const bool service_listening = ev.local.state == bind_state::held && ev.mode != probe_mode::listen;
  const network_context context{ev, l, sweep, ev.agent_listening || service_listening, fx};
  finding network = prefer_cgnat(ev, l, reached_depth(ev, l, sweep), network_finding(context));
  finding result = network;
  if (auto local = local_finding(ev, l, fx)) {
    const bool network_blocks_earlier = network.blocking && *network.blocking < l.host_index() &&
                                        network.why != cause::reachable;
    if (network_blocks_earlier) {
      // Fix the outer block first; the local one still needs fixing after it.
      result.fix.push_back("Then on this host: " + local->summary);
      result.fix.insert(result.fix.end(), local->fix.begin(), local->fix.end());
    } else {
      result = *local;
    }
  }
  set_statuses(ev, result, sweep, l);
  return {result.why, result.blocking, result.summary, result.fix, std::move(l.hops)};
}

}  // namespace reachback
