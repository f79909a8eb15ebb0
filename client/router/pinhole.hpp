// SPDX-License-Identifier: MIT
#pragma once
// Pure UPnP IGD:2 WANIPv6FirewallControl:1: the arguments of AddPinhole,
// DeletePinhole and GetFirewallStatus, and what their replies say. An IPv6
// home router translates nothing; its inbound filter drops new connections
// unless a pinhole lets them in, and this service is how a host asks for one.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/router/soap.hpp"
#include "common/evidence.hpp"

namespace reachback::router {

/// The service type a device description names the pinhole service by.
inline constexpr std::string_view wan_ipv6_firewall_control_1 = "urn:schemas-upnp-org:service:WANIPv6FirewallControl:1";

/// A pinhole's lease runs 1 s to 24 h (WANIPv6FirewallControl:1 2.5.6):
/// there is no permanent one.
inline constexpr std::uint32_t max_pinhole_lease_seconds = 86'400;

/// One inbound pinhole, from any remote host and port.
struct pinhole_request {
  std::string internal_client;  ///< this host's IPv6 address, as the router should see the request come from
  std::uint16_t internal_port = 0;
  transport protocol = transport::tcp;
  std::uint32_t lease_seconds = 0;
  bool operator==(const pinhole_request&) const = default;
};

/// The IANA protocol number a pinhole names: 6 for TCP, 17 for UDP.
[[nodiscard]] std::string pinhole_protocol(transport t);

/// AddPinhole's arguments for `p`: RemoteHost empty and RemotePort 0 (any),
/// InternalClient, InternalPort, Protocol and LeaseTime.
[[nodiscard]] soap_arguments add_pinhole_arguments(const pinhole_request& p);

/// DeletePinhole's (and CheckPinholeWorking's) argument: UniqueID.
[[nodiscard]] soap_arguments pinhole_id_arguments(std::uint16_t unique_id);

/// What GetFirewallStatus says.
struct firewall_status {
  bool firewall_enabled = false;
  bool inbound_pinhole_allowed = false;
  bool operator==(const firewall_status&) const = default;
};

/// GetFirewallStatus' reply: FirewallEnabled and InboundPinholeAllowed,
/// each "1"/"0" or "true"/"false" (UPnP booleans, any case). nullopt for a
/// fault, or a value missing or neither.
[[nodiscard]] std::optional<firewall_status> firewall_status_from_reply(const soap_reply& reply);

/// AddPinhole's reply: its UniqueID, 0 to 65535. nullopt for a fault or a
/// UniqueID missing or not a number in range.
[[nodiscard]] std::optional<std::uint16_t> pinhole_id_from_reply(const soap_reply& reply);

/// The name of a WANIPv6FirewallControl error (701 PinholeSpaceExhausted ...
/// 709 NoTrafficReceived); upnp_error_name for the others. The 70x codes
/// mean other things in WANIPConnection, so they are named here alone.
[[nodiscard]] std::string pinhole_error_name(int code);

}  // namespace reachback::router
