// SPDX-License-Identifier: MIT
// What the local port check proves on its own: who holds the port (a
// program, a container, a portproxy rule), a range the OS keeps from every
// program, a listener on loopback only, or no listener at all.
#include "verdict_parts.hpp"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "address.hpp"
#include "ascii_text.hpp"
#include "verdict_engine.hpp"

namespace reachback {
namespace verdict_parts {
namespace {

constexpr std::string_view other_port_step = "Or serve on another port and forward that one instead.";

std::string service_text(const hosted_service& s) {
  return s.display_name.empty() || s.display_name == s.name ? s.name : s.name + " (" + s.display_name + ")";
}

// ---------------------------------------------------------------------------
// portproxy rules and the IP Helper service that serves them.

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

bool port_taken(const local_port_evidence& local) {
  return local.state == bind_state::held || local.state == bind_state::loopback_only;
}

/// "portproxy v4tov4 0.0.0.0:3000 → 172.28.160.1:3000"
std::string rule_text(const portproxy_rule& r) { return "portproxy " + rule_endpoints(r); }

std::string rules_text(const std::vector<portproxy_rule>& rules) {
  std::vector<std::string> parts;
  parts.reserve(rules.size());
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
  // The squatter's own steps would repeat how to find and delete the rule.
  append(f.fix, fx.steps("portproxy_other_ways"));
  return f;
}

/// --service with a portproxy rule: the relay probes the proxy, and its
/// target refused this host's own connection.
finding proxy_target_refuses(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto r = probed_rule(ev);
  const auto question = classify_address(r.connect_address) == address_class::loopback
                            ? "is your server on port " + std::to_string(r.connect_port) + " running?"
                            : std::string("is the server in WSL2 running, and has WSL's address changed?");
  return {cause::no_listener, host,
          "The relay probes the " + rule_text(r) + " on this host, and the portproxy forwards to " + proxy_target(r) +
              ", where nothing accepts: " + question,
          fx.steps("portproxy_target", rule_fills(r))};
}

/// A portproxy rule holds the port. Under --service the proxy is the way in
/// the user asked about, so only its target can fail here.
std::optional<finding> proxy_finding(const evidence& ev, std::size_t host, const fix_writer& fx) {
  if (ev.mode != probe_mode::service) return proxy_conflict(ev, host, fx);
  if (ev.local.proxy_target_accepts == false) return proxy_target_refuses(ev, host, fx);
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// A bind the OS refused.

fills range_fills(const excluded_port_range& range) {
  return {{"first", std::to_string(range.first)},
          {"last", std::to_string(range.last)},
          {"count", std::to_string(range.last - range.first + 1)},
          {"ip_version", std::to_string(range.ip_version)}};
}

/// Windows has no privileged ports: a refused bind that nobody holds is a
/// range the system keeps from every program.
finding refused_on_windows(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto p = port_text(ev.port);
  const auto& range = ev.local.excluded;
  if (!range) {
    return {cause::forbidden_port, host,
            "Binding port " + p + " was refused (WSAEACCES) although no program holds it: Windows keeps the port from "
            "programs, usually in an excluded port range (Hyper-V / WinNAT, for WSL2 and Docker Desktop) that netstat "
            "does not show.",
            fx.steps("forbidden_port")};
  }
  if (range->administered) {
    return {cause::forbidden_port, host,
            "Binding port " + p + " was refused (WSAEACCES) although no program holds it, and it lies in the excluded "
            "range " + range_text(*range) + " that an administrator added (marked * by netsh): that range is someone's "
            "own reservation, which usually still lets a program bind, so security software or a policy may refuse "
            "the port as well.",
            fx.steps("excluded_range_administered", range_fills(*range))};
  }
  return {cause::forbidden_port, host,
          "Port " + p + " lies in the excluded range " + range_text(*range) +
              " that Windows reserves for Hyper-V / WinNAT (used by WSL2, Docker Desktop); netstat shows nothing for it.",
          fx.steps("excluded_range", range_fills(*range))};
}

finding forbidden_port(const evidence& ev, std::size_t host, const fix_writer& fx) {
  if (ev.os == host_os::windows_host) return refused_on_windows(ev, host, fx);
  const auto p = port_text(ev.port);
  const auto summary = ev.os == host_os::linux_host ? "Port " + p + " is privileged and this user may not bind it."
                                                    : "Binding port " + p + " was refused: permission denied.";
  return {cause::forbidden_port, host, summary, fx.steps("forbidden_port")};
}

// ---------------------------------------------------------------------------
// A program holding the port, and one listening where the relay cannot reach.

/// The service to stop for an owner: its unit, or the only service it hosts.
std::string service_of(const port_owner& o) {
  if (!o.unit.empty()) return o.unit;
  return o.services.size() == 1 ? o.services.front().name : std::string();
}

/// How to make one owner let go of `port`: by its container, its service, or its process.
std::vector<std::string> owner_fix(const port_owner& o, std::uint16_t port, const fix_writer& fx) {
  if (!o.container.empty()) {
    return {"docker-proxy publishes " + o.container + " on port " + port_text(port) +
            ": stop or re-map that container (`docker ps --filter publish=" + port_text(port) + "`)."};
  }
  if (const auto service = service_of(o); !service.empty())
    return fx.steps("stop_service", {{"unit", service}, {"program", owner_text(o)}});
  if (o.services.size() > 1) {
    return fx.steps("stop_one_of_services",
                    {{"program", owner_text(o)}, {"pid", std::to_string(o.pid)}, {"services", services_text(o)}});
  }
  if (o.pid > 0) {
    const auto command = !o.cmdline.empty() ? o.cmdline : !o.name.empty() ? o.name : "pid " + std::to_string(o.pid);
    return fx.steps("stop_process", {{"program", owner_text(o)}, {"pid", std::to_string(o.pid)}, {"command", command}});
  }
  return fx.steps("find_holder");
}

std::vector<std::string> holder_fix(const evidence& ev, const fix_writer& fx) {
  const auto& local = ev.local;
  if (local.squatter) return local.squatter->fix;
  std::vector<std::string> fix;
  for (const auto& o : local.owners) append(fix, owner_fix(o, local.port, fx));
  if (local.owners.empty() && !local.owners_hidden) append(fix, fx.steps("find_holder"));
  if (local.owners_hidden) append(fix, fx.steps("see_hidden_owners"));
  fix.emplace_back(other_port_step);
  return fix;
}

std::string holder_summary(const local_port_evidence& local) {
  std::string text = "Port " + port_text(local.port) + " is already held by " + owners_text(local);
  if (local.squatter) text += ", " + local.squatter->description;
  return text + ", so your server cannot bind it.";
}

finding loopback_only(const evidence& ev, std::size_t host) {
  const auto p = port_text(ev.port);
  const auto owners = owners_text(ev.local);
  return {cause::loopback_only, host,
          owners + " listens on port " + p + " on the loopback address only, so nothing outside this host can reach it.",
          {"Make " + owners + " listen on 0.0.0.0 (or ::) instead of 127.0.0.1, e.g. `server.listen(" + p +
           ", '0.0.0.0')`, `--host 0.0.0.0`, or `bind = \"0.0.0.0:" + p + "\"`."}};
}

// ---------------------------------------------------------------------------
// A program listening in one IP family, probed over the other.

/// The family the relay's probe came over: the address it dialed; 0 when unknown.
int probed_family(const evidence& ev) {
  const auto& dialed = ev.connect_back.dialed_address.empty() ? ev.public_address : ev.connect_back.dialed_address;
  if (dialed.empty()) return 0;
  return unmap_v4(dialed).find(':') == std::string::npos ? 4 : 6;
}

/// The family the port is held in alone, 4 or 6; 0 when both or unknown.
int only_family(held_families held) {
  switch (held) {
    case held_families::ipv4_only: return 4;
    case held_families::ipv6_only: return 6;
    case held_families::unknown:
    case held_families::both: break;
  }
  return 0;
}

std::string family_name(int family) { return family == 4 ? "IPv4" : "IPv6"; }

/// Every listening address of the port's owners: "[::]:3000, [::1]:3000".
std::string listening_text(const local_port_evidence& local) {
  std::vector<std::string> addresses;
  for (const auto& o : local.owners) addresses.insert(addresses.end(), o.addresses.begin(), o.addresses.end());
  return joined(addresses, ", ");
}

/// The program to change, as a fix names it.
std::string program_text(const local_port_evidence& local) {
  return local.owners.empty() ? std::string("your server") : owners_text(local);
}

finding nothing_listens(const evidence& ev, std::size_t host) {
  const auto p = port_text(ev.port);
  return {cause::no_listener, host, "Nothing listens on port " + p + " on this host.",
          {"Start your server on port " + p + ", listening on 0.0.0.0 or ::.",
           "Or run without --service: probe-client then listens itself and checks the path."}};
}

}  // namespace

std::string owner_text(const port_owner& o) {
  std::string text = o.name.empty() ? std::string("an unknown process") : o.name;
  if (o.pid > 0) text += " (pid " + std::to_string(o.pid) + ")";
  return text;
}

std::string owners_text(const local_port_evidence& local) {
  if (local.owners.empty()) return "a process this user cannot see";
  std::vector<std::string> names;
  for (const auto& o : local.owners) names.push_back(owner_text(o));
  return joined(names, ", ");
}

std::string services_text(const port_owner& o) {
  std::vector<std::string> names;
  for (const auto& s : o.services) names.push_back(service_text(s));
  return joined(names, ", ");
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

portproxy_rule probed_rule(const evidence& ev) { return proxy_rules(ev).front(); }

std::string rule_endpoints(const portproxy_rule& r) {
  return r.kind + " " + format_endpoint(r.listen_address, r.listen_port) + " → " + proxy_target(r);
}

std::string proxy_target(const portproxy_rule& r) { return format_endpoint(r.connect_address, r.connect_port); }

std::string range_text(const excluded_port_range& r) {
  return std::to_string(r.first) + "-" + std::to_string(r.last) + (r.ip_version == 6 ? " (IPv6)" : "");
}

std::optional<finding> wrong_family(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const int held = only_family(ev.local.held_in);
  const int probed = probed_family(ev);
  if (ev.local.state != bind_state::held || held == 0 || probed == 0 || held == probed) return std::nullopt;
  const auto p = port_text(ev.port);
  const auto addresses = listening_text(ev.local);
  return finding{cause::wrong_family, host,
                 owners_text(ev.local) + " listens on port " + p + " on " + family_name(held) + " only" +
                     (addresses.empty() ? std::string() : " (" + addresses + ")") + ", and the relay's probe came over " +
                     family_name(probed) + ": this host refused it, since nothing takes " + family_name(probed) +
                     " on port " + p + ".",
                 fx.steps(held == 6 ? "wrong_family_ipv6_only" : "wrong_family_ipv4_only",
                          {{"program", program_text(ev.local)}})};
}

std::optional<finding> local_finding(const evidence& ev, std::size_t host, const fix_writer& fx) {
  const auto& local = ev.local;
  if (local.state == bind_state::forbidden) return forbidden_port(ev, host, fx);
  if (proxy_holds_port(ev)) return proxy_finding(ev, host, fx);
  if (holder_in_the_way(ev)) return finding{cause::bind_conflict, host, holder_summary(local), holder_fix(ev, fx)};
  if (local.state == bind_state::loopback_only) return loopback_only(ev, host);
  if (local.state == bind_state::free && ev.mode == probe_mode::service) return nothing_listens(ev, host);
  return std::nullopt;
}

}  // namespace verdict_parts

bool holder_in_the_way(const evidence& ev) {
  using namespace verdict_parts;
  if (!port_taken(ev.local)) return false;
  if (ev.mode == probe_mode::listen) return true;
  // Under --service a portproxy rule is the way in the user asked about.
  if (proxy_holds_port(ev)) return ev.mode != probe_mode::service;
  return ev.local.squatter.has_value();
}

}  // namespace reachback
