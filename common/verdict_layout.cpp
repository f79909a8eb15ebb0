// SPDX-License-Identifier: MIT
// The hops of the report (the internet, the NATs, this host) from the path
// trace, and the relay TTL at which a probe reaches the outermost NAT.
#include "verdict_parts.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "address.hpp"

namespace reachback::verdict_parts {
namespace {

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


/// The relay saw another address than any of this host's own.
bool behind_nat(const evidence& ev) {
  return !ev.public_address.empty() && !is_own_address(ev, ev.public_address) &&
         classify_address(ev.public_address) != address_class::loopback;
}

/// The relay saw this host's own global IPv6 address: nothing translates
/// it, and the home's routers only route and filter.
bool ipv6_without_nat(const evidence& ev) {
  return ev.public_address.find(':') != std::string::npos && is_own_address(ev, ev.public_address) &&
         classify_address(ev.public_address) == address_class::public_net;
}

/// An IPv6 home numbers its LANs from the prefix its ISP delegated, most
/// often a /56, which this host's address shares; the ISP's routers answer
/// from outside it. So that prefix is where the home ends.
constexpr int delegated_prefix_bits = 56;

/// The routers of an IPv6 home, innermost first: the path's hops inside
/// this host's delegated prefix, and always the first (this host's own
/// gateway). A silent hop counts when a home router answered beyond it.
std::vector<path_hop> ipv6_home_routers(const evidence& ev) {
  std::vector<path_hop> routers;
  if (!ev.path) return routers;
  std::size_t answered = 0;  // routers up to the last home router that answered
  for (const auto& h : ev.path->hops) {
    if (h.address && h.ttl > 1 && !same_ipv6_prefix(*h.address, ev.public_address, delegated_prefix_bits)) break;
    routers.push_back(h);
    if (h.address) answered = routers.size();
  }
  if (answered == 0 && !routers.empty()) answered = 1;  // the gateway, even when silent
  routers.resize(answered);
  return routers;
}

std::string nat_name(address_class cls, std::size_t home_position, std::size_t home_count) {
  if (cls == address_class::carrier_nat) return "carrier NAT";
  if (home_count == 1) return "router";
  if (home_position == 0) return "ISP hub";
  if (home_position + 1 == home_count) return "room router";
  return "router " + std::to_string(home_position + 1);
}

std::string address_class_text(address_class cls) {
  switch (cls) {
    case address_class::private_net: return "private address: a router of yours";
    case address_class::carrier_nat: return "100.64.0.0/10: your ISP's carrier-grade NAT";
    case address_class::public_net: return "public address";
    case address_class::loopback: return "loopback address";
    case address_class::unknown: break;
  }
  return "unclassified address";
}

/// The path trace's line for a router that answered, `what` saying what it is.
std::string expired_at(const path_hop& router, const std::string& what) {
  return "path from this host: TTL " + std::to_string(router.ttl) + " expired at " + *router.address + " (" + what +
         ")";
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
    internet.evidence.push_back(
        expired_at(routers[i], "private address, but outside your public one: your ISP's router, not a NAT"));
  }
  if (isp_routers > 0)
    internet.evidence.emplace_back(
        "the relay met a private router right before your public address, and the hop counts from both ends "
        "leave room for fewer NATs than private hops");
  routers.erase(routers.begin(), routers.begin() + static_cast<std::ptrdiff_t>(isp_routers));
}

/// The NATs between the internet and this host, outermost first. A router
/// of the ISP's is no NAT: it goes to the internet hop's evidence instead.
std::vector<path_hop> nat_routers(const evidence& ev, hop& internet) {
  const bool nat_in_between = behind_nat(ev);
  std::vector<path_hop> routers;
  if (ev.path && nat_in_between) routers = home_routers(*ev.path);
  std::reverse(routers.begin(), routers.end());  // outermost first
  drop_isp_routers(ev, routers, internet);
  // The relay saw another address, so at least one NAT is in between, even
  // when the path trace could not show it.
  if (nat_in_between && routers.empty()) routers.push_back({0, std::nullopt, address_class::unknown, 0});
  return routers;
}

std::string nat_evidence_line(const path_hop& router) {
  if (router.address) return expired_at(router, address_class_text(router.cls));
  if (router.ttl > 0) return "path from this host: TTL " + std::to_string(router.ttl) + " got no answer (silent router)";
  return "the relay sees another address than this host's, so a NAT is in between; the path trace could not show it";
}

/// The innermost router is the one at TTL 1: this host's default gateway.
/// When it was silent there, the gateway still gives its address.
void name_silent_gateway(const evidence& ev, layout& home, const std::vector<path_hop>& routers) {
  if (routers.empty() || !ev.path || !ev.path->default_gateway) return;
  const auto& innermost = routers.back();
  if (innermost.ttl != 1 || innermost.address) return;
  auto& h = home.hops[home.host_index() - 1];
  h.address = *ev.path->default_gateway;
  h.evidence.push_back("its address is this host's default gateway, " + *ev.path->default_gateway);
}

std::string ipv6_router_evidence_line(const path_hop& router) {
  if (router.address) return expired_at(router, "inside this host's delegated /56: a router of yours");
  return "path from this host: TTL " + std::to_string(router.ttl) + " got no answer (silent router)";
}

/// One hop per router of an IPv6 home, named by its place, outermost first.
void add_ipv6_router_hops(std::vector<path_hop> routers, layout& home) {
  std::reverse(routers.begin(), routers.end());
  for (std::size_t i = 0; i < routers.size(); ++i) {
    const auto& r = routers[i];
    home.hops.push_back({hop_role::router, nat_name(r.cls, i, routers.size()), r.address, hop_status::unknown,
                         {ipv6_router_evidence_line(r)}, {}});
    home.classes.push_back(r.cls);
  }
}

/// The relay TTL of an IPv6 home's outermost router: the sweep reached this
/// host itself (its public address) that many routers further on.
std::optional<int> ipv6_outermost_router_ttl(const evidence& ev, int router_count) {
  if (ev.sweep && ev.sweep->public_distance && *ev.sweep->public_distance > router_count)
    return *ev.sweep->public_distance - router_count;
  return public_ttl_from_client(ev, router_count);
}

/// One hop per NAT, named by its place among the home's own routers.
void add_nat_hops(const std::vector<path_hop>& routers, layout& home) {
  const auto home_count = static_cast<std::size_t>(std::count_if(
      routers.begin(), routers.end(), [](const path_hop& h) { return h.cls != address_class::carrier_nat; }));
  std::size_t home_position = 0;
  for (const auto& r : routers) {
    const auto name = nat_name(r.cls, home_position, home_count);
    if (r.cls != address_class::carrier_nat) ++home_position;
    home.hops.push_back({hop_role::nat, name, r.address, hop_status::unknown, {nat_evidence_line(r)}, {}});
    home.classes.push_back(r.cls);
  }
}

/// The internet as this host meets it: the public address the relay saw.
hop internet_hop(const evidence& ev) {
  hop internet{hop_role::internet, "internet", std::nullopt, hop_status::unknown, {}, {}};
  if (ev.public_address.empty()) return internet;
  internet.address = ev.public_address;
  internet.evidence.push_back("relay " + ev.relay_address + " sees this host as " + ev.public_address);
  return internet;
}

}  // namespace

bool is_own_address(const evidence& ev, const std::string& address) {
  if (!ev.path) return false;
  const auto& own = ev.path->host_addresses;
  return ev.path->source_address == address || std::find(own.begin(), own.end(), address) != own.end();
}

std::string hop_label(const hop& h) {
  return h.address ? h.name + " " + *h.address : h.name;
}

/// An IPv6 home: the internet, the routers that filter, this host.
layout build_ipv6_layout(const evidence& ev) {
  layout home;
  home.hops.push_back(internet_hop(ev));
  home.hops.front().evidence.emplace_back("that is this host's own address: IPv6, nothing translates it");
  home.classes.push_back(address_class::public_net);
  const auto routers = ipv6_home_routers(ev);
  add_ipv6_router_hops(routers, home);
  home.hops.push_back({hop_role::host, "this host", ev.public_address, hop_status::unknown, {}, {}});
  home.classes.push_back(address_class::public_net);
  home.public_ttl = ipv6_outermost_router_ttl(ev, static_cast<int>(routers.size()));
  return home;
}

layout build_layout(const evidence& ev) {
  if (ipv6_without_nat(ev)) return build_ipv6_layout(ev);
  layout home;
  home.hops.push_back(internet_hop(ev));
  home.classes.push_back(classify_address(ev.public_address));

  const auto routers = nat_routers(ev, home.hops.front());
  add_nat_hops(routers, home);

  std::optional<std::string> own;
  if (ev.path && !ev.path->source_address.empty()) own = ev.path->source_address;
  home.hops.push_back({hop_role::host, "this host", own, hop_status::unknown, {}, {}});
  home.classes.push_back(address_class::private_net);
  name_silent_gateway(ev, home, routers);
  home.public_ttl = find_public_ttl(ev, static_cast<int>(routers.size()));
  return home;
}

}  // namespace reachback::verdict_parts
