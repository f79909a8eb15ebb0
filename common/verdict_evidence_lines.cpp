// SPDX-License-Identifier: MIT
// The evidence lines listed under each hop: this host's port, owners and
// reservations, the capture, the firewall, the connect-back and the relay's
// distance to the public address. Every fact shows whatever the verdict, so
// a reader can check the verdict against what was seen.
#include "verdict_parts.hpp"

#include <string>

#include "address.hpp"
#include "evidence_json.hpp"

namespace reachback::verdict_parts {
namespace {

std::string admin_word(host_os os) { return os == host_os::windows_host ? "administrator" : "root"; }

// ---------------------------------------------------------------------------
// This host's port.

void add_owner_evidence(const evidence& ev, const port_owner& o, hop& host) {
  std::string line = "port " + port_text(ev.port) + " held by " + owner_text(o);
  for (const auto& a : o.addresses) line += " " + a;
  if (!o.unit.empty()) line += (ev.os == host_os::linux_host ? ", unit " : ", service ") + o.unit;
  if (!o.container.empty()) line += ", " + o.container;
  host.evidence.push_back(line);
  if (!o.services.empty()) host.evidence.push_back(owner_text(o) + " running " + services_text(o));
  if (o.access_denied) host.evidence.push_back(owner_text(o) + ": image path not readable: access denied");
  else if (!o.image_path.empty()) host.evidence.push_back(owner_text(o) + ": image " + o.image_path);
  for (const auto& url : o.urls) host.evidence.push_back(owner_text(o) + ": http.sys URL " + url);
}

/// "port 3000 is held on IPv6 only", when the port is held in one family alone.
void add_family_evidence(const evidence& ev, hop& host) {
  const auto p = port_text(ev.port);
  switch (ev.local.held_in) {
    case held_families::ipv4_only: host.evidence.push_back("port " + p + " is held on IPv4 only: IPv6 is free on it"); break;
    case held_families::ipv6_only: host.evidence.push_back("port " + p + " is held on IPv6 only: IPv4 is free on it"); break;
    case held_families::unknown:
    case held_families::both: break;
  }
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
      add_family_evidence(ev, host);
      if (local.owners_hidden)
        host.evidence.push_back("some sockets on port " + p + " belong to processes this user cannot see (run as " +
                                admin_word(ev.os) + ")");
      break;
  }
}

/// A portproxy rule on the port, and who holds the port for it.
std::string rule_evidence_line(const evidence& ev, const portproxy_rule& r, bool proxy_holds) {
  const auto line = "portproxy rule " + rule_endpoints(r) + " listens on port " + port_text(ev.port);
  if (proxy_holds) return line + " (the IP Helper service, iphlpsvc, holds the port for it)";
  if (ev.local.state == bind_state::free) return line + ", yet the port was free: is the IP Helper service (iphlpsvc) stopped?";
  return line + ", yet " + owners_text(ev.local) + " holds the port, not the IP Helper service";
}

/// --service through a portproxy rule: where the relay's probe goes, and
/// whether that target accepted this host's own connection.
void add_service_proxy_evidence(const evidence& ev, hop& host) {
  const auto target = proxy_target(probed_rule(ev));
  const auto& accepts = ev.local.proxy_target_accepts;
  host.evidence.push_back("--service: the relay probes the portproxy, which relays to " + target);
  host.evidence.push_back(!accepts   ? "the portproxy's target " + target + " was not tried"
                          : *accepts ? "the portproxy's target " + target + " accepted a connection from this host"
                                     : "the portproxy's target " + target + " refused a connection from this host");
}

/// What keeps the port from programs besides its owners: portproxy rules
/// and excluded ranges, and the local evidence that could not be read.
void add_reservation_evidence(const evidence& ev, hop& host) {
  const auto& local = ev.local;
  const bool proxy_holds = proxy_holds_port(ev);
  for (const auto& r : proxy_rules(ev)) host.evidence.push_back(rule_evidence_line(ev, r, proxy_holds));
  if (proxy_holds && ev.mode == probe_mode::service) add_service_proxy_evidence(ev, host);
  if (const auto& range = local.excluded) {
    host.evidence.push_back("port " + port_text(ev.port) + " lies in the excluded port range " + range_text(*range) +
                            (range->administered ? ", added by an administrator (* in netsh)"
                                                 : ", kept by Hyper-V / WinNAT; netstat shows nothing for it"));
  }
  for (const auto& m : local.missing) host.evidence.push_back("not read: " + m.what + ": " + m.why);
}

// ---------------------------------------------------------------------------
// What the probes showed.

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
  if (cb.icmp) line += " (ICMP " + icmp_type_code(cb.icmp->type, cb.icmp->code) + " from " + cb.icmp->from + ")";
  line += " after " + format_ms(cb.connect_ms);
  h.evidence.push_back(line);
}

/// "; this host answered syn_ack", "; this host answered with a datagram".
std::string capture_answer_text(host_answer a) {
  switch (a) {
    case host_answer::none: return "; this host sent nothing back";
    case host_answer::udp_reply: return "; this host answered with a datagram";
    case host_answer::port_unreachable: return "; this host answered ICMP port unreachable";
    case host_answer::syn_ack:
    case host_answer::rst: break;
  }
  return "; this host answered " + std::string(to_string(a));
}

void add_capture_evidence(const evidence& ev, hop& host) {
  const auto& cap = ev.capture;
  if (!cap.available) {
    host.evidence.push_back("packet capture unavailable: " + cap.unavailable_reason);
    return;
  }
  if (!cap.probe_seen) {
    host.evidence.push_back("capture: no relay " + probe_word(ev) + " reached this host");
    return;
  }
  std::string line = "capture: " + std::to_string(cap.probe_count) + " relay " + probe_word(ev) + "(s) arrived";
  if (cap.arrived_port) line += " on port " + std::to_string(*cap.arrived_port);
  host.evidence.push_back(line + capture_answer_text(cap.answer));
}

/// `port` is "TCP 3000", "UDP 19132".
std::string firewall_decision_line(const host_firewall_evidence& fw, const std::string& port) {
  switch (fw.decision) {
    case firewall_decision::allowed:
      return "firewall: inbound " + port + " from the internet is allowed" + by_rule_text(fw);
    case firewall_decision::blocked:
      return "firewall: inbound " + port + " from the internet is blocked: " + block_reason_text(fw);
    case firewall_decision::firewall_off: return "firewall: off for the " + profiles_text(fw) + " profile";
    case firewall_decision::unknown: break;
  }
  return "firewall: whether inbound " + port + " is allowed could not be told";
}

std::string firewall_log_line(const evidence& ev, const host_firewall_evidence& fw) {
  const auto log = "firewall log" + (fw.log_path.empty() ? std::string() : " " + fw.log_path);
  if (fw.log_shows_drop) {
    return log + (*fw.log_shows_drop ? ": a DROP" : ": no DROP") + " of the relay's " + probe_word(ev) + " to port " +
           port_text(ev.port);
  }
  if (!fw.log_unavailable_reason.empty()) return "firewall log not read: " + fw.log_unavailable_reason;
  return fw.logging_dropped ? "firewall log not read" : "firewall log not read: dropped packets are not logged";
}

/// Firewall facts always show on the host, whatever the verdict.
void add_firewall_evidence(const evidence& ev, hop& host) {
  if (!ev.firewall) return;
  const auto& fw = *ev.firewall;
  if (!fw.available) {
    host.evidence.push_back(firewall_name(ev.os) + " not read: " + fw.unavailable_reason);
  } else {
    host.evidence.push_back("firewall: active profile " + profiles_text(fw) +
                            (fw.network_name.empty() ? std::string() : " on the network " + quoted(fw.network_name)));
    host.evidence.push_back(firewall_decision_line(fw, protocol_word(ev) + " " + port_text(ev.port)));
    if (!fw.detail.empty()) host.evidence.push_back("firewall: " + fw.detail);
  }
  host.evidence.push_back(firewall_log_line(ev, fw));
}

void add_public_distance_evidence(const layout& home, hop& internet) {
  if (home.public_ttl)
    internet.evidence.push_back("public address is " + std::to_string(*home.public_ttl) + " hop(s) from the relay");
}

}  // namespace

void add_local_evidence(const evidence& ev, hop& host) {
  add_bind_evidence(ev, host);
  if (ev.local.squatter) host.evidence.push_back("known port squatter: " + ev.local.squatter->description);
  add_reservation_evidence(ev, host);
  if (ev.agent_listening) host.evidence.push_back("probe-client listened on port " + port_text(ev.port) + " on all addresses");
}

void add_probe_evidence(const evidence& ev, const sweep_reading& sweep, layout& home) {
  auto& host = home.hops.back();
  add_capture_evidence(ev, host);
  add_firewall_evidence(ev, host);
  add_connect_back_evidence(ev, sweep.answer_depth ? home.hops[home.at_depth(*sweep.answer_depth)] : host);
  add_public_distance_evidence(home, home.hops.front());
}

}  // namespace reachback::verdict_parts
