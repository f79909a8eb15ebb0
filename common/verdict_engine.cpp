// SPDX-License-Identifier: MIT
#include "verdict_engine.hpp"

#include <algorithm>
#include <string>
#include <utility>

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

std::string firewall_fix(std::uint16_t port) {
  const auto p = port_text(port);
  return "Allow inbound TCP " + p + " in this host's firewall: `sudo ufw allow " + p +
         "/tcp`, or `sudo firewall-cmd --add-port=" + p + "/tcp --permanent && sudo firewall-cmd --reload`, or "
         "an nftables rule `tcp dport " + p + " accept` before the drop (on Windows: `New-NetFirewallRule "
         "-Direction Inbound -Protocol TCP -LocalPort " + p + " -Action Allow`).";
}

finding host_firewall(const evidence& ev, const layout& l, const std::string& how) {
  return {cause::host_firewall, l.host_index(),
          "This host's firewall blocks port " + port_text(ev.port) + ": " + how + ".", {firewall_fix(ev.port)}};
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

std::vector<std::string> holder_fix(const local_port_evidence& local) {
  if (local.squatter) return local.squatter->fix;
  std::vector<std::string> fix;
  for (const auto& o : local.owners) {
    if (!o.container.empty())
      fix.push_back("docker-proxy publishes " + o.container + " on port " + port_text(local.port) +
                    ": stop or re-map that container (`docker ps --filter publish=" + port_text(local.port) + "`).");
    else if (!o.unit.empty())
      fix.push_back("Stop or reconfigure " + o.unit + " (`sudo systemctl stop " + o.unit + "`), which runs " +
                    owner_text(o) + ".");
    else
      fix.push_back("Stop " + owner_text(o) + (o.cmdline.empty() ? "" : " (`" + o.cmdline + "`)") + ".");
  }
  if (local.owners_hidden)
    fix.emplace_back("Run probe-client as root to see which process holds the port.");
  fix.push_back("Or serve on another port and forward that one instead.");
  return fix;
}

std::string holder_summary(const local_port_evidence& local) {
  std::string text = "Port " + port_text(local.port) + " is already held by " + owners_text(local);
  if (local.squatter) text += ", " + local.squatter->description;
  return text + ", so your server cannot bind it.";
}

/// Causes that the local port check alone proves.
std::optional<finding> local_finding(const evidence& ev, const layout& l) {
  const auto& local = ev.local;
  const auto host = l.host_index();
  if (local.state == bind_state::forbidden) {
    return finding{cause::forbidden_port, host,
                   "Port " + port_text(ev.port) + " is privileged and this user may not bind it.",
                   {"Give the server the capability: `sudo setcap cap_net_bind_service+ep /path/to/server`, or run "
                    "it as root, or use a port above 1023 and forward WAN " + port_text(ev.port) + " to it."}};
  }
  if (holder_in_the_way(ev))
    return finding{cause::bind_conflict, host, holder_summary(local), holder_fix(local)};
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

finding answered_at_host_depth(const network_context& c, const std::string& what) {
  const auto& cap = c.ev.capture;
  if (cap.available && !cap.syn_seen)
    return missed_this_host(c, what + " came from another device: the capture saw no relay SYN reach this host");
  if (cap.available || !c.l.innermost_nat())
    return host_firewall(c.ev, c.l, what + " although " + (c.ev.agent_listening ? "probe-client" : "your server") +
                                        " was listening");
  auto f = host_firewall(c.ev, c.l, what + " at this host's depth although a listener was open");
  f.summary += " Without a packet capture this cannot be told apart from the " + label(c.l.hops[*c.l.innermost_nat()]) +
               " forwarding to another device that refuses it.";
  f.fix.emplace_back("Run probe-client as root (or with CAP_NET_RAW) to see whether the SYN reaches this host.");
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
    return host_firewall(c.ev, c.l, "the relay's SYN arrived (seen by the capture) and this host dropped it");
  }
  if (!c.l.public_ttl || !c.ev.sweep) {
    return {cause::filtered, std::nullopt,
            "Something between the relay and this host drops port " + p + " silently, and without the TTL sweep it "
            "cannot be told where.",
            {"Run probe-client against a relay that supports the TTL sweep, and as root for the packet capture."}};
  }
  const int first_silent = c.sweep.deepest_forward.value_or(-1) + 1;
  const int last_candidate = cap.available ? c.l.host_depth() - 1 : c.l.host_depth();
  if (first_silent > last_candidate) {
    return missed_this_host(c, "the " + label(c.l.hops[c.l.host_index() - 1]) +
                                   " forwarded the relay's SYN but it never reached this host");
  }
  const auto index = c.l.at_depth(first_silent);
  const auto how = "it dropped the relay's SYN silently (no forward, and its WAN drops unsolicited packets)";
  finding f = c.l.is_host(index)
                  ? finding{cause::filtered, index,
                            "The relay's SYN reached this host's depth and was dropped silently: this host's firewall, "
                            "or the " + label(c.l.hops[index - 1]) + " forwarding to another device that drops it.",
                            {firewall_fix(c.ev.port),
                             "Run probe-client as root (or with CAP_NET_RAW) to tell which of the two it is."}}
                  : nat_no_forward(c.ev, c.l, index, how);
  if (first_silent < last_candidate && !c.l.is_host(index)) {
    f.summary += " Routers that forward do not always answer expired probes, so the drop may also be further in, up "
                 "to the " + label(c.l.hops[c.l.at_depth(last_candidate)]) + ".";
    if (last_candidate == c.l.host_depth()) {
      f.fix.push_back("If the forward is already there: " + firewall_fix(c.ev.port));
      f.fix.emplace_back("Run probe-client as root (or with CAP_NET_RAW) to see whether the SYN reaches this host.");
    }
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

void add_local_evidence(const evidence& ev, hop& host) {
  const auto& local = ev.local;
  const auto p = port_text(ev.port);
  switch (local.state) {
    case bind_state::free: host.evidence.push_back("port " + p + " was free on IPv4 and IPv6"); break;
    case bind_state::forbidden: host.evidence.push_back("binding port " + p + " was refused: permission denied"); break;
    case bind_state::held:
    case bind_state::loopback_only:
      for (const auto& o : local.owners) {
        std::string line = "port " + p + " held by " + owner_text(o);
        for (const auto& a : o.addresses) line += " " + a;
        if (!o.unit.empty()) line += ", unit " + o.unit;
        if (!o.container.empty()) line += ", " + o.container;
        host.evidence.push_back(line);
      }
      if (local.owners_hidden)
        host.evidence.push_back("some sockets on port " + p + " belong to processes this user cannot see (run as root)");
      break;
  }
  if (local.squatter) host.evidence.push_back("known port squatter: " + local.squatter->description);
  if (ev.agent_listening) host.evidence.push_back("probe-client listened on port " + p + " on all addresses");
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
  if (ev.capture.syn_seen || ev.connect_back.outcome == connect_outcome::verified) reached = l.host_depth();
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
  const bool taken = ev.local.state == bind_state::held || ev.local.state == bind_state::loopback_only;
  return taken && (ev.local.squatter || ev.mode == probe_mode::listen);
}

verdict diagnose(const evidence& ev) {
  layout l = build_layout(ev);
  add_local_evidence(ev, l.hops.back());  // what this host knows comes first
  const auto sweep = read_sweep(ev, l);
  auto& host = l.hops.back();
  add_capture_evidence(ev.capture, host);
  add_connect_back_evidence(ev, sweep.answer_depth ? l.hops[l.at_depth(*sweep.answer_depth)] : host);
  add_internet_evidence(ev, l, l.hops.front());

  const bool service_listening = ev.local.state == bind_state::held && ev.mode != probe_mode::listen;
  const network_context context{ev, l, sweep, ev.agent_listening || service_listening};
  finding network = prefer_cgnat(ev, l, reached_depth(ev, l, sweep), network_finding(context));
  finding result = network;
  if (auto local = local_finding(ev, l)) {
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
