// SPDX-License-Identifier: MIT
#include "fix_plan.hpp"

#include <algorithm>
#include <optional>

#include "client/router/soap.hpp"
#include "common/address.hpp"

namespace reachback::client {
namespace {

std::string label(const hop& h) { return h.address ? h.name + " " + *h.address : h.name; }

bool answered(const router_evidence& r, router_protocol p) {
  return std::find(r.answered.begin(), r.answered.end(), p) != r.answered.end();
}

bool speaks_upnp(const router_evidence& r) { return !r.upnp_control_url.empty() && !r.upnp_service_type.empty(); }

/// Why the cause itself rules out a mapping as the fix; "" when a mapping may be it.
std::string cause_refusal(cause why, std::uint16_t port) {
  const auto p = std::to_string(port);
  switch (why) {
    case cause::reachable: return "port " + p + " is reachable from the internet already: nothing to fix";
    case cause::bind_conflict:
      return "another program holds port " + p + " on this host: a mapping would reach it, not your server; "
             "free the port first (see the fix above)";
    case cause::forbidden_port:
      return "this host keeps programs from binding port " + p + ": a mapping would reach nothing (see the fix above)";
    case cause::loopback_only:
      return "your server listens on loopback only, where no router can reach it: make it listen on all addresses "
             "first (see the fix above)";
    case cause::wrong_family:
      return "your server listens on port " + p + " in one IP family only, and the probe came over the other: a "
             "mapping would reach this host and be refused; make it listen on both first (see the fix above)";
    case cause::no_listener: return "nothing listens on port " + p + ": start your server first, then run --fix";
    case cause::host_firewall:
      return "this host's firewall drops port " + p +
             ": a mapping on the routers would not get past it (see the fix above)";
    case cause::cgnat:
      return "your ISP's carrier-grade NAT is in front of your routers: only your ISP can forward a port there "
             "(see the fix above)";
    case cause::router_firewall:
    case cause::nat_no_forward:
    case cause::nat_wrong_target:
    case cause::filtered:
    case cause::inconclusive: break;
  }
  return {};
}

/// A router's own report of its WAN address when the router in front can
/// forward to it: private or carrier-grade. A public one behind another NAT
/// is set in its configuration, not what the router in front sees.
std::optional<std::string> reported_wan(const std::optional<router_evidence>& r) {
  if (!r || !r->external_address || r->external_address->value.empty()) return std::nullopt;
  const auto cls = classify_address(r->external_address->value);
  if (cls != address_class::private_net && cls != address_class::carrier_nat) return std::nullopt;
  return r->external_address->value;
}

/// The router says it is itself behind a NAT without a WAN of its own:
/// miniupnpd then answers AddPortMapping with 501 ActionFailed.
std::optional<std::string> refuses_mappings(const hop& h) {
  const auto& r = *h.router;
  if (r.external_address && r.external_address->value.empty())
    return "the " + label(h) + " reports no external address (UPnP): it is itself behind a NAT and refuses "
           "mappings (miniupnpd answers 501); add the forward in its web page";
  if (r.wan_connected && !*r.wan_connected)
    return "the " + label(h) + " says its WAN connection is not connected (UPnP): it refuses mappings; add the "
           "forward in its web page";
  return std::nullopt;
}

/// Plans one NAT hop; `inner` is the hop toward this host.
struct hop_planner {
  const evidence& ev;
  const verdict& v;
  const fix_settings& settings;
  const std::string& host_address;
  fix_plan& plan;

  [[nodiscard]] bool is_this_host(const std::string& address) const {
    if (address == host_address) return true;
    return ev.path && std::find(ev.path->host_addresses.begin(), ev.path->host_addresses.end(), address) !=
                          ev.path->host_addresses.end();
  }

  void refuse(std::string line) {
    if (std::find(plan.refusals.begin(), plan.refusals.end(), line) == plan.refusals.end())
      plan.refusals.push_back(std::move(line));
  }

  /// Whether the router's listed mapping settles the hop: right (a note),
  /// or someone else's (a refusal). false when there is none.
  bool listed_mapping_settles(const hop& h, const std::optional<std::string>& target, bool innermost,
                              const std::string& target_words) {
    const auto& m = h.router->mapping;
    if (!m || !router::is_mapping_of(*m, ev.port, ev.protocol)) return false;
    const auto p = router::protocol_port_text(ev.protocol, ev.port);
    const auto listed = format_endpoint(m->internal_client, m->internal_port);
    const auto never = "; reachback never overwrites it";
    if (!m->enabled) {
      refuse("the " + h.name + " already has a disabled mapping of " + p + " to " + listed +
             "; reachback never changes it: enable or remove it in its web page");
      return true;
    }
    if (target) {
      if (m->internal_client == *target && m->internal_port == ev.port) {
        plan.notes.push_back(label(h) + " already maps " + p + " → " + listed + " (right): left as it is");
        return true;
      }
      if (innermost && m->internal_client != *target)
        refuse("the " + h.name + " already maps " + p + " to " + listed + ", another host" + never);
      else
        refuse("the " + h.name + " already maps " + p + " to " + listed + ", not " + target_words + " " +
               format_endpoint(*target, ev.port) + never);
      return true;
    }
    if (is_this_host(m->internal_client)) {
      refuse("the " + h.name + " maps " + p + " to " + listed +
             ", this host, which it cannot reach past the NAT in front of it" + never);
      return true;
    }
    // Whose address it is cannot be checked: the verification run tells.
    plan.notes.push_back(label(h) + " already maps " + p + " → " + listed + " (reachback cannot check that it is " +
                         target_words + "): left as it is");
    return true;
  }

  /// The protocols reachback may map through at this hop. PCP only at this
  /// host's own gateway: a PCP request names its sender's address and the
  /// server answers ADDRESS_MISMATCH when the datagram comes from another,
  /// as it does through the NAT of an inner router. NAT-PMP maps to whatever
  /// address the request arrives from, which for an outer router is exactly
  /// the inner router's WAN address.
  struct usable_protocols {
    bool upnp = false;
    bool natpmp = false;
    bool pcp = false;
    [[nodiscard]] bool any() const { return upnp || natpmp || pcp; }
  };

  static usable_protocols usable_at(const router_evidence& r, bool innermost) {
    return {speaks_upnp(r), answered(r, router_protocol::nat_pmp), innermost && answered(r, router_protocol::pcp)};
  }

  /// Why reachback cannot ask this hop at all, if it cannot.
  [[nodiscard]] std::optional<std::string> unaskable(const hop& h) const {
    if (!h.address) return "the " + h.name + " did not answer the path trace, so reachback has no address to ask it at";
    if (!h.router)
      return ev.routers ? "the " + label(h) + " was not asked about itself"
                        : "the routers were not asked about themselves (--no-routers): run --fix without it";
    return std::nullopt;
  }

  [[nodiscard]] static std::string no_protocol_refusal(const hop& h, const hop* inner) {
    if (answered(*h.router, router_protocol::pcp))  // and is not this host's gateway
      return "the " + label(h) + " answers only PCP, which cannot map for this host from behind the " + inner->name +
             " (its NAT rewrites the request's source, and the router answers ADDRESS_MISMATCH): if it has no forward "
             "yet, add one in its web page";
    return "the " + label(h) + " answers neither UPnP, NAT-PMP nor PCP, so reachback cannot map there: if it has no "
           "forward yet, add one in its web page (see the fix above)";
  }

  /// Chooses how `step` is made and for whom; refuses and returns false when
  /// the router speaks UPnP only and the inner router's WAN address, the
  /// mapping's target, is unknown.
  bool choose_method(mapping_spec& step, const hop& h, const hop* inner, const std::optional<std::string>& target,
                     usable_protocols can) {
    const auto& r = *h.router;
    if (can.upnp && target) {
      step.method = map_method::upnp;
      step.control_url = r.upnp_control_url;
      step.service_type = r.upnp_service_type;
      step.internal_client = *target;
    } else if (can.pcp) {
      step.method = map_method::pcp;
      step.internal_client = *target;
    } else if (can.natpmp) {
      // The router maps to the address the request arrives from: this host
      // for the innermost router, else the inner router's WAN address, which
      // its NAT puts on the request.
      step.method = map_method::natpmp;
      step.internal_client = target.value_or("");
      if (inner) step.via = inner->name;
    } else {
      const auto reported = inner->router && inner->router->external_address
                                ? " (it reports " + inner->router->external_address->value + ", set in its configuration)"
                                : std::string();
      refuse("the " + label(h) + " speaks UPnP only, and the " + inner->name + " does not report its WAN address" +
             reported + ": reachback cannot name the target; forward " +
             router::protocol_port_text(ev.protocol, ev.port) + " to the " + inner->name + "'s WAN address in the " +
             h.name + "'s web page");
      return false;
    }
    return true;
  }

  void plan_hop(std::size_t i, std::size_t host_index) {
    const auto& h = v.hops[i];
    if (const auto why = unaskable(h)) {
      refuse(*why);
      return;
    }
    const bool innermost = i + 1 == host_index;
    const hop* inner = innermost ? nullptr : &v.hops[i + 1];
    const std::optional<std::string> target = innermost ? std::optional(host_address) : reported_wan(inner->router);
    const std::string target_words = innermost ? "this host" : "the " + inner->name + "'s WAN address";
    if (listed_mapping_settles(h, target, innermost, target_words)) return;
    const auto can = usable_at(*h.router, innermost);
    if (!can.any()) {
      refuse(no_protocol_refusal(h, inner));
      return;
    }
    if (const auto refusal = refuses_mappings(h)) {
      refuse(*refusal);
      return;
    }
    mapping_spec step;
    step.router_name = h.name;
    step.router_address = *h.address;
    step.external_port = ev.port;
    step.protocol = ev.protocol;
    step.internal_port = ev.port;
    step.lease_seconds = settings.lease_seconds;
    if (!choose_method(step, h, inner, target, can)) return;
    // NAT-PMP and PCP lifetimes are seconds, and 0 deletes (RFC 6886 3.3, RFC 6887 15).
    if (step.method != map_method::upnp && settings.lease_seconds == 0) {
      refuse("the " + label(h) + " would be mapped by " + display_name(step.method) + ", which has no permanent "
             "mappings: use --lease SECONDS (up to " + std::to_string(max_lease_seconds) + "), or add the forward in "
             "its web page");
      return;
    }
    plan.steps.push_back(std::move(step));
  }
};

bool carrier_nat_in_front(const verdict& v) {
  for (const auto& h : v.hops) {
    if (h.role != hop_role::nat) continue;
    if (h.address && classify_address(*h.address) == address_class::carrier_nat) return true;
    if (h.router && h.router->external_address &&
        classify_address(h.router->external_address->value) == address_class::carrier_nat)
      return true;
  }
  return false;
}

/// The router_firewall plan: a pinhole at each router the verdict suspects,
/// innermost first, for this host's probed IPv6 address.
fix_plan plan_pinholes(const evidence& ev, const verdict& v, const fix_settings& settings) {
  fix_plan plan;
  const auto host_address = v.hops.empty() ? std::string() : v.hops.back().address.value_or("");
  if (v.hops.empty() || v.hops.back().role != hop_role::host || host_address.find(':') == std::string::npos) {
    plan.refusals.emplace_back("this host's IPv6 address on the path is not known, so no router can be told whom "
                               "to let in");
    return plan;
  }
  const auto what = router::protocol_port_text(ev.protocol, ev.port);
  if (settings.lease_seconds == 0 || settings.lease_seconds > router::max_pinhole_lease_seconds) {
    plan.refusals.push_back("an IPv6 pinhole lasts 1 s to 24 h and has no permanent lease: use --lease SECONDS up "
                            "to " + std::to_string(router::max_pinhole_lease_seconds) + ", or open " + what +
                            " in the router's IPv6 firewall settings (see the fix above)");
    return plan;
  }
  std::vector<std::size_t> routers;
  for (const auto i : v.candidates)
    if (i + 1 < v.hops.size() && v.hops[i].role == hop_role::router) routers.push_back(i);
  std::sort(routers.rbegin(), routers.rend());  // innermost first
  const auto blocking = v.blocking_hop();
  if (routers.empty() || !blocking || v.hops[*blocking].role != hop_role::router) {
    plan.refusals.emplace_back("the verdict names no router of this home to open a pinhole on");
    return plan;
  }
  for (const auto i : routers) {
    const auto& h = v.hops[i];
    if (!h.address) {
      const auto line = "the " + h.name + " did not answer the path trace, so reachback has no address to ask it at";
      if (i == *blocking) plan.refusals.push_back(line + ": open " + what + " in its IPv6 firewall settings");
      else plan.notes.push_back(line + "; if it filters " + what + " too, open it there");
      continue;
    }
    mapping_spec step;
    step.kind = change_kind::pinhole;
    step.method = map_method::upnp;
    step.router_name = h.name;
    step.router_address = *h.address;
    step.external_port = ev.port;
    step.protocol = ev.protocol;
    step.internal_client = host_address;
    step.internal_port = ev.port;
    step.lease_seconds = settings.lease_seconds;
    plan.steps.push_back(std::move(step));
  }
  if (plan.refused()) plan.steps.clear();
  return plan;
}

/// Why `offer` rules out a pinhole at `step`'s router; "" when it may be made.
std::string pinhole_refusal(const mapping_spec& step, const pinhole_offer& offer) {
  const auto router = "the " + step.router_name + " " + step.router_address;
  const auto what = router::protocol_port_text(step.protocol, step.external_port);
  const auto by_hand = "open " + what + " to " + step.internal_client + " in its IPv6 firewall settings";
  if (offer.control_url.empty())
    return router + " offers no UPnP IGD:2 pinholes (" + (offer.not_found.empty() ? "none found" : offer.not_found) +
           "): " + by_hand + " (reachback does not ask by PCP over IPv6 yet)";
  if (offer.status && !offer.status->firewall_enabled)
    return router + " says its IPv6 firewall is off (UPnP GetFirewallStatus), so a pinhole there changes nothing: "
           "something else stops " + what;
  if (offer.status && !offer.status->inbound_pinhole_allowed)
    return router + " does not let UPnP open IPv6 pinholes (GetFirewallStatus: InboundPinholeAllowed 0): allow it "
           "in its settings (often \"allow UPnP to open IPv6 ports\"), or " + by_hand;
  return {};
}

}  // namespace

fix_plan settle_pinholes(fix_plan plan, const std::vector<pinhole_offer>& offers, const verdict& v) {
  const auto blocking = v.blocking_hop();
  const auto blocking_address =
      blocking && *blocking < v.hops.size() ? v.hops[*blocking].address.value_or("") : std::string();
  fix_plan settled;
  settled.refusals = std::move(plan.refusals);
  settled.notes = std::move(plan.notes);
  std::size_t next_offer = 0;
  for (auto& step : plan.steps) {
    if (step.kind != change_kind::pinhole) {
      settled.steps.push_back(std::move(step));
      continue;
    }
    const auto offer = next_offer < offers.size() ? offers[next_offer] : pinhole_offer{};
    ++next_offer;
    if (auto why = pinhole_refusal(step, offer); !why.empty()) {
      if (step.router_address == blocking_address) settled.refusals.push_back(std::move(why));
      else settled.notes.push_back(std::move(why) + " (the verdict only suspects it)");
      continue;
    }
    step.control_url = offer.control_url;
    step.service_type = offer.service_type;
    settled.steps.push_back(std::move(step));
  }
  if (settled.refused()) {
    settled.steps.clear();
    settled.notes.clear();
  }
  return settled;
}

namespace {

struct method_names {
  const char* id;       ///< the state file's and the JSON's word
  const char* display;  ///< the text output's
};

method_names names_of(map_method m) {
  switch (m) {
    case map_method::natpmp: return {"natpmp", "NAT-PMP"};
    case map_method::pcp: return {"pcp", "PCP"};
    case map_method::upnp: break;
  }
  return {"upnp", "UPnP"};
}

}  // namespace

std::string to_string(map_method m) { return names_of(m).id; }

std::string to_string(change_kind k) { return k == change_kind::pinhole ? "pinhole" : "mapping"; }

std::string display_name(map_method m) { return names_of(m).display; }

fix_plan plan_fix(const evidence& ev, const verdict& v, const fix_settings& settings) {
  fix_plan plan;
  if (auto line = cause_refusal(v.why, ev.port); !line.empty()) {
    plan.refusals.push_back(std::move(line));
    return plan;
  }
  if (v.why == cause::router_firewall) return plan_pinholes(ev, v, settings);
  if (carrier_nat_in_front(v)) {
    plan.refusals.push_back(cause_refusal(cause::cgnat, ev.port));
    return plan;
  }
  if (v.hops.empty() || v.hops.back().role != hop_role::host) {
    plan.refusals.emplace_back("the verdict names no path to this host: nothing to map");
    return plan;
  }
  const auto host_index = v.hops.size() - 1;
  std::string host_address = v.hops.back().address.value_or("");
  if (host_address.empty() && ev.path) host_address = ev.path->source_address;
  if (host_address.empty()) {
    plan.refusals.emplace_back("this host's address on the path is not known, so no router can be told where to map");
    return plan;
  }
  std::vector<std::size_t> nats;
  for (std::size_t i = host_index; i-- > 0;)
    if (v.hops[i].role == hop_role::nat) nats.push_back(i);  // innermost first
  if (nats.empty()) {
    plan.refusals.emplace_back("no NAT stands between this host and the internet: there is nothing to map");
    return plan;
  }
  hop_planner planner{ev, v, settings, host_address, plan};
  for (const auto i : nats) planner.plan_hop(i, host_index);
  if (plan.refused()) {
    plan.steps.clear();
    plan.notes.clear();
    return plan;
  }
  if (plan.steps.empty())
    plan.refusals.push_back("every router already maps " + router::protocol_port_text(ev.protocol, ev.port) +
                            ": another mapping cannot fix this (see the fix above)");
  return plan;
}

std::string describe_lease(std::uint32_t seconds) {
  if (seconds == 0) return "permanently";
  if (seconds % 3600 == 0) return "for " + std::to_string(seconds / 3600) + " h";
  if (seconds % 60 == 0) return "for " + std::to_string(seconds / 60) + " min";
  return "for " + std::to_string(seconds) + " s";
}

std::string describe(const mapping_spec& step) {
  if (step.kind == change_kind::pinhole)
    return step.router_name + " " + step.router_address + ": open an IPv6 pinhole for " +
           router::protocol_port_text(step.protocol, step.external_port) + " → " +
           format_endpoint(step.internal_client, step.internal_port) + " " + describe_lease(step.lease_seconds) +
           " (UPnP IGD:2)";
  std::string target;
  if (!step.internal_client.empty()) target = format_endpoint(step.internal_client, step.internal_port);
  else target = "the " + step.via + "'s WAN address:" + std::to_string(step.internal_port);
  auto how = display_name(step.method);
  if (step.method == map_method::natpmp && !step.via.empty()) how += ", asked from this host through the " + step.via;
  return step.router_name + " " + step.router_address + ": map " +
         router::protocol_port_text(step.protocol, step.external_port) + " → " + target + " " +
         describe_lease(step.lease_seconds) + " (" + how + ")";
}

}  // namespace reachback::client
