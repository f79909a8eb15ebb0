// SPDX-License-Identifier: MIT
#pragma once
// What `probe-client --fix` would change: from the evidence and the verdict,
// the port mappings that make the port reachable, on the routers of the
// verdict's NAT hops, innermost first; or why no mapping can fix it. Pure:
// no I/O, so every case is a table test.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client/router/pcp.hpp"
#include "client/router/pinhole.hpp"
#include "common/evidence.hpp"
#include "common/verdict.hpp"

namespace reachback::client {

/// How a mapping is asked for.
enum class map_method { upnp, natpmp, pcp };

/// "upnp", "natpmp" or "pcp", as the state file and the JSON spell it.
[[nodiscard]] std::string to_string(map_method m);

/// "UPnP", "NAT-PMP" or "PCP", as the text output names it.
[[nodiscard]] std::string display_name(map_method m);

/// What a step changes: a port mapping (IPv4 NAT: the router forwards its
/// port to this host), or an IPv6 pinhole (no NAT: the router's inbound
/// filter lets new connections to this host's own address and port in).
enum class change_kind { port_mapping, pinhole };

/// "mapping" or "pinhole", as the state file and the JSON spell it.
[[nodiscard]] std::string to_string(change_kind k);

/// A lease of 2 hours: NAT-PMP's recommended lifetime (RFC 6886).
inline constexpr std::uint32_t default_lease_seconds = 7'200;
/// IGD:2 caps a lease at a week; --lease takes no more.
inline constexpr std::uint32_t max_lease_seconds = 604'800;

/// One port mapping or pinhole on one router, as planned, made and recorded.
struct mapping_spec {
  change_kind kind = change_kind::port_mapping;
  std::string router_name;     ///< the hop's name: "room router", "ISP hub"
  std::string router_address;  ///< the router's address on this host's side
  map_method method = map_method::upnp;
  /// UPnP: the WAN connection service's control URL (a pinhole's:
  /// WANIPv6FirewallControl's, found when --fix asks the router).
  std::string control_url;
  std::string service_type;  ///< UPnP: its service type
  std::uint16_t external_port = 0;
  transport protocol = transport::tcp;  ///< the probed one's mapping is made
  /// Where the router forwards to. For NAT-PMP the router takes the address
  /// the request arrives from; this is the address expected there, "" when
  /// only the router in front knows it (the inner router's WAN address).
  std::string internal_client;
  std::uint16_t internal_port = 0;
  std::uint32_t lease_seconds = default_lease_seconds;  ///< 0: permanent (UPnP only)
  /// The inner router whose WAN address a NAT-PMP request arrives from, or "".
  std::string via;
  /// PCP: the mapping's random nonce. The router deletes a PCP mapping only
  /// for a request with the same nonce, so --unfix needs it.
  router::pcp_nonce nonce{};
  /// A UPnP pinhole's UniqueID, which DeletePinhole names it by: set once
  /// the router has answered AddPinhole.
  std::optional<std::uint16_t> pinhole_id;
  bool operator==(const mapping_spec&) const = default;
};

/// What --fix is asked to do.
struct fix_settings {
  std::uint32_t lease_seconds = default_lease_seconds;  ///< 0: permanent
};

/// The plan: steps innermost first, or the reasons nothing can be changed.
struct fix_plan {
  /// One line each; non-empty means no change at all.
  std::vector<std::string> refusals;
  /// The mappings to add, innermost router first.
  std::vector<mapping_spec> steps;
  /// Mappings already in place that the plan leaves as they are.
  std::vector<std::string> notes;
  [[nodiscard]] bool refused() const noexcept { return !refusals.empty(); }
  bool operator==(const fix_plan&) const = default;
};

/// Plans the mappings that would make `ev.port` reachable as `v` explains it.
/// For router_firewall (an IPv6 home's router filters the port), it plans
/// instead a UPnP pinhole at each router the verdict names as a candidate,
/// innermost first, for this host's probed IPv6 address; their control URLs
/// are not known yet (settle_pinholes completes them), and a lease of 0 or
/// over max_pinhole_lease_seconds is refused: a pinhole has no permanent lease.
/// Each router is asked by UPnP when it answered UPnP (and its target is
/// known), else by PCP when it is this host's own gateway and answered PCP,
/// else by NAT-PMP. Refuses when the cause is not a missing mapping
/// (reachable, carrier NAT, host firewall, bind conflict, loopback only, no
/// listener), when a router on the path cannot be asked (no address, no
/// UPnP, NAT-PMP or usable PCP answer, a router that refuses mappings), when
/// a router already maps the port somewhere else (reachback never
/// overwrites), and for a NAT-PMP or PCP step with a permanent lease. Only
/// routers attached to `v`'s NAT hops are used. The mappings are of
/// `ev.protocol`; a router's mapping of the other protocol is no conflict.
[[nodiscard]] fix_plan plan_fix(const evidence& ev, const verdict& v, const fix_settings& settings);

/// What a router offers for IPv6 pinholes, found by asking it over IPv6
/// (--fix asks before it shows the plan): its WANIPv6FirewallControl:1
/// service and, if it answered GetFirewallStatus, what that says.
struct pinhole_offer {
  std::string control_url;  ///< "" when no service was found
  std::string service_type;
  std::optional<router::firewall_status> status;
  std::string not_found;  ///< why no service was found, one phrase
  bool operator==(const pinhole_offer&) const = default;
};

/// Completes `plan`'s pinhole steps with their routers' offers (in step
/// order, one per pinhole step). A router without a service, or that says
/// its firewall is off or allows no pinholes, refuses the whole plan when it
/// is `v`'s blocking hop, and is left out with a note otherwise (the verdict
/// only suspects it). Steps of other kinds pass as they are.
[[nodiscard]] fix_plan settle_pinholes(fix_plan plan, const std::vector<pinhole_offer>& offers, const verdict& v);

/// "2 h", "10 min", "90 s", "permanently": how long a lease runs.
[[nodiscard]] std::string describe_lease(std::uint32_t seconds);

/// One line: "room router 192.168.1.1: map TCP 3000 → 192.168.1.23:3000 for 2 h (UPnP)", or
/// "room router 2001:db8::1: open an IPv6 pinhole for TCP 3000 → [2001:db8::23]:3000 for 2 h (UPnP IGD:2)".
[[nodiscard]] std::string describe(const mapping_spec& step);

}  // namespace reachback::client
