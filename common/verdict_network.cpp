// SPDX-License-Identifier: MIT
// The network's side of the verdict: where the relay's connect-back stopped
// (a router in front, this host's depth, or nowhere) and why, from its
// outcome, the sweep, the capture and the host firewall's own evidence.
#include "verdict_parts.hpp"

#include <algorithm>
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
  std::vector<std::string> fix = {router + ": add a port forward " + protocol_word(ev) + " WAN " + port_text(ev.port) +
                                  " → " +
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
          {router + ": change the port forward for " + protocol_word(ev) + " WAN " + port_text(ev.port) +
           " so its target is " +
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
/// never from a host about its own port: ICMP type 3 codes 0 and 1, ICMPv6
/// type 1 codes 0 (no route) and 3 (address unreachable). ICMPv6's code 1
/// is a filter's "administratively prohibited".
bool no_such_host(const icmp_info& icmp) {
  if (icmp.type == 1) return icmp.code == 0 || icmp.code == 3;
  return icmp.code == 0 || icmp.code == 1;
}

constexpr const char* forward_to_nobody = "its forward points at an address nobody answers (ICMP host unreachable)";
constexpr const char* answered_port_unreachable = "it answered ICMP port unreachable itself";


// ---------------------------------------------------------------------------
// Candidates: every hop the evidence cannot rule out, each named in the summary.

/// A hop the evidence cannot rule out, as the summary names it.
struct suspect {
  std::size_t index;
  std::string name;  ///< "the room router 192.168.1.1", "your ISP upstream"
};

/// Makes `others` the finding's further candidates, and says so in its
/// summary: why the evidence leaves them open, then what tells them apart.
void add_suspects(finding& f, const std::vector<suspect>& others, const std::string& why_open,
                  const std::string& tell_apart) {
  if (others.empty()) return;
  std::vector<std::string> names;
  for (const auto& s : others) {
    f.also.push_back(s.index);
    names.push_back(s.name);
  }
  f.summary += " " + why_open + ", so it could also be " + or_list(names) + ". " + tell_apart;
}

/// Nothing shows that a probe of the port got past the ISP's network to the
/// public address: an ISP that blocks the port upstream looks the same.
bool upstream_possible(const evidence& ev, const layout& home, const sweep_reading& sweep) {
  return reached_depth(ev, home, sweep) < 0;
}

/// What would show whether the relay's probe reaches this host.
std::string host_tell_apart(const evidence& ev) {
  const auto reaches = " shows whether the " + probe_word(ev) + " reaches this host";
  if (ev.os == host_os::windows_host) return "the firewall's log of dropped packets (run as administrator)" + reaches;
  return "a packet capture (run probe-client as root)" + reaches;
}

/// What would tell an ISP block from the home's own devices.
std::string upstream_tell_apart(std::uint16_t port) {
  return "probing a second port forwarded the same way (ISPs block only some, often 25, 80, 443 and 8080) tells an "
         "ISP block of " + port_text(port) + " from your routers";
}

/// "What tells them apart: a; b."
std::string tell_apart_sentence(const std::vector<std::string>& parts) {
  return "What tells them apart: " + joined(parts, "; ") + ".";
}

/// The capture watched and saw no relay probe reach this host.
bool capture_saw_no_syn(const evidence& ev) { return ev.capture.available && !ev.capture.probe_seen; }

/// Something on this host accepts the port on a reachable address:
/// probe-client, or the program holding the port, which is the user's
/// server unless --listen was asked for.
bool listener_open(const evidence& ev) {
  const bool server_listening = ev.local.state == bind_state::held && ev.mode != probe_mode::listen;
  return ev.agent_listening || server_listening;
}

/// The capture proves the relay's probe reached this host on another port.
std::optional<finding> wrong_port(const network_context& c) {
  const auto& cap = c.ev.capture;
  if (!cap.available || !cap.probe_seen || !cap.arrived_port || *cap.arrived_port == c.ev.port) return std::nullopt;
  const auto nat = c.home.innermost_nat();
  const auto how = "the relay's " + probe_word(c.ev) + " for port " + port_text(c.ev.port) + " arrived here on port " +
                   std::to_string(*cap.arrived_port);
  if (!nat) return finding{cause::inconclusive, std::nullopt, "Port " + port_text(c.ev.port) + " is translated: " + how + ".", {}};
  return nat_wrong_target(c.ev, c.home, *nat, how);
}

/// The router at `index` answered the relay's probe with ICMP unreachable `icmp`.
finding router_rejected(const network_context& c, std::size_t index, const std::optional<icmp_info>& icmp) {
  const int code = icmp ? icmp->code : -1;
  if (icmp && is_port_unreachable(*icmp)) return nat_no_forward(c.ev, c.home, index, answered_port_unreachable);
  if (icmp && no_such_host(*icmp)) {
    auto f = nat_wrong_target(c.ev, c.home, index, forward_to_nobody);
    // Host unreachable comes from the router that tried to deliver the probe,
    // which may be the one in front forwarding to an address gone stale.
    if (index > 1) {
      const auto in_front = hop_label(c.home.hops[index - 1]);
      f.summary += " Host unreachable comes from the router that tried to deliver the " + probe_word(c.ev) +
                   ", so it could also be the " +
                   in_front + " forwarding port " + port_text(c.ev.port) +
                   " to a stale address. What tells them apart: the ICMP's arrival TTL, and the " + in_front +
                   "'s port-forward page.";
      f.also.push_back(index - 1);
    }
    return f;
  }
  const auto router = hop_label(c.home.hops[index]);
  const auto p = port_text(c.ev.port);
  return {cause::filtered, index,
          "The " + router + " rejects port " + p + " with ICMP code " + std::to_string(code) + " (its firewall).",
          {router + ": allow forwarded " + protocol_word(c.ev) + " " + p + " in its firewall and add the port forward."}};
}

/// An answer from in front of this host: that router handles the port itself.
std::optional<finding> answered_by_router(const network_context& c) {
  if (!c.sweep.answer_depth || *c.sweep.answer_depth >= c.home.host_depth()) return std::nullopt;
  const auto index = c.home.at_depth(*c.sweep.answer_depth);
  const auto& a = *c.sweep.answer;
  switch (a.reply) {
    case sweep_reply::rst:
      return nat_no_forward(c.ev, c.home, index,
                            "it answered the relay's " + probe_word(c.ev) + " itself with " +
                                std::string(words(c.ev).refusal));
    case sweep_reply::syn_ack:
    case sweep_reply::udp_reply: {  // the target answering, as a SYN-ACK is
      const auto& w = words(c.ev);
      return nat_no_forward(c.ev, c.home, index,
                            "it " + std::string(w.accepted) + " the " + std::string(w.exchange) +
                                " itself (a service on the router holds the port)");
    }
    case sweep_reply::unreachable: return router_rejected(c, index, a.icmp);
    case sweep_reply::time_exceeded:
    case sweep_reply::silence: break;
  }
  return std::nullopt;
}

/// Nothing reached this host: blame the innermost NAT's target.
finding missed_this_host(const network_context& c, const std::string& how) {
  if (const auto nat = c.home.innermost_nat()) return nat_wrong_target(c.ev, c.home, *nat, how);
  return {cause::inconclusive, std::nullopt,
          "The " + std::string(words(c.ev).exchange) + " reached a device other than this host: " + how + ".", {}};
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
            {router + ": make sure the port forward for " + protocol_word(c.ev) + " WAN " + p + " targets " +
             host_target(c.ev, c.home) + "."}};
  append(f.fix, with_lead_in("If it does: ", c.fixes.steps("other_firewall")));
  f.also.push_back(*nat);
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
    case firewall_view::blocks: {
      auto f = firewall_blocks(c.ev, c.home, c.fixes, blocked, answered);
      const auto nat = c.home.innermost_nat();
      if (!nat) return f;
      f.also.push_back(*nat);
      // firewall_blocks() already hedges an answer; a silent drop needs it said here.
      if (!answered) {
        f.summary += " Nothing shows the " + probe_word(c.ev) + " reached this host, so it could also be the " +
                     hop_label(c.home.hops[*nat]) + " forwarding port " + port_text(c.ev.port) +
                     " to another device. What tells them apart: whether the port stays closed after this fix; if "
                     "it does, check that forward.";
      }
      return f;
    }
    case firewall_view::allows: return not_this_firewall(c, allowed);
    case firewall_view::unknown: break;
  }
  return std::nullopt;
}

/// A reset or an ICMP error (`what`) at this host's depth, where a listener was open.
finding answered_at_host_depth(const network_context& c, const std::string& what) {
  if (capture_saw_no_syn(c.ev))
    return missed_this_host(c, what + " came from another device: the capture saw no relay " + probe_word(c.ev) +
                                   " reach this host");
  const auto although_listening =
      what + " although " + (c.ev.agent_listening ? "probe-client" : "your server") + " was listening";
  if (auto f = firewall_at_host_depth(c, what, although_listening, true)) return *f;
  const auto nat = c.home.innermost_nat();
  if (c.ev.capture.available || !nat) return host_firewall(c.ev, c.home, c.fixes, although_listening);
  auto f = host_firewall(c.ev, c.home, c.fixes, what + " at this host's depth although a listener was open");
  f.summary += " Without a packet capture this cannot be told apart from the " + hop_label(c.home.hops[*nat]) +
               " forwarding to another device that refuses it. " +
               tell_apart_sentence({host_tell_apart(c.ev), "the router's port-forward page shows where it sends port " +
                                                              port_text(c.ev.port)});
  f.also.push_back(*nat);
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
  if (capture_saw_no_syn(c.ev))
    return missed_this_host(c, "the relay reached " + heard + ", but no relay " + probe_word(c.ev) + " reached this host");
  const auto p = port_text(c.ev.port);
  const bool udp = c.ev.protocol == transport::udp;
  if (!c.ev.capture.available) {
    return {cause::reachable, std::nullopt,
            "Port " + p + " is reachable: " +
                (udp ? "a program at this host's depth answered the relay's datagram (without a capture it could not "
                       "confirm the program is on this host)."
                     : "the relay connected to a server at this host's depth (without a capture it could not confirm "
                       "the server is this host)."),
            {}};
  }
  return {cause::reachable, std::nullopt,
          "Port " + p + " is reachable from the internet: " +
              (udp ? "your program answered the relay's datagram." : "the relay connected to your server."),
          {}};
}

/// A reset at this host's depth, where a listener was open: this host's own
/// stack resets a probe in the family its server does not listen in.
finding refused_at_host_depth(const network_context& c) {
  if (!capture_saw_no_syn(c.ev)) {
    if (auto f = wrong_family(c.ev, c.home.host_index(), c.fixes)) return *f;
  }
  return answered_at_host_depth(c, "the relay's " + probe_word(c.ev) + " was refused (" +
                                       std::string(words(c.ev).refusal_tag) + ")");
}

/// A refusal that no router in front is known to have sent.
finding refused_here(const network_context& c) {
  if (listener_open(c.ev)) return refused_at_host_depth(c);
  if (capture_saw_no_syn(c.ev))
    return missed_this_host(c, "the relay's " + probe_word(c.ev) +
                                   " was refused by another device: the capture saw none reach this host");
  // Nothing listens here on a reachable address, so a refusal is what this
  // host should answer; the local check names the reason.
  return {cause::no_listener, c.home.host_index(),
          "Nothing on this host accepts port " + port_text(c.ev.port) + " from outside, so it answered the relay with " +
              std::string(words(c.ev).refusal) + ".",
          {}};
}

finding on_refused(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  return refused_here(c);
}

/// UDP's refusal: the connect-back got ICMP port unreachable.
bool udp_refused(const evidence& ev) {
  const auto& icmp = ev.connect_back.icmp;
  return ev.protocol == transport::udp && icmp && is_port_unreachable(*icmp);
}

/// The depth behind the public address of the hop that sent the
/// connect-back's ICMP error, from the TTL it arrived with. The sweep's ICMP
/// errors from behind the public address lose one TTL per hop on their way
/// back, so they give the arrival TTL of each depth; used only when they all
/// agree (one initial TTL) and the connect-back's fits a depth of the home.
/// Devices that start their TTLs elsewhere (64, 128, 255) land far outside it.
std::optional<int> icmp_depth(const network_context& c) {
  const auto& arrived = c.ev.connect_back.reply_ttl;
  if (!arrived || !c.home.public_ttl || !c.ev.sweep) return std::nullopt;
  std::optional<int> at_depth_zero;
  for (const auto& h : c.ev.sweep->hops) {
    const int depth = h.ttl - *c.home.public_ttl;
    if (depth < 0 || !h.reply_ttl) continue;
    const int base = *h.reply_ttl + depth;
    if (at_depth_zero && *at_depth_zero != base) return std::nullopt;
    at_depth_zero = base;
  }
  if (!at_depth_zero) return std::nullopt;
  const int depth = *at_depth_zero - *arrived;
  if (depth < 0 || depth > c.home.host_depth()) return std::nullopt;
  return depth;
}

/// Nothing placed the ICMP port unreachable and no capture saw the datagram
/// arrive: each router the sweep does not show forwarding the port may have
/// answered it itself, as a router without a forward does.
void add_unplaced_routers(const network_context& c, finding& f) {
  if (c.ev.capture.probe_seen || !f.blocking) return;
  std::vector<suspect> others;
  std::vector<std::string> steps;
  for (int depth = c.sweep.deepest_forward.value_or(-1) + 1; depth < c.home.host_depth(); ++depth) {
    const auto index = c.home.at_depth(depth);
    if (index == *f.blocking || std::find(f.also.begin(), f.also.end(), index) != f.also.end()) continue;
    others.push_back({index, suspect_name(c.ev, c.home, index) + " answering it itself (no forward)"});
    steps.push_back(nat_no_forward(c.ev, c.home, index, answered_port_unreachable).fix.front());
  }
  add_suspects(f, others, "Neither the sweep nor the ICMP's arrival TTL places the ICMP port unreachable",
               tell_apart_sentence({"each router's port-forward page shows whether it forwards port " +
                                    port_text(c.ev.port)}));
  for (const auto& step : steps) f.fix.push_back("If that is not it: " + step);
}

finding on_port_unreachable(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  const auto depth = icmp_depth(c);
  if (depth && *depth < c.home.host_depth()) {
    return nat_no_forward(c.ev, c.home, c.home.at_depth(*depth),
                          std::string(answered_port_unreachable) + " (the ICMP's arrival TTL, " +
                              std::to_string(*c.ev.connect_back.reply_ttl) + ", places it there)");
  }
  auto f = refused_here(c);
  if (!depth && !c.sweep.answer_depth) add_unplaced_routers(c, f);
  return f;
}

finding on_unreachable(const network_context& c) {
  if (auto f = answered_by_router(c)) return *f;
  const auto& icmp = c.ev.connect_back.icmp;
  if (!icmp) {
    return {cause::inconclusive, std::nullopt,
            "The relay could not send its connect-back (no ICMP came back: the failure is on the relay's side).",
            {"Try again, or try another relay."}};
  }
  if (no_such_host(*icmp)) return missed_this_host(c, forward_to_nobody);
  return answered_at_host_depth(c, "the relay's " + probe_word(c.ev) + " was rejected with ICMP " +
                                       icmp_type_code(icmp->type, icmp->code));
}

// ---------------------------------------------------------------------------
// Silence: the relay's probe got no answer at all.

/// The relay's probe reached this host's depth and was dropped silently, and
/// there was no capture to see where.
finding silent_at_host_depth(const network_context& c, std::size_t index) {
  const auto probe = "the relay's " + probe_word(c.ev);
  if (auto f = firewall_at_host_depth(c, probe + " got no answer at this host's depth", probe + " was dropped silently",
                                      false))
    return *f;
  const auto in_front = index - 1;
  const bool nat_in_front = in_front > 0;
  const auto other = nat_in_front ? "the " + hop_label(c.home.hops[in_front]) + " forwarding to another device that drops it"
                                  : std::string("your ISP upstream");
  std::vector<std::string> tell = {host_tell_apart(c.ev)};
  if (nat_in_front) tell.push_back("the router's port-forward page shows where it sends port " + port_text(c.ev.port));
  else tell.push_back(upstream_tell_apart(c.ev.port));
  finding f{cause::filtered, index,
            "The relay's " + probe_word(c.ev) +
                " reached this host's depth and was dropped silently: this host's firewall, or " + other +
                ". " + tell_apart_sentence(tell),
            firewall_fix(c.ev, c.fixes)};
  if (nat_in_front || upstream_possible(c.ev, c.home, c.sweep)) f.also.push_back(in_front);
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

/// The user's program holds the port over UDP, and probe-client does not
/// listen: many UDP programs (WireGuard, game servers) ignore a payload they
/// do not understand, so silence at this host proves no block.
bool program_may_ignore(const evidence& ev) {
  return ev.protocol == transport::udp && !ev.agent_listening && listener_open(ev);
}

constexpr const char* ignores_payloads =
    "many UDP programs, WireGuard and game servers among them, answer only their own protocol and ignore a payload "
    "they do not understand";

/// What tells a program that ignores the relay's datagram from a block.
constexpr const char* stop_program_step =
    "Stop your program and run probe-client again without --service: its own listener then answers the relay's "
    "datagram, so an answer proves the path and silence is a block.";

/// The capture saw the relay's datagram arrive and this host send nothing,
/// while the user's program held the port: its firewall, or the program.
finding ignored_or_dropped(const network_context& c) {
  const auto p = port_text(c.ev.port);
  finding f{cause::inconclusive, c.home.host_index(),
            "The relay's datagram reached this host (seen by the capture) and nothing answered it: this host's "
            "firewall dropped it, or your program ignored it (" + std::string(ignores_payloads) + "). " +
                tell_apart_sentence({"stopping your program and running probe-client without --service, so that its "
                                     "own listener answers the relay",
                                     "or this host's firewall rules for UDP " + p}),
            {stop_program_step}};
  append(f.fix, with_lead_in("If it is this host's firewall: ", firewall_fix(c.ev, c.fixes)));
  return f;
}

/// Without a capture, silence at this host's depth may also be the user's
/// program ignoring the relay's datagram: said wherever this host is a
/// candidate and the firewall's own word does not settle it.
void add_ignoring_program(const network_context& c, finding& f) {
  const auto host = c.home.host_index();
  const bool host_named = f.blocking == host || std::find(f.also.begin(), f.also.end(), host) != f.also.end();
  const auto view = read_firewall(c.ev);
  if (!host_named || view == firewall_view::log_shows_drop || view == firewall_view::blocks) return;
  // Another firewall on this host is then no surer than the program.
  if (f.why == cause::host_firewall) f.why = cause::inconclusive;
  f.summary += " Your program may also have ignored the relay's datagram: " + std::string(ignores_payloads) +
               ", and without a packet capture UDP gives no further evidence.";
  f.fix.emplace_back(stop_program_step);
}

/// The capture saw the relay's probe arrive, and nothing got back to the relay.
finding silent_after_arrival(const network_context& c) {
  const auto answer = c.ev.capture.answer;
  // This host refused it, and the ICMP error was lost on the way back.
  if (answer == host_answer::port_unreachable) return refused_here(c);
  if (answer == host_answer::syn_ack || answer == host_answer::udp_reply) {
    return {cause::filtered, c.home.host_index(),
            "The relay's " + probe_word(c.ev) +
                " reached this host and it answered, but the answer never got back: the return path "
            "does not go through the router that forwarded it (asymmetric routing).",
            {"Make this host's default gateway the router that forwards port " + port_text(c.ev.port) + "."}};
  }
  if (program_may_ignore(c.ev)) return ignored_or_dropped(c);
  return host_firewall(c.ev, c.home, c.fixes,
                       "the relay's " + probe_word(c.ev) + " arrived (seen by the capture) and this host dropped it");
}

/// Without the sweep's TTLs nothing tells which hop dropped the probe.
finding silent_somewhere(const network_context& c) {
  if (read_firewall(c.ev) == firewall_view::blocks) {
    auto f = firewall_blocks(c.ev, c.home, c.fixes, "the relay's " + probe_word(c.ev) + " got no answer", false);
    // Without the sweep a router further out may drop the probe first.
    std::vector<suspect> others;
    for (auto i = c.home.host_index(); i-- > 1;) others.push_back({i, suspect_name(c.ev, c.home, i)});
    others.push_back({0, suspect_name(c.ev, c.home, 0)});
    add_suspects(f, others, "Without the TTL sweep nothing shows the " + probe_word(c.ev) + " reached this host",
                 "What tells them apart: a relay with the TTL sweep, which shows where the " + probe_word(c.ev) +
                     " stops.");
    return f;
  }
  return {cause::filtered, std::nullopt,
          "Something between the relay and this host drops port " + port_text(c.ev.port) +
              " silently, and without the TTL sweep it cannot be told where.",
          host_evidence_steps(c.ev, c.fixes, "sweep_and_capture")};
}

/// The drop may be anywhere from `first_silent` in: routers that forward do
/// not always answer expired probes. Also the router that last forwarded
/// (its forward may point at a stale address, or its own firewall drop what
/// it forwards), and the ISP when nothing shows the probe got past it.
std::vector<suspect> silent_suspects(const network_context& c, int first_silent, int last_candidate) {
  std::vector<suspect> others;
  for (int depth = first_silent + 1; depth <= last_candidate; ++depth) {
    const auto index = c.home.at_depth(depth);
    others.push_back({index, suspect_name(c.ev, c.home, index)});
  }
  if (first_silent > 0) {
    const auto forwarder = c.home.at_depth(first_silent - 1);
    others.push_back({forwarder, "the " + hop_label(c.home.hops[forwarder]) +
                                     " (it forwards the port, but maybe to a stale address, or into its own firewall)"});
  }
  if (upstream_possible(c.ev, c.home, c.sweep)) others.push_back({0, suspect_name(c.ev, c.home, 0)});
  return others;
}

/// Why the evidence leaves `others` open, in the order they are named.
std::string why_silence_is_open(const network_context& c, int first_silent, int last_candidate) {
  std::vector<std::string> reasons;
  if (first_silent < last_candidate) reasons.emplace_back("routers that forward do not always answer expired probes");
  if (first_silent > 0) {
    reasons.push_back("the " + hop_label(c.home.hops[c.home.at_depth(first_silent - 1)]) +
                      " forwarded the probes inward (its TTL answered), but that does not show where to");
  }
  if (upstream_possible(c.ev, c.home, c.sweep))
    reasons.push_back("nothing shows the " + probe_word(c.ev) + " got past your ISP's network to your public address");
  auto text = joined(reasons, "; ");
  if (!text.empty()) text.front() = static_cast<char>(text.front() - 'a' + 'A');
  return text;
}

/// What tells the silent suspects apart.
std::string silent_tell_apart(const network_context& c, int last_candidate, bool upstream) {
  const auto p = port_text(c.ev.port);
  std::vector<std::string> parts = {"each router's port-forward page or UPnP table shows whether it forwards port " + p +
                                    " and to which address (the next router's current WAN address, or this host)"};
  if (last_candidate == c.home.host_depth()) parts.push_back(host_tell_apart(c.ev));
  if (upstream) parts.push_back(upstream_tell_apart(c.ev.port));
  return tell_apart_sentence(parts);
}

/// The fix steps for the suspects behind the most likely one.
void add_suspect_fixes(const network_context& c, int first_silent, finding& f) {
  const auto p = port_text(c.ev.port);
  if (first_silent > 0) {
    const auto forwarder = c.home.at_depth(first_silent - 1);
    f.fix.push_back("If the forwards further in are there: " + hop_label(c.home.hops[forwarder]) +
                    ": make sure its forward for " + protocol_word(c.ev) + " WAN " + p + " targets " +
                    forward_target(c.ev, c.home, forwarder) +
                    " as it is now (a DHCP renewal may have changed it), and that its firewall allows forwarded " +
                    protocol_word(c.ev) + " " + p +
                    ".");
  }
  if (upstream_possible(c.ev, c.home, c.sweep)) {
    f.fix.push_back("If every forward is right: ask your ISP whether it blocks inbound " + protocol_word(c.ev) + " " + p +
                    ", or serve on a high port instead.");
  }
}

/// The first hop the sweep did not get past, and every candidate behind it.
finding first_silent_hop(const network_context& c) {
  const int first_silent = c.sweep.deepest_forward.value_or(-1) + 1;
  const int last_candidate = c.ev.capture.available ? c.home.host_depth() - 1 : c.home.host_depth();
  if (first_silent > last_candidate) {
    const auto nat = c.home.host_index() - 1;
    auto f = missed_this_host(c, "the " + hop_label(c.home.hops[nat]) +
                                     " forwarded the relay's " + probe_word(c.ev) + " but it never reached this host");
    if (f.why == cause::nat_wrong_target)
      f.summary += " Its own firewall dropping the forwarded " + probe_word(c.ev) +
                   " looks the same: its port-forward page and firewall "
                   "rules tell them apart.";
    return f;
  }
  const auto index = c.home.at_depth(first_silent);
  if (c.home.is_host(index)) return silent_at_host_depth(c, index);
  finding f = nat_no_forward(c.ev, c.home, index,
                             "it dropped the relay's " + probe_word(c.ev) +
                                 " silently (no forward, and its WAN drops unsolicited packets)");
  if (f.why == cause::cgnat) return f;
  const auto others = silent_suspects(c, first_silent, last_candidate);
  if (others.empty()) return f;
  f.summary.front() = 't';  // "The room router ..." follows "Most likely"
  f.summary.insert(0, "Most likely ");
  add_suspects(f, others, why_silence_is_open(c, first_silent, last_candidate),
               silent_tell_apart(c, last_candidate, upstream_possible(c.ev, c.home, c.sweep)));
  if (last_candidate == c.home.host_depth()) append(f.fix, host_also(c));
  add_suspect_fixes(c, first_silent, f);
  return f;
}

/// Where the silence stops, from the capture, the firewall's log or the sweep.
finding silence_finding(const network_context& c) {
  const auto& cap = c.ev.capture;
  if (cap.available && cap.probe_seen) return silent_after_arrival(c);
  if (read_firewall(c.ev) == firewall_view::log_shows_drop) return firewall_log_drop(c.ev, c.home, c.fixes);
  if (!c.home.public_ttl || !c.ev.sweep) return silent_somewhere(c);
  return first_silent_hop(c);
}

// ---------------------------------------------------------------------------
// An IPv6 home: its routers translate nothing and filter inbound. A router
// answers a probe whose hop limit ran out before its forward filter runs,
// so the deepest router that answered is the first that may have dropped.

bool ipv6_home(const layout& home) { return home.hops.size() > 2 && home.hops[1].role == hop_role::router; }

/// ICMPv6 destination unreachable (type 1) codes a filter sends:
/// administratively prohibited, source address failed policy, reject route.
bool icmpv6_prohibited(const icmp_info& icmp) {
  return icmp.type == 1 && (icmp.code == 1 || icmp.code == 5 || icmp.code == 6);
}

/// "ICMPv6 administratively prohibited (type 1 code 1)".
std::string icmpv6_prohibited_text(const icmp_info& icmp) {
  const char* name = icmp.code == 1 ? "administratively prohibited" : icmp.code == 5 ? "source address failed policy"
                                                                                     : "reject route";
  return "ICMPv6 " + std::string(name) + " (" + icmp_type_code(icmp.type, icmp.code) + ")";
}

/// The home router whose own address sent `from`, as the sweep met it.
std::optional<std::size_t> router_by_sweep_address(const network_context& c, const std::string& from) {
  if (!c.ev.sweep || !c.home.public_ttl) return std::nullopt;
  for (const auto& h : c.ev.sweep->hops) {
    if (h.from != from || h.reply != sweep_reply::time_exceeded) continue;
    const int depth = h.ttl - *c.home.public_ttl;
    if (depth >= 0 && depth < c.home.host_depth()) return c.home.at_depth(depth);
  }
  return std::nullopt;
}

/// A home router rejected the probe with an ICMPv6 error of its filter.
std::optional<finding> ipv6_router_rejected(const network_context& c) {
  const auto& icmp = c.ev.connect_back.icmp;
  if (!icmp || !icmpv6_prohibited(*icmp)) return std::nullopt;
  auto index = router_by_sweep_address(c, icmp->from);
  if (!index && c.sweep.answer_depth && *c.sweep.answer_depth < c.home.host_depth())
    index = c.home.at_depth(*c.sweep.answer_depth);
  if (!index) return std::nullopt;
  return router_firewall_blocks(c.ev, c.home, *index,
                                "it rejected the relay's " + probe_word(c.ev) + " with " + icmpv6_prohibited_text(*icmp));
}

/// The probes went silent inside an IPv6 home: the deepest router that
/// answered the hop limit's expiry most likely dropped them; a router
/// further in that answers no expiries, this host's firewall (without a
/// capture), and the ISP (when no home router answered) stay named.
finding ipv6_router_silence(const network_context& c) {
  const int deepest = c.sweep.deepest_forward.value_or(-1);
  const int first = std::clamp(deepest, 0, c.home.host_depth() - 1);
  const auto index = c.home.at_depth(first);
  const auto reached = deepest >= 0 ? "it answered the relay's " + probe_word(c.ev) +
                                          " when its hop limit ran out there, and nothing got further"
                                    : "the relay's " + probe_word(c.ev) + " got no further than this home's routers";
  auto f = router_firewall_blocks(c.ev, c.home, index, reached);
  std::vector<suspect> others;
  for (int depth = first + 1; depth < c.home.host_depth(); ++depth) {
    const auto i = c.home.at_depth(depth);
    others.push_back({i, suspect_name(c.ev, c.home, i) + " (routers need not answer expired probes)"});
  }
  if (!c.ev.capture.available) others.push_back({c.home.host_index(), suspect_name(c.ev, c.home, c.home.host_index())});
  if (deepest < 0) others.push_back({0, suspect_name(c.ev, c.home, 0)});
  if (others.empty()) return f;
  f.summary.front() = 't';  // "The room router ..." follows "Most likely"
  f.summary.insert(0, "Most likely ");
  std::vector<std::string> tell = {"each router's IPv6 firewall page shows whether it allows inbound " +
                                   protocol_word(c.ev) + " " + port_text(c.ev.port)};
  if (!c.ev.capture.available) tell.push_back(host_tell_apart(c.ev));
  add_suspects(f, others, "Routers answer expired probes before their firewall runs", tell_apart_sentence(tell));
  if (!c.ev.capture.available) append(f.fix, with_lead_in("If the routers allow it: ", firewall_fix(c.ev, c.fixes)));
  return f;
}

/// What an IPv6 home's routers explain, before the NAT logic reads the rest.
std::optional<finding> ipv6_router_finding(const network_context& c) {
  if (!ipv6_home(c.home)) return std::nullopt;
  switch (c.ev.connect_back.outcome) {
    case connect_outcome::unreachable: return ipv6_router_rejected(c);
    case connect_outcome::timeout: {
      const bool arrived = c.ev.capture.available && c.ev.capture.probe_seen;
      if (arrived || !c.home.public_ttl || !c.ev.sweep) return std::nullopt;
      if (read_firewall(c.ev) == firewall_view::log_shows_drop) return std::nullopt;
      return ipv6_router_silence(c);
    }
    default: return std::nullopt;
  }
}

finding on_silence(const network_context& c) {
  auto f = silence_finding(c);
  if (program_may_ignore(c.ev) && !c.ev.capture.available) add_ignoring_program(c, f);
  return f;
}

}  // namespace

std::string suspect_name(const evidence& ev, const layout& home, std::size_t index) {
  if (index == 0) return "your ISP upstream";
  if (home.is_host(index)) return ev.firewall ? "a firewall on this host" : "this host's firewall";
  return "the " + hop_label(home.hops[index]);
}

finding network_finding(const evidence& ev, const layout& home, const sweep_reading& sweep, const fix_writer& fx) {
  const network_context c{ev, home, sweep, fx};
  if (ev.connect_back.outcome == connect_outcome::verified) {
    return {cause::reachable, std::nullopt,
            "Port " + port_text(ev.port) + " is reachable from the internet: " +
                (ev.protocol == transport::udp
                     ? "the relay's datagram reached probe-client here, and it answered with the proof."
                     : "the relay reached probe-client here."),
            {}};
  }
  if (auto f = wrong_port(c)) return *f;
  if (auto f = ipv6_router_finding(c)) return *f;
  switch (ev.connect_back.outcome) {
    // connected: the client could not learn who answered; something did.
    case connect_outcome::foreign:
    case connect_outcome::connected: return on_foreign(c);
    case connect_outcome::refused: return on_refused(c);
    case connect_outcome::unreachable: return udp_refused(ev) ? on_port_unreachable(c) : on_unreachable(c);
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
