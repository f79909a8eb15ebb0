// SPDX-License-Identifier: MIT
#pragma once
// Internal to the verdict engine (verdict_engine.hpp): the parts diagnose()
// is built from, one file each, and the types they pass between them. Only
// the verdict_*.cpp files include this header; nothing here is an API.
//
//   verdict_layout.cpp          the hops of the report, and which relay TTL reaches which hop
//   verdict_sweep.cpp           what the relay's TTL sweep shows at each hop
//   verdict_fixes.cpp           every fix the engine asks for, and the fix book's steps filled in
//   verdict_local.cpp           findings the local port check proves: holders, portproxy, excluded ranges,
//                               a listener in the other IP family
//   verdict_firewall.cpp        findings from the host firewall's own rules and log
//   verdict_network.cpp         findings from where the relay's connect-back stopped
//   verdict_routers.cpp         what the routers said about themselves, and the relay's control probe
//   verdict_evidence_lines.cpp  the evidence lines listed under each hop
//   verdict_engine.cpp          diagnose(): the parts in order, and the hop statuses
//   verdict_hairpin.cpp         the hairpin finding after the verdict (verdict_hairpin.hpp)

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evidence.hpp"
#include "fix_book.hpp"
#include "verdict.hpp"

namespace reachback::verdict_parts {

// ---------------------------------------------------------------------------
// Layout (verdict_layout.cpp)

/// The home as far as the evidence shows it: hops[0] is the internet,
/// hops[1..n] the NATs from the outermost inward, the last one this host.
struct layout {
  std::vector<hop> hops;
  std::vector<address_class> classes;  ///< per hop, for naming and CGNAT
  /// Relay TTL at which a probe reaches hops[1] (depth 0).
  std::optional<int> public_ttl;

  /// This host's hop: the last.
  [[nodiscard]] std::size_t host_index() const { return hops.size() - 1; }
  /// This host's depth behind the public address: the number of NATs (or,
  /// in an IPv6 home, of its routers).
  [[nodiscard]] int host_depth() const { return static_cast<int>(hops.size()) - 2; }
  /// The hop at `depth` behind the public address (0 = outermost NAT, or
  /// an IPv6 home's outermost router).
  [[nodiscard]] std::size_t at_depth(int depth) const {
    return static_cast<std::size_t>(std::clamp(depth, 0, host_depth())) + 1;
  }
  [[nodiscard]] bool is_host(std::size_t index) const { return index == host_index(); }
  /// The NAT right in front of this host, if there is one (an IPv6 home's
  /// routers translate nothing).
  [[nodiscard]] std::optional<std::size_t> innermost_nat() const {
    if (hops.size() <= 2 || hops[host_index() - 1].role != hop_role::nat) return std::nullopt;
    return host_index() - 1;
  }
};

/// The hops `ev` shows, each with the line that shows it (the relay's view
/// of the public address, the path trace's lines), and the relay TTL of the
/// outermost NAT.
[[nodiscard]] layout build_layout(const evidence& ev);

/// Whether `address` is one of this host's own, as the path trace listed them.
[[nodiscard]] bool is_own_address(const evidence& ev, const std::string& address);

/// "room router 192.168.1.1", or the name alone when the address is unknown.
[[nodiscard]] std::string hop_label(const hop& h);

// ---------------------------------------------------------------------------
// The relay's TTL sweep (verdict_sweep.cpp), in depths behind the public address.

/// What the sweep shows about the hops behind the public address.
struct sweep_reading {
  /// Deepest hop that forwarded a probe inward (ICMP time exceeded).
  std::optional<int> deepest_forward;
  /// First answer (TCP, UDP or ICMP unreachable) behind the public address.
  std::optional<sweep_hop> answer;
  std::optional<int> answer_depth;
};

/// Attaches each sweep line to its hop and finds how deep the probes got.
[[nodiscard]] sweep_reading read_sweep(const evidence& ev, layout& home);

/// How deep the relay's probes demonstrably got, as a depth behind the
/// public address: hops in front of it passed them. -1 when nothing shows a
/// probe got past the ISP's network to the public address.
[[nodiscard]] int reached_depth(const evidence& ev, const layout& home, const sweep_reading& sweep);

// ---------------------------------------------------------------------------
// Fix text (verdict_fixes.cpp): the fix book's steps in the host OS's commands.

/// One placeholder's value: "{name}" in a step becomes `value`.
struct fill {
  std::string_view name;
  std::string value;
};
using fills = std::vector<fill>;

/// Picks the host OS's steps of a fix and fills in the port, the transport's
/// words ({protocol}, {protocol_lower}, {probe}) and the values given.
class fix_writer {
 public:
  fix_writer(const fix_book& book, host_os os, std::uint16_t port, transport protocol)
      : book_(book), os_(os), port_(port), protocol_(protocol) {}

  /// The steps of fix `id` (an id of fix_catalogue()) with `values` filled in.
  [[nodiscard]] std::vector<std::string> steps(std::string_view id, fills values = {}) const;

 private:
  const fix_book& book_;
  host_os os_;
  std::uint16_t port_;
  transport protocol_;
};

/// Appends the steps `more` to `to`.
inline void append(std::vector<std::string>& to, const std::vector<std::string>& more) {
  to.insert(to.end(), more.begin(), more.end());
}

// ---------------------------------------------------------------------------
// Findings.

/// One cause at one hop, with its one-line summary and its fix: the network's
/// or the local check's, until diagnose() picks the verdict from them.
/// diagnose() makes the verdict's candidates `blocking` and then `also`,
/// so the verdict's blocking hop is always its first candidate.
struct finding {
  cause why = cause::inconclusive;
  std::optional<std::size_t> blocking;  ///< index into layout::hops
  std::string summary;
  std::vector<std::string> fix;
  /// The other hops the evidence cannot rule out, most likely first;
  /// ignored without `blocking`. The summary names each of them.
  std::vector<std::size_t> also = {};
};

// ---------------------------------------------------------------------------
// Words every part uses.

/// "3000"
[[nodiscard]] inline std::string port_text(std::uint16_t port) { return std::to_string(port); }

/// The words for the transport `ev` probed: "SYN" or "datagram", "TCP" or "UDP".
[[nodiscard]] inline const transport_words& words(const evidence& ev) { return words_for(ev.protocol); }
/// "SYN", "datagram", as a std::string to build sentences with.
[[nodiscard]] inline std::string probe_word(const evidence& ev) { return std::string(words(ev).probe); }
/// "TCP", "UDP", as a std::string to build sentences with.
[[nodiscard]] inline std::string protocol_word(const evidence& ev) { return std::string(words(ev).protocol); }

/// ICMP port unreachable, in either family (ICMP type 3 code 3, ICMPv6 type 1
/// code 4): how a host refuses a datagram to a port nothing takes.
[[nodiscard]] inline bool is_port_unreachable(const icmp_info& icmp) {
  return (icmp.type == 3 && icmp.code == 3) || (icmp.type == 1 && icmp.code == 4);
}

/// `text` in double quotes, as a rule or network name is shown.
[[nodiscard]] inline std::string quoted(const std::string& text) { return "\"" + text + "\""; }

/// `parts` with `separator` between them.
[[nodiscard]] inline std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const auto& part : parts) text += (text.empty() ? "" : std::string(separator)) + part;
  return text;
}

/// `steps` with `lead_in` before the first one: the condition they hang on.
[[nodiscard]] inline std::vector<std::string> with_lead_in(std::string_view lead_in, std::vector<std::string> steps) {
  if (!steps.empty()) steps.front().insert(0, lead_in);
  return steps;
}

/// "0.4 ms", "12 ms": sub-millisecond loopback times keep a decimal.
[[nodiscard]] inline std::string format_ms(double ms) {
  if (ms >= 10) return std::to_string(std::lround(ms)) + " ms";
  const auto tenths = std::lround(ms * 10);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " ms";
}

/// "a", "a or b", "a, b or c"
[[nodiscard]] inline std::string or_list(const std::vector<std::string>& items) {
  std::string text;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += i + 1 == items.size() ? " or " : ", ";
    text += items[i];
  }
  return text;
}

/// "type 3 code 1", as an ICMP error is named in every line.
[[nodiscard]] inline std::string icmp_type_code(int type, int code) {
  return "type " + std::to_string(type) + " code " + std::to_string(code);
}

// ---------------------------------------------------------------------------
// This host's port (verdict_local.cpp).

/// The cause that the local port check alone proves, at hop `host`.
[[nodiscard]] std::optional<finding> local_finding(const evidence& ev, std::size_t host, const fix_writer& fx);

/// The port is held only in the family the relay's probe did not come over
/// (a `[::]` listener with IPV6_V6ONLY, probed over IPv4), so this host's own
/// stack refuses the probe: the cause at hop `host`. nullopt when the local
/// check does not show that.
[[nodiscard]] std::optional<finding> wrong_family(const evidence& ev, std::size_t host, const fix_writer& fx);

/// "svchost.exe (pid 1234)", "an unknown process".
[[nodiscard]] std::string owner_text(const port_owner& o);
/// Every owner of the port, or who it must be when none could be seen.
[[nodiscard]] std::string owners_text(const local_port_evidence& local);
/// The services running in `o`: "iphlpsvc (IP Helper), Dnscache".
[[nodiscard]] std::string services_text(const port_owner& o);

/// The portproxy rules that listen on the probed port.
[[nodiscard]] std::vector<portproxy_rule> proxy_rules(const evidence& ev);
/// Whether a portproxy rule, served by the IP Helper service, holds the port.
[[nodiscard]] bool proxy_holds_port(const evidence& ev);
/// The rule the relay's probe goes through under --service: the first on the
/// port. Only when proxy_holds_port().
[[nodiscard]] portproxy_rule probed_rule(const evidence& ev);
/// "v4tov4 0.0.0.0:3000 → 172.28.160.1:3000"
[[nodiscard]] std::string rule_endpoints(const portproxy_rule& r);
/// Where a portproxy rule relays to: "172.28.160.1:3000".
[[nodiscard]] std::string proxy_target(const portproxy_rule& r);
/// "49670-49769", with " (IPv6)" for an IPv6 range.
[[nodiscard]] std::string range_text(const excluded_port_range& r);

// ---------------------------------------------------------------------------
// The host firewall as the OS reports it (verdict_firewall.cpp), for where
// there is no packet capture to show what reached this host.

/// What the OS's own firewall evidence shows, when no capture watched.
enum class firewall_view { unknown, log_shows_drop, blocks, allows };

/// What the host firewall's own evidence shows; unknown where a capture
/// watched (it shows more) or the firewall could not be read.
[[nodiscard]] firewall_view read_firewall(const evidence& ev);

/// "Windows Defender Firewall", "the macOS firewall", "this host's firewall".
[[nodiscard]] std::string firewall_name(host_os os);
/// "Public", "Domain,Private": also the form Set-NetFirewallProfile takes.
[[nodiscard]] std::string profiles_text(const host_firewall_evidence& fw);
/// " by the rule \"name\"", or "" when no rule decided.
[[nodiscard]] std::string by_rule_text(const host_firewall_evidence& fw);
/// Why the firewall blocks, in words.
[[nodiscard]] std::string block_reason_text(const host_firewall_evidence& fw);
/// Why the firewall lets it through, in words.
[[nodiscard]] std::string allow_text(const host_firewall_evidence& fw);

/// The fix for the reason the firewall blocks, or the plain allow rule.
[[nodiscard]] std::vector<std::string> firewall_fix(const evidence& ev, const fix_writer& fx);
/// How to get what would tell this host apart from the router in front: a
/// capture (fix `id`), or the firewall's rules and log where the OS has no capture.
[[nodiscard]] std::vector<std::string> host_evidence_steps(const evidence& ev, const fix_writer& fx,
                                                           std::string_view id = "get_capture");

/// This host's firewall blocks the port, as `how` shows.
[[nodiscard]] finding host_firewall(const evidence& ev, const layout& home, const fix_writer& fx,
                                    const std::string& how);
/// The firewall's log shows the relay's probe dropped here: as good as a capture.
[[nodiscard]] finding firewall_log_drop(const evidence& ev, const layout& home, const fix_writer& fx);
/// The firewall's rules block the port; `what` is what the relay met at this
/// host's depth, and `answered` whether that was an answer.
[[nodiscard]] finding firewall_blocks(const evidence& ev, const layout& home, const fix_writer& fx,
                                      const std::string& what, bool answered);

// ---------------------------------------------------------------------------
// The network (verdict_network.cpp): where the relay's connect-back stopped and why.

/// The cause the relay's connect-back shows, at the hop where it stopped.
[[nodiscard]] finding network_finding(const evidence& ev, const layout& home, const sweep_reading& sweep,
                                      const fix_writer& fx);

/// A candidate hop as a summary names it: "the room router 192.168.1.1",
/// "this host's firewall", "your ISP upstream".
[[nodiscard]] std::string suspect_name(const evidence& ev, const layout& home, std::size_t index);

/// The IPv6 router at `index` stops the port with its inbound filter;
/// `how` says what it did to the relay's probe (verdict_router_firewall.cpp).
[[nodiscard]] finding router_firewall_blocks(const evidence& ev, const layout& home, std::size_t index,
                                             const std::string& how);

/// `f`, or the carrier NAT in front of its block, which explains it better
/// unless a probe is known to have got past it (to depth `reached`).
[[nodiscard]] finding prefer_cgnat(const evidence& ev, const layout& home, int reached, finding f);

// ---------------------------------------------------------------------------
// The routers' own answers (verdict_routers.cpp): UPnP IGD, NAT-PMP, PCP,
// and the relay's control probe to a second port.

/// What a router's own table says about its forward of the port. A listed
/// mapping is strong evidence; an unlisted one is weak, because forwards
/// made by hand in a router's web UI are often missing from its UPnP table.
enum class listed_forward { not_asked, not_listed, right, target_unverified, wrong_target, disabled };

/// One NAT hop's router, as its own answers show it.
struct router_view {
  listed_forward forward = listed_forward::not_asked;
  /// Where its forward must point, "192.168.1.23:3000", when known.
  std::optional<std::string> expected_target;
  /// Where its listed mapping points, "192.168.1.24:3000".
  std::string listed_target;
  /// Who says what the expected target is: "this host", "the room router's own UPnP".
  std::string expected_by;
};

/// Attaches each router's answers to its hop (hop::router) and reads what
/// they say about the port's forward; one view per hop of `home`.
[[nodiscard]] std::vector<router_view> read_routers(const evidence& ev, layout& home);

/// The routers' facts, each with its source, under their hops, and the
/// relay's control probe and RTT under the internet.
void add_router_evidence(const evidence& ev, const std::vector<router_view>& routers, layout& home);

/// `f` weighed against the routers' own answers and the control probe: a
/// listed mapping to the wrong place names the router exactly; listed
/// forwards and the control probe reorder the candidates, most likely first.
[[nodiscard]] finding weigh_router_answers(const evidence& ev, const layout& home,
                                           const std::vector<router_view>& routers, const sweep_reading& sweep,
                                           const fix_writer& fx, finding f);

// ---------------------------------------------------------------------------
// Evidence lines (verdict_evidence_lines.cpp).

/// What this host knows about its port, listed on `host` before any other line.
void add_local_evidence(const evidence& ev, hop& host);

/// The lines after the sweep's: the capture and the firewall on this host,
/// the connect-back on the hop that answered it, and the relay's distance
/// to the public address on the internet hop.
void add_probe_evidence(const evidence& ev, const sweep_reading& sweep, layout& home);

}  // namespace reachback::verdict_parts
