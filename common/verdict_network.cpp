// SPDX-License-Identifier: MIT
// The network's side of the verdict: where the relay's connect-back stopped
// (a router in front, this host's depth, or nowhere) and why, from its
// outcome, the sweep, the capture and the host firewall's own evidence.
#include "verdict_parts.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evidence_json.hpp"

namespace reachback::verdict_parts {
namespace {

// ---------------------------------------------------------------------------
// A NAT that does not forward the port, or forwards it to the wrong place.

/// This host's address and the port, as a forward's target.
std::string host_target(const evidence& ev, const layout& home) {
  const auto& host = home.hops.back();
  return (host.address ? *host.address : std::string("this host's LAN address")) + ":" + port_text(ev.port);
}

/// Where the NAT at `index` must send the port: the next router's WAN, or us.
std::string forward_target(const evidence& ev, const layout& home, std::size_t index) {
  if (index + 1 == home.host_index()) return host_target(ev, home);
  const auto& next = home.hops[index + 1];
  return "the " + next.name + "'s WAN address:" + port_text(ev.port) + " (the " + next.name +
         " shows it on its status page)";
}

/// The ISP's carrier-grade NAT at `index` stops the port: no forward at home helps.
finding cgnat_blocks(const evidence& ev, const layout& home, std::size_t index) {
  const auto& h = home.hops[index];
  const auto p = port_text(ev.port);
  return {cause::cgnat, index,
          "Your ISP's carrier-grade NAT" + (h.address ? " " + *h.address : std::string()) + " stops port " + p +
              " before it reaches your routers; forwarding at home cannot fix that.",
          {"Ask your ISP for a public IPv4 address (often free or cheap) or a port forward on their carrier NAT.",
           "Or serve over IPv6 if your ISP provides it, and open port " + p + " there.",
           "Or publish through a tunnel to a host with a public address (ssh -R, WireGuard to a VPS, a "
           "reverse proxy on the VPS running probe-relay)."}};
}

finding nat_no_forward(const evidence& ev, const layout& home, std::size_t index, const std::string& how) {
  if (home.classes[index] == address_class::carrier_nat) return cgnat_blocks(ev, home, index);
  const auto router = hop_label(home.hops[index]);
  std::vector<std::string> fix = {router + ": add a port forward TCP WAN " + port_text(ev.port) + " → " +
                                  forward_target(ev, home, index) + "."};
  if (const auto inner = home.innermost_nat(); inner && *inner > 1) {
    fix.emplace_back("Or switch the " + hop_label(home.hops[*inner]) + " to access-point (bridge) mode, so that the " +
                     home.hops[1].name + " is the only NAT and needs the only forward (to this host's new address).");
  }
  return {cause::nat_no_forward, index,
          "The " + router + " does not forward port " + port_text(ev.port) + ": " + how + ".", fix};
}

finding nat_wrong_target(const evidence& ev, const layout& home, std::size_t index, const std::string& how) {
  const auto router = hop_label(home.hops[index]);
  return {cause::nat_wrong_target, index,
          "The " + router + " forwards port " + port_text(ev.port) + " to the wrong place: " + how + ".",
          {router + ": change the port forward for TCP WAN " + port_text(ev.port) + " so its target is " +
           forward_target(ev, home, index) + "."}};
}

// ---------------------------------------------------------------------------
// Reading the connect-back.

/// What each step of reading the connect-back looks at.
struct network_context {
  const evidence& ev;
  const layout& home;
  const sweep_reading& sweep;
  const fix_writer& fixes;
};

/// Net or host unreachable comes from a router whose target does not exist,
/// never from a host about its own port.
bool no_such_host(int icmp_code) { return icmp_code == 0 || icmp_code == 1; }

constexpr const char* forward_to_nobody = "its forward points at an address nobody answers (ICMP host unreachable)";

/// `steps` with `lead_in` before the first one: the condition they hang on.
std::vector<std::string> with_lead_in(std::string_view lead_in, std::vector<std::string> steps) {
  if (!steps.empty()) steps.front().insert(0, lead_in);
  return steps;
}

/// Something on this host accepts the port on a reachable address:
/// probe-client, or the program holding the port, which is the user's
/// server unless --listen was asked for.
bool listener_open(const evidence& ev) {
  const bool server_listening = ev.local.state == bind_state::held && ev.mode != probe_mode::listen;
  return ev.agent_listening || server_listening;
}

/// The capture proves the relay's SYN reached this host on another port.
std::optional<finding> wrong_port(const network_context& c) {
  const auto& cap = c.ev.capture;
  if (!cap.available || !cap.syn_seen || !cap.arrived_port || *cap.arrived_port == c.ev.port) return std::nullopt;
  const auto nat = c.home.innermost_nat();
  const auto how = "the relay's SYN for port " + port_text(c.ev.port) + " arrived here on port " +
                   std::to_string(*cap.arrived_port);
  if (!nat) return finding{cause::inconclusive, std::nullopt, "Port " + port_text(c.ev.port) + " is translated: " + how + ".", {}};
  return nat_wrong_target(c.ev, c.home, *nat, how);
}

/// The router at `index` answered the relay's SYN with ICMP unreachable `code`.
finding router_rejected(const network_context& c, std::size_t index, int code) {
  if (no_such_host(code)) return nat_wrong_target(c.ev, c.home, index, forward_to_nobody);
  if (code == 3) return nat_no_forward(c.ev, c.home, index, "it answered ICMP port unreachable itself");
  const auto router = hop_label(c.home.hops[index]);
  const auto p = port_text(c.ev.port);
  return {cause::filtered, index,
          "The " + router + " rejects port " + p + " with ICMP code " + std::to_string(code) + " (its firewall).",
          {router + ": allow forwarded TCP " + p + " in its firewall and add the port forward."}};
}

/// An answer from in front of this host: that router handles the port itself.
std::optional<finding> answered_by_router(const network_context& c) {
  if (!c.sweep.answer_depth || *c.sweep.answer_depth >= c.home.host_depth()) return std::nullopt;
  const auto index = c.home.at_depth(*c.sweep.answer_depth);
  const auto& a = *c.sweep.answer;
  switch (a.reply) {
    case sweep_reply::rst:
      return nat_no_forward(c.ev, c.home, index, "it answered the relay's SYN itself with a reset");
    case sweep_reply::syn_ack:
      return nat_no_forward(c.ev, c.home, index,
                            "it accepted the connection itself (a service on the router holds the port)");
    case sweep_reply::unreachable: return router_rejected(c, index, a.icmp ? a.icmp->code : -1);
    case sweep_reply::time_exceeded:
    case sweep_reply::silence: break;
  }
  return std::nullopt;
}

/// Nothing reached this host: blame the innermost NAT's target.
finding missed_this_host(const network_context& c, const std::string& how) {
  if (const auto nat = c.home.innermost_nat()) return nat_wrong_target(c.ev, c.home, *nat, how);
  return {cause::inconclusive, std::nullopt, "The connection reached a device other than this host: " + how + ".", {}};
}

/// Something at this host's depth blocks the port, and the host firewall
/// allows it: another device the router forwards to, or another firewall on
/// this host. Both stay named; the blocking hop is this host's depth, where
/// the relay's probes stopped.
finding not_this_firewall(const network_context& c, const std::string& what) {
  const auto p = port_text(c.ev.port);
  const auto not_it = firewall_name(c.ev.os) + " is not the cause (" + allow_text(*c.ev.firewall) + ")";
  const auto nat = c.home.innermost_nat();
  if (!nat) {
    return {cause::host_firewall, c.home.host_index(),
            "Another firewall on this host blocks port " + p + " (" + what + "), and " + not_it + ".",
            c.fixes.steps("other_firewall")};
  }
  const auto router = hop_label(c.home.hops[*nat]);
  finding f{cause::filtered, c.home.host_index(),
            "Something at this host's depth blocks port " + p + " (" + what + "), and " + not_it + ": either the " +
                router + " forwards port " + p + " to another device, or a third-party firewall on this host "
                "blocks it; the router's port-forward page tells them apart.",
            {router + ": make sure the port forward for TCP WAN " + p + " targets " + host_target(c.ev, c.home) + "."}};
  append(f.fix, with_lead_in("If it does: ", c.fixes.steps("other_firewall")));
  return f;
}

/// What the host firewall's own evidence proves about a probe stopped at
/// this host's depth, if anything: `blocked` and `allowed` say what the
/// relay met, in the words for a firewall that blocks or allows the port;
/// `answered` whether something answered the probe.
std::optional<finding> firewall_at_host_depth(const network_context& c, const std::string& blocked,
                                              const std::string& allowed, bool answered) {
  switch (read_firewall(c.ev)) {
    case firewall_view::log_shows_drop: return firewall_log_drop(c.ev, c.home, c.fixes);
    case firewall_view::blocks: return firewall_blocks(c.ev, c.home, c.fixes, blocked, answered);
    case firewall_view::allows: return not_this_firewall(c, allowed);
    case firewall_view::unknown: break;
  }
  return std::nullopt;
}

/// A reset or an ICMP error (`what`) at this host's depth, where a listener was open.
finding answered_at_host_depth(const network_context& c, const std::string& what) {
  const auto& cap = c.ev.capture;
  if (cap.available && !cap.syn_seen)
    return missed_this_host(c, what + " came from another device: the capture saw no relay SYN reach this host");
  const auto although_listening =
      what + " although " + (c.ev.agent_listening ? "probe-client" : "your server") + " was listening";
  if (auto f = firewall_at_host_depth(c, what, although_listening, true)) return *f;
  const auto nat = c.home.innermost_nat();
  if (cap.available || !nat) return host_firewall(c.ev, c.home, c.fixes, although_listening);
  auto f = host_firewall(c.ev, c.home, c.fixes, what + " at this host's depth although a listener was open");
  f.summary += " Without a packet capture this cannot be told apart from the " + hop_label(c.home.hops[*nat]) +
               " forwarding to another device that refuses it.";
  append(f.fix, host_evidence_steps(c.ev, c.fixes));
  return f;
}

std::string peer_heard(const connect_back_result& cb) {
  if (cb.banner_skipped) return "another server";
  if (cb.silent) return "a peer that sent nothing";
  return "a peer that sent \"" + escape_bytes(cb.banner) + "\"";
}

finding on_foreign(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  const auto heard = peer_heard(c.ev.connect_back);
  if (c.ev.agent_listening) return missed_this_host(c, "the relay reached " + heard + " instead of probe-client");
  const auto& cap = c.ev.capture;
  if (cap.available && !cap.syn_seen)
    return missed_this_host(c, "the relay reached " + heard + ", but no relay SYN reached this host");
  const auto p = port_text(c.ev.port);
  if (!cap.available) {
    return {cause::reachable, std::nullopt,
            "Port " + p + " is reachable: the relay connected to a server at this host's depth (without a capture it "
            "could not confirm the server is this host).",
            {}};
  }
  return {cause::reachable, std::nullopt,
          "Port " + p + " is reachable from the internet: the relay connected to your server.", {}};
}

finding on_refused(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  if (listener_open(c.ev)) return answered_at_host_depth(c, "the relay's SYN was refused (RST)");
  if (c.ev.capture.available && !c.ev.capture.syn_seen)
    return missed_this_host(c, "the relay's SYN was refused by another device: the capture saw none reach this host");
  // Nothing listens here on a reachable address, so a reset is what this host
  // should answer; the local check names the reason.
  return {cause::no_listener, c.home.host_index(),
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
  if (no_such_host(icmp->code)) return missed_this_host(c, forward_to_nobody);
  return answered_at_host_depth(c, "the relay's SYN was rejected with ICMP " + icmp_type_code(icmp->type, icmp->code));
}

// ---------------------------------------------------------------------------
// Silence: the relay's SYN got no answer at all.

/// The relay's SYN reached this host's depth and was dropped silently, and
/// there was no capture to see where.
finding silent_at_host_depth(const network_context& c, std::size_t index) {
  if (auto f = firewall_at_host_depth(c, "the relay's SYN got no answer at this host's depth",
                                      "the relay's SYN was dropped silently", false))
    return *f;
  finding f{cause::filtered, index,
            "The relay's SYN reached this host's depth and was dropped silently: this host's firewall, "
            "or the " + hop_label(c.home.hops[index - 1]) + " forwarding to another device that drops it.",
            firewall_fix(c.ev, c.fixes)};
  append(f.fix, host_evidence_steps(c.ev, c.fixes));
  return f;
}

/// What a router further out cannot rule out about this host: said when
/// the drop may also be at this host's depth.
std::vector<std::string> host_also(const network_context& c) {
  constexpr std::string_view if_forward_there = "If the forward is already there: ";
  const auto p = port_text(c.ev.port);
  switch (read_firewall(c.ev)) {
    case firewall_view::log_shows_drop:
    case firewall_view::blocks: {
      auto steps = with_lead_in(if_forward_there, {firewall_name(c.ev.os) + " on this host blocks port " + p +
                                                   " too (" + block_reason_text(*c.ev.firewall) + ")."});
      append(steps, firewall_fix(c.ev, c.fixes));
      return steps;
    }
    case firewall_view::allows:
      return with_lead_in(if_forward_there,
                          {firewall_name(c.ev.os) + " is not in the way (" + allow_text(*c.ev.firewall) +
                           "), so check the forward's target and any third-party firewall on this host."});
    case firewall_view::unknown: break;
  }
  auto steps = with_lead_in(if_forward_there, firewall_fix(c.ev, c.fixes));
  append(steps, host_evidence_steps(c.ev, c.fixes));
  return steps;
}

/// The capture saw the relay's SYN arrive, and nothing got back to the relay.
finding silent_after_arrival(const network_context& c) {
  if (c.ev.capture.answer == host_answer::syn_ack) {
    return {cause::filtered, c.home.host_index(),
            "The relay's SYN reached this host and it answered, but the answer never got back: the return path "
            "does not go through the router that forwarded it (asymmetric routing).",
            {"Make this host's default gateway the router that forwards port " + port_text(c.ev.port) + "."}};
  }
  return host_firewall(c.ev, c.home, c.fixes, "the relay's SYN arrived (seen by the capture) and this host dropped it");
}

/// Without the sweep's TTLs nothing tells which hop dropped the SYN.
finding silent_somewhere(const network_context& c) {
  if (read_firewall(c.ev) == firewall_view::blocks)
    return firewall_blocks(c.ev, c.home, c.fixes, "the relay's SYN got no answer", false);
  return {cause::filtered, std::nullopt,
          "Something between the relay and this host drops port " + port_text(c.ev.port) +
              " silently, and without the TTL sweep it cannot be told where.",
          host_evidence_steps(c.ev, c.fixes, "sweep_and_capture")};
}

/// The first hop the sweep did not get past, and every candidate behind it.
finding first_silent_hop(const network_context& c) {
  const int first_silent = c.sweep.deepest_forward.value_or(-1) + 1;
  const int last_candidate = c.ev.capture.available ? c.home.host_depth() - 1 : c.home.host_depth();
  if (first_silent > last_candidate) {
    return missed_this_host(c, "the " + hop_label(c.home.hops[c.home.host_index() - 1]) +
                                   " forwarded the relay's SYN but it never reached this host");
  }
  const auto index = c.home.at_depth(first_silent);
  if (c.home.is_host(index)) return silent_at_host_depth(c, index);
  finding f = nat_no_forward(c.ev, c.home, index,
                             "it dropped the relay's SYN silently (no forward, and its WAN drops unsolicited packets)");
  if (first_silent < last_candidate) {
    const auto last = c.home.at_depth(last_candidate);
    const auto last_label = hop_label(c.home.hops[last]);
    f.summary += " Routers that forward do not always answer expired probes, so the drop may also be further in, up "
                 "to " + (c.home.is_host(last) ? last_label : "the " + last_label) + ".";
    if (last_candidate == c.home.host_depth()) append(f.fix, host_also(c));
  }
  return f;
}

finding on_silence(const network_context& c) {
  const auto& cap = c.ev.capture;
  if (cap.available && cap.syn_seen) return silent_after_arrival(c);
  if (read_firewall(c.ev) == firewall_view::log_shows_drop) return firewall_log_drop(c.ev, c.home, c.fixes);
  if (!c.home.public_ttl || !c.ev.sweep) return silent_somewhere(c);
  return first_silent_hop(c);
}

}  // namespace

finding network_finding(const evidence& ev, const layout& home, const sweep_reading& sweep, const fix_writer& fx) {
  const network_context c{ev, home, sweep, fx};
  if (ev.connect_back.outcome == connect_outcome::verified)
    return {cause::reachable, std::nullopt,
            "Port " + port_text(ev.port) + " is reachable from the internet: the relay reached probe-client here.", {}};
  if (auto f = wrong_port(c)) return *f;
  switch (ev.connect_back.outcome) {
    // connected: the client could not learn who answered; something did.
    case connect_outcome::foreign:
    case connect_outcome::connected: return on_foreign(c);
    case connect_outcome::refused: return on_refused(c);
    case connect_outcome::unreachable: return on_unreachable(c);
    case connect_outcome::timeout: return on_silence(c);
    case connect_outcome::verified:
    case connect_outcome::not_run: break;
  }
  return {cause::inconclusive, std::nullopt, "The relay did not run the connect-back, so nothing is known about the path.", {}};
}

finding prefer_cgnat(const evidence& ev, const layout& home, int reached, finding f) {
  if (f.why == cause::reachable || f.why == cause::cgnat) return f;
  for (std::size_t i = 1; i < home.host_index(); ++i) {
    if (home.classes[i] != address_class::carrier_nat) continue;
    const int depth = static_cast<int>(i) - 1;
    if (reached > depth || (f.blocking && *f.blocking > i)) return f;
    return cgnat_blocks(ev, home, i);
  }
  return f;
}

}  // namespace reachback::verdict_parts
