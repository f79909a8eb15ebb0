// SPDX-License-Identifier: MIT
#include "verdict_hairpin.hpp"

#include <string>
#include <vector>

#include "address.hpp"
#include "verdict_parts.hpp"

namespace reachback {
namespace {

using namespace verdict_parts;

/// The outermost NAT holds the public address; without a NAT, this host.
std::optional<std::size_t> address_holder(const verdict& v) {
  if (v.hops.size() <= 2) return std::nullopt;
  return 1;
}

/// "the ISP hub 192.168.0.1", or "this host".
std::string holder_name(const verdict& v) {
  const auto holder = address_holder(v);
  return holder ? "the " + hop_label(v.hops[*holder]) : std::string("this host");
}

/// The hairpin's target as its lines name it: "198.51.100.2:3000", and
/// "UDP 198.51.100.2:19132" for a UDP probe, so a UDP report says so.
std::string target_text(const evidence& ev, const hairpin_evidence& h) {
  return ev.protocol == transport::udp ? std::string(words(ev).protocol) + " " + h.target : h.target;
}

/// How the target refused: a reset needs no word, ICMP port unreachable does.
std::string refused_text(const evidence& ev) {
  return ev.protocol == transport::udp ? " was refused (" + std::string(words(ev).refusal_tag) + ")" : " was refused";
}

/// What the connection met, when it did not come back: "198.51.100.2:3000 was refused".
std::string what_it_met(const evidence& ev, const hairpin_evidence& h) {
  auto target = target_text(ev, h);
  switch (h.outcome) {
    case hairpin_outcome::other_peer: return target + " reached something other than probe-client's listener";
    case hairpin_outcome::refused: return target + refused_text(ev);
    case hairpin_outcome::unreachable: return target + " was unreachable (" + h.error + ")";
    case hairpin_outcome::timeout: return target + " got no answer within " + format_ms(h.elapsed_ms);
    case hairpin_outcome::looped_back:
    case hairpin_outcome::connected:
    case hairpin_outcome::failed: break;
  }
  return target;
}

/// The ways around a NAT without loopback, this host's LAN address first.
std::vector<std::string> no_loopback_fix(const evidence& ev, const verdict& v) {
  const auto& own = v.hops.back().address;
  const auto lan = own ? format_endpoint(*own, ev.port) : "this host's LAN address, port " + port_text(ev.port);
  std::vector<std::string> fix = {
      "Inside your LAN, connect to " + lan + " instead of the public address.",
      "Or split DNS: let your LAN's DNS server (often the router) answer your server's name with " +
          (own ? *own : std::string("this host's LAN address")) + ", and public DNS with " + ev.public_address + "."};
  if (address_holder(v)) {
    fix.push_back("Or turn on NAT loopback (also called hairpin NAT or NAT reflection) for port " + port_text(ev.port) +
                  " on " + holder_name(v) + ", if it offers it.");
  }
  return fix;
}

hairpin_finding does_not_loop_back(const evidence& ev, const verdict& v, const hairpin_evidence& h) {
  const auto holder = address_holder(v);
  const auto summary =
      holder ? "Does not loop back: " + holder_name(v) + " has no NAT loopback (from inside your LAN, " + what_it_met(ev, h) +
                   ")."
             : "Does not loop back: from this host, its own public address " + what_it_met(ev, h) + ".";
  return {true, false, std::nullopt, holder, summary, no_loopback_fix(ev, v)};
}

hairpin_finding not_tested(const std::string& why, std::optional<std::size_t> holder) {
  return {false, std::nullopt, why, holder, "Not tested: " + why + ".", {}};
}

}  // namespace

std::optional<std::string> hairpin_skip_reason(const evidence& ev, const verdict& v) {
  if (!v.reachable()) return "the port is not reachable from the internet";
  if (ev.public_address.empty()) return "the relay did not say which public address it sees";
  if (verdict_parts::is_own_address(ev, ev.public_address))
    return "the public address is this host's own (no NAT in between, as on IPv6), so nothing needs to loop back";
  return std::nullopt;
}

hairpin_finding judge_hairpin(const evidence& ev, const verdict& v) {
  const auto holder = address_holder(v);
  if (const auto skip = hairpin_skip_reason(ev, v)) return not_tested(*skip, holder);
  if (!ev.hairpin) return not_tested("the connection was not made", holder);
  const auto& h = *ev.hairpin;
  const auto target = target_text(ev, h);
  const auto& w = words(ev);
  switch (h.outcome) {
    case hairpin_outcome::looped_back:
      return {true, true, std::nullopt, holder,
              "From inside your LAN, the public address loops back: " + target + " reached probe-client's listener here.",
              {}};
    case hairpin_outcome::connected:
      return {true, std::nullopt, std::nullopt, holder,
              "From inside your LAN, " + target + " " + std::string(w.accepted) + " a " + std::string(w.exchange) +
                  ", but without probe-client's own listener "
              "on the port nothing shows whether that was your server here or " + holder_name(v) +
                  " itself; run without --service while your server is stopped to tell.",
              {}};
    case hairpin_outcome::failed:
      return not_tested("connecting to " + target + " failed on this host (" + h.error +
                            "), which says nothing about the network",
                        holder);
    case hairpin_outcome::other_peer:
    case hairpin_outcome::refused:
    case hairpin_outcome::unreachable:
    case hairpin_outcome::timeout: break;
  }
  return does_not_loop_back(ev, v, h);
}

}  // namespace reachback
