// SPDX-License-Identifier: MIT
// What the routers said about themselves (UPnP IGD, NAT-PMP, PCP) and what
// the relay's control probe to a second port showed, weighed as evidence: a
// mapping a router lists is its own word and strong; a mapping it does not
// list is weak, because forwards made by hand in a web UI are often missing
// from its UPnP table. Neither the routers nor the control probe ever add a
// candidate: they name a wrong target exactly, and reorder the candidates
// the network's evidence left open.
#include "verdict_parts.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "address.hpp"

namespace reachback::verdict_parts {
namespace {

std::string protocol_name(router_protocol p) {
  switch (p) {
    case router_protocol::upnp_igd1: return "UPnP IGD:1";
    case router_protocol::upnp_igd2: return "UPnP IGD:2";
    case router_protocol::nat_pmp: return "NAT-PMP";
    case router_protocol::pcp: return "PCP";
  }
  return "UPnP";
}

/// "UPnP" for either IGD version: the name a user looks for in a router's menu.
std::string source_name(router_protocol p) {
  return p == router_protocol::upnp_igd1 || p == router_protocol::upnp_igd2 ? "UPnP" : protocol_name(p);
}

/// The router that answered for `address`, if one was asked.
const router_evidence* router_at(const evidence& ev, const std::optional<std::string>& address) {
  if (!ev.routers || !address) return nullptr;
  const auto found = std::find_if(ev.routers->begin(), ev.routers->end(),
                                  [&](const router_evidence& r) { return r.address == *address; });
  return found == ev.routers->end() ? nullptr : &*found;
}

/// A router's own report of its WAN address, when it is one the router in
/// front can forward to: private or carrier-grade. A public address from a
/// router behind another NAT is configured, not what the router in front sees.
std::optional<std::string> reported_wan(const router_evidence* r) {
  if (!r || !r->external_address || r->external_address->value.empty()) return std::nullopt;
  const auto cls = classify_address(r->external_address->value);
  if (cls != address_class::private_net && cls != address_class::carrier_nat) return std::nullopt;
  return r->external_address->value;
}

/// Where the NAT at `index` must forward the port, and who says so.
void expect_target(const evidence& ev, const layout& home, std::size_t index, router_view& view) {
  if (index + 1 == home.host_index()) {
    if (home.hops.back().address) view.expected_target = format_endpoint(*home.hops.back().address, ev.port);
    view.expected_by = "this host";
    return;
  }
  const auto& next = home.hops[index + 1];
  if (const auto wan = reported_wan(next.router ? &*next.router : nullptr)) {
    view.expected_target = format_endpoint(*wan, ev.port);
    view.expected_by = "the " + next.name + "'s WAN address (as the " + next.name + " itself reports it)";
  }
}

bool is_this_host(const evidence& ev, const layout& home, const std::string& address) {
  if (home.hops.back().address == address) return true;
  return ev.path && std::find(ev.path->host_addresses.begin(), ev.path->host_addresses.end(), address) !=
                        ev.path->host_addresses.end();
}

void read_forward(const evidence& ev, const layout& home, std::size_t index, const router_evidence& r,
                  router_view& view) {
  if (!r.mapping) {
    if (r.mappings_read) view.forward = listed_forward::not_listed;
    return;
  }
  const auto& m = *r.mapping;
  view.listed_target = format_endpoint(m.internal_client, m.internal_port);
  if (!m.enabled) view.forward = listed_forward::disabled;
  else if (view.expected_target) view.forward = view.listed_target == *view.expected_target ? listed_forward::right
                                                                                             : listed_forward::wrong_target;
  // An outer router cannot reach this host past the NAT in front of it.
  else if (index + 1 < home.host_index() && is_this_host(ev, home, m.internal_client))
    view.forward = listed_forward::wrong_target;
  else view.forward = listed_forward::target_unverified;
}

/// "the ISP hub 192.168.0.1 (its UPnP table)"
std::string mapping_source(const router_evidence& r) {
  return r.mapping_source ? source_name(*r.mapping_source) : std::string("UPnP");
}

// ---------------------------------------------------------------------------
// Evidence lines.

std::string answered_line(const router_evidence& r) {
  if (r.answered.empty())
    return "asked for UPnP IGD, NAT-PMP and PCP: none answered (UPnP may be off; its forwards show only on its own "
           "web page)";
  std::vector<std::string> names;
  for (const auto p : r.answered) names.push_back(protocol_name(p));
  std::string line = "answered " + or_list(names);
  line.replace(line.rfind(" or ") == std::string::npos ? line.size() : line.rfind(" or "),
               line.rfind(" or ") == std::string::npos ? 0 : 4, " and ");
  std::vector<std::string> device;
  for (const auto* part : {&r.friendly_name, &r.manufacturer, &r.model_name})
    if (!part->empty() && std::find(device.begin(), device.end(), *part) == device.end()) device.push_back(*part);
  if (!device.empty()) line += ": " + joined(device, ", ");
  return line;
}

std::string external_line(const evidence& ev, const layout& home, std::size_t index, const router_text_fact& fact) {
  const auto source = " (" + source_name(fact.source) + ")";
  if (fact.value.empty())
    return "reports no external address" + source + ": it is itself behind a NAT, and refuses mappings";
  auto line = "reports its external address as " + fact.value + source;
  switch (classify_address(fact.value)) {
    case address_class::carrier_nat:
      return line + ": a carrier-grade NAT address (100.64.0.0/10), so your ISP's NAT is in front of it";
    case address_class::private_net: return line + ": a private address, so another NAT is in front of it";
    case address_class::public_net:
      if (index > 1) return line + ": set in its configuration, not what the " + home.hops[index - 1].name + " sees";
      if (fact.value != ev.public_address) return line + ", but the relay sees " + ev.public_address;
      return line;
    case address_class::loopback:
    case address_class::unknown: break;
  }
  return line;
}

std::string forward_line(const evidence& ev, const router_evidence& r, const router_view& view) {
  const auto p = protocol_word(ev) + " " + port_text(ev.port);
  const auto table = "its " + mapping_source(r) + " table";
  switch (view.forward) {
    case listed_forward::not_asked: return {};
    case listed_forward::not_listed:
      return table + " lists no mapping for " + p +
             " (weak evidence: forwards made in a router's web page are often not listed)";
    case listed_forward::right:
      return table + " maps " + p + " to " + view.listed_target + ", which is " + view.expected_by + " (right)";
    case listed_forward::target_unverified: return table + " maps " + p + " to " + view.listed_target;
    case listed_forward::wrong_target:
      return table + " maps " + p + " to " + view.listed_target + ", but " +
             (view.expected_target ? view.expected_by + " is " + *view.expected_target
                                   : std::string("that is this host, which it cannot reach past the NAT in front"));
    case listed_forward::disabled: return table + " lists " + p + " → " + view.listed_target + " as disabled";
  }
  return {};
}

void add_lines(const evidence& ev, const layout& home, std::size_t index, const router_view& view, hop& h) {
  const auto& r = *h.router;
  h.evidence.push_back(answered_line(r));
  if (r.external_address) h.evidence.push_back(external_line(ev, home, index, *r.external_address));
  if (r.wan_connected && !*r.wan_connected) h.evidence.emplace_back("says its WAN connection is down (UPnP)");
  if (auto line = forward_line(ev, r, view); !line.empty()) h.evidence.push_back(std::move(line));
  for (const auto& m : r.missing) h.evidence.push_back(m.what + " not read: " + m.why);
}

std::string outcome_words(const evidence& ev, connect_outcome o) {
  switch (o) {
    case connect_outcome::refused: return "was refused (" + std::string(words(ev).refusal_tag) + ")";
    case connect_outcome::unreachable: return "got ICMP unreachable";
    case connect_outcome::connected:
    case connect_outcome::verified:
    case connect_outcome::foreign: return "was accepted";
    case connect_outcome::timeout: return "got no answer";
    case connect_outcome::not_run: break;
  }
  return "was not sent";
}

/// ICMP unreachable without the ICMP error itself: the relay could not
/// send the probe (a local failure on its side, such as no free descriptor),
/// which says nothing about the network.
bool relay_side_failure(const control_probe_result& c) {
  return c.outcome == connect_outcome::unreachable && !c.icmp;
}

std::string control_line(const evidence& ev, const control_probe_result& c) {
  const auto to = "control probe: the relay's " + probe_word(ev) + " to port " + std::to_string(c.port) + " of " + ev.public_address;
  if (relay_side_failure(c)) return to + " could not be sent (a failure on the relay's side: no evidence either way)";
  auto line = to + " " + outcome_words(ev, c.outcome);
  if (c.outcome != connect_outcome::timeout && c.outcome != connect_outcome::not_run)
    line += " after " + format_ms(c.connect_ms);
  return line;
}

/// Something at the public address answered the control probe.
bool control_answered(const evidence& ev) {
  if (!ev.control_probe || relay_side_failure(*ev.control_probe)) return false;
  const auto o = ev.control_probe->outcome;
  return o == connect_outcome::refused || o == connect_outcome::unreachable || o == connect_outcome::connected;
}

// ---------------------------------------------------------------------------
// Weighing.

/// What weighing the candidates looks at.
struct weighing {
  const evidence& ev;
  const layout& home;
  const std::vector<router_view>& routers;
  int reached;  ///< reached_depth()
  /// The sweep's deepest hop that forwarded a probe inward (its TTL answered).
  std::optional<int> deepest_forward;
  const fix_writer& fixes;

  [[nodiscard]] bool is_router(std::size_t i) const { return i > 0 && !home.is_host(i); }
  /// The router at `i` lists a forward of the port (right, or its target unchecked).
  [[nodiscard]] bool forward_listed(std::size_t i) const {
    return is_router(i) &&
           (routers[i].forward == listed_forward::right || routers[i].forward == listed_forward::target_unverified);
  }
  /// The sweep shows the router at `i` forwarding the probes inward.
  [[nodiscard]] bool forwarded_probes(std::size_t i) const {
    return is_router(i) && deepest_forward && static_cast<int>(i) - 1 <= *deepest_forward;
  }
};

/// The outermost candidate whose own table lists the port's mapping to the
/// wrong place, or disabled.
std::optional<std::size_t> listed_wrong(const std::vector<router_view>& routers, const std::vector<std::size_t>& order) {
  std::optional<std::size_t> outermost;
  for (const auto i : order) {
    const auto f = routers[i].forward;
    if ((f == listed_forward::wrong_target || f == listed_forward::disabled) && (!outermost || i < *outermost))
      outermost = i;
  }
  return outermost;
}

finding wrong_mapping(const weighing& w, std::size_t index) {
  const auto& view = w.routers[index];
  const auto router = hop_label(w.home.hops[index]);
  const auto p = std::to_string(w.ev.port);
  const auto& r = *w.home.hops[index].router;
  const auto target =
      view.expected_target ? *view.expected_target : "the " + w.home.hops[index + 1].name + "'s WAN address:" + p;
  if (view.forward == listed_forward::disabled) {
    return {cause::nat_no_forward, index,
            "The " + router + " has its mapping of " + protocol_word(w.ev) + " " + p + " to " + view.listed_target +
                " disabled (its " +
                mapping_source(r) + " table says so).",
            {router + ": enable the port forward for " + protocol_word(w.ev) + " WAN " + p + " → " + target + "."}};
  }
  return {cause::nat_wrong_target, index,
          "The " + router + " forwards port " + p + " to " + view.listed_target + ", but " +
              (view.expected_target ? view.expected_by + " is " + *view.expected_target
                                    : std::string("that is this host, which it cannot reach past the NAT in front")) +
              " (its own " + mapping_source(r) + " table says so).",
          {router + ": change the port forward for " + protocol_word(w.ev) + " WAN " + p + " so its target is " + target +
           "."}};
}

/// How likely candidate `i` is, lower first, from the routers' own word and
/// the control probe.
int rank(const weighing& w, std::size_t i) {
  if (i == 0) {
    bool every_forward_listed = w.home.host_index() > 1;
    for (std::size_t n = 1; n < w.home.host_index(); ++n) every_forward_listed = every_forward_listed && w.forward_listed(n);
    const bool other_port_answered = w.reached < 0 && control_answered(w.ev);
    return every_forward_listed || other_port_answered ? -1 : 0;
  }
  if (!w.forward_listed(i)) return 0;
  return w.routers[i].forward == listed_forward::right ? 2 : 1;
}

/// Candidates most likely first. Listed forwards sink, outermost first among
/// them: a router whose forward is in place answers a probe that expires at
/// it, so the drop comes after the outermost one the probes reached. When
/// the hop the probes went silent at lists its forward, the probes died in
/// front of it, so the hops outward of it come first.
std::vector<std::size_t> ranked(const weighing& w, std::vector<std::size_t> order) {
  const auto silent_at = order.front();
  const bool died_in_front = w.forward_listed(silent_at);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const int ra = rank(w, a);
    const int rb = rank(w, b);
    if (ra != rb) return ra < rb;
    if (ra > 0) return a < b;
    return died_in_front && a < silent_at && b > silent_at;
  });
  return order;
}

/// What the routers and the control probe said about the candidates, as one sentence.
std::string answers_sentence(const weighing& w, const std::vector<std::size_t>& order) {
  std::vector<std::string> parts;
  const auto p = std::to_string(w.ev.port);
  for (const auto i : order) {
    if (!w.is_router(i)) continue;
    const auto router = "the " + hop_label(w.home.hops[i]);
    const auto& view = w.routers[i];
    switch (view.forward) {
      case listed_forward::not_listed: parts.push_back(router + " lists no mapping for " + p + " (weak evidence)"); break;
      case listed_forward::right:
        parts.push_back(router + " lists its forward to " + view.listed_target + ", which is right");
        break;
      case listed_forward::target_unverified: parts.push_back(router + " lists a forward to " + view.listed_target); break;
      default: break;
    }
  }
  if (w.reached < 0 && w.ev.control_probe && std::find(order.begin(), order.end(), 0) != order.end()) {
    const auto& c = *w.ev.control_probe;
    if (control_answered(w.ev))
      parts.push_back("the relay's control probe to port " + std::to_string(c.port) + " " + outcome_words(w.ev, c.outcome) +
                      ", so unsolicited " + probe_word(w.ev) + "s to other ports get through to your routers and port " + p +
                      " alone is dropped on the way");
    else if (c.outcome == connect_outcome::timeout)
      parts.push_back("the relay's control probe to port " + std::to_string(c.port) +
                      " got no answer either, so something drops every unsolicited " + probe_word(w.ev));
  }
  if (parts.empty()) return {};
  auto text = joined(parts, "; ");
  text.front() = static_cast<char>(text.front() - 'a' + 'A');
  return text + ".";
}

/// Why candidate `i` would block, as "most likely ..." says it.
std::string blocks_because(const weighing& w, std::size_t i) {
  const auto p = std::to_string(w.ev.port);
  if (i == 0) return "your ISP blocks port " + p + " upstream";
  if (w.home.is_host(i)) return "something on this host drops port " + p;
  const auto router = "the " + hop_label(w.home.hops[i]);
  if (w.forward_listed(i)) return router + "'s own firewall drops what it forwards";
  if (w.forwarded_probes(i))
    return router + " forwards port " + p + " (its TTL answered) to a stale address, or its own firewall drops it";
  return router + " does not forward port " + p;
}

cause cause_of(const weighing& w, std::size_t i) {
  return w.is_router(i) && !w.forward_listed(i) && !w.forwarded_probes(i) ? cause::nat_no_forward : cause::filtered;
}

/// Where the router at `i` must forward the port.
std::string target_of(const weighing& w, std::size_t i) {
  const auto& view = w.routers[i];
  if (view.expected_target) return *view.expected_target;
  return "the " + w.home.hops[i + 1].name + "'s WAN address:" + std::to_string(w.ev.port);
}

/// What fixes candidate `i`.
std::vector<std::string> fix_for(const weighing& w, std::size_t i) {
  const auto p = std::to_string(w.ev.port);
  if (i == 0)
    return {"Ask your ISP whether it blocks inbound " + protocol_word(w.ev) + " " + p +
            " (many block 25, 80, 443 and 8080), or serve on a high port instead."};
  if (w.home.is_host(i)) {
    auto steps = firewall_fix(w.ev, w.fixes);
    append(steps, host_evidence_steps(w.ev, w.fixes));
    return steps;
  }
  const auto router = hop_label(w.home.hops[i]);
  const auto& view = w.routers[i];
  const auto protocol = protocol_word(w.ev);
  const auto allow = "allow forwarded " + protocol + " " + p + " in its firewall.";
  if (view.forward == listed_forward::right) return {router + ": its forward of " + protocol + " " + p + " is in place; " + allow};
  if (w.forward_listed(i) || w.forwarded_probes(i)) {
    const auto listed = w.forward_listed(i) ? view.listed_target : "its forward's target";
    return {router + ": check that " + listed + " is still " + target_of(w, i) + " (a DHCP renewal may have changed it), and " +
            allow};
  }
  return {router + ": add a port forward " + protocol + " WAN " + p + " → " + target_of(w, i) + "."};
}

/// The finding the reordered candidates make: the routers' answers, the
/// most likely candidate, the others and what tells them apart, and the
/// fix for each in order.
finding reordered(const weighing& w, const std::vector<std::size_t>& order, const std::string& sentence) {
  const auto lead = order.front();
  finding f{cause_of(w, lead), lead, sentence + " So most likely " + blocks_because(w, lead), fix_for(w, lead)};
  std::vector<std::string> others;
  for (auto it = order.begin() + 1; it != order.end(); ++it) {
    others.push_back(suspect_name(w.ev, w.home, *it));
    f.also.push_back(*it);
    append(f.fix, with_lead_in("If that is not it: ", fix_for(w, *it)));
  }
  f.summary += others.empty() ? "." : "; it could also be " + or_list(others) +
                                          ". What tells them apart: each router's port-forward page and firewall "
                                          "rules, and whether another port forwarded the same way is reachable.";
  return f;
}

/// The routers behind the blocking one, whose forwards the probes never
/// reached: one whose table lists no mapping gets its step too, so fixing
/// the first block does not just uncover the next.
void add_inner_steps(const weighing& w, finding& f) {
  if (!f.blocking || !w.is_router(*f.blocking)) return;
  const auto p = std::to_string(w.ev.port);
  // Right after the blocking router's own step, before any alternative to it.
  auto at = f.fix.begin() + (f.fix.empty() ? 0 : 1);
  for (auto i = *f.blocking + 1; i < w.home.host_index(); ++i) {
    if (w.routers[i].forward != listed_forward::not_listed) continue;
    at = std::next(f.fix.insert(at, "Then " + hop_label(w.home.hops[i]) + ": its UPnP table lists no mapping for " +
                                        protocol_word(w.ev) + " " + p +
                    " either; add a port forward " + protocol_word(w.ev) + " WAN " + p + " → " + target_of(w, i) +
                    ", unless one made in its web page is already there."));
  }
}

/// `f` reordered, or renamed to a listed wrong mapping, by the routers' word.
finding weighed_finding(const weighing& w, finding f) {
  std::vector<std::size_t> order = {*f.blocking};
  for (const auto i : f.also)
    if (std::find(order.begin(), order.end(), i) == order.end()) order.push_back(i);
  if (const auto wrong = listed_wrong(w.routers, order)) return wrong_mapping(w, *wrong);
  const auto sentence = answers_sentence(w, order);
  if (sentence.empty()) return f;
  const auto weighed = ranked(w, order);
  const bool claims_no_forward = f.why == cause::nat_no_forward && w.forward_listed(weighed.front());
  if (weighed != order || claims_no_forward) return reordered(w, weighed, sentence);
  f.summary += " " + sentence;
  return f;
}

}  // namespace

std::vector<router_view> read_routers(const evidence& ev, layout& home) {
  std::vector<router_view> views(home.hops.size());
  for (std::size_t i = home.host_index(); i-- > 1;) {  // innermost first: an outer forward's target is the next router's WAN
    auto& h = home.hops[i];
    if (const auto* r = router_at(ev, h.address)) h.router = *r;
    expect_target(ev, home, i, views[i]);
    if (h.router) read_forward(ev, home, i, *h.router, views[i]);
  }
  return views;
}

void add_router_evidence(const evidence& ev, const std::vector<router_view>& routers, layout& home) {
  for (std::size_t i = 1; i < home.host_index(); ++i)
    if (home.hops[i].router) add_lines(ev, home, i, routers[i], home.hops[i]);
  auto& internet = home.hops.front();
  if (ev.control_probe && ev.control_probe->outcome != connect_outcome::not_run)
    internet.evidence.push_back(control_line(ev, *ev.control_probe));
  if (ev.relay_rtt_ms)
    internet.evidence.push_back("the relay measured a round trip of " + format_ms(*ev.relay_rtt_ms) +
                                " to your address and waited for answers accordingly");
}

finding weigh_router_answers(const evidence& ev, const layout& home, const std::vector<router_view>& routers,
                             const sweep_reading& sweep, const fix_writer& fx, finding f) {
  if (f.why == cause::reachable || !f.blocking) return f;
  const weighing w{ev, home, routers, reached_depth(ev, home, sweep), sweep.deepest_forward, fx};
  f = weighed_finding(w, std::move(f));
  add_inner_steps(w, f);
  return f;
}

}  // namespace reachback::verdict_parts
