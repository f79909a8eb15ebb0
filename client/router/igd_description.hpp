// SPDX-License-Identifier: MIT
#pragma once
// Pure reading of an Internet Gateway Device's description (the XML at the
// SSDP LOCATION): who the router says it is, and where to send SOAP
// requests about its WAN connection.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/router/http_url.hpp"

namespace reachback::router {

/// The WAN connection service types, in the order they are preferred.
inline constexpr std::string_view wan_ip_connection_2 = "urn:schemas-upnp-org:service:WANIPConnection:2";
inline constexpr std::string_view wan_ip_connection_1 = "urn:schemas-upnp-org:service:WANIPConnection:1";
inline constexpr std::string_view wan_ppp_connection_1 = "urn:schemas-upnp-org:service:WANPPPConnection:1";

/// A service to send SOAP requests to.
struct igd_service {
  /// As the description spells it (matched without case); the SOAPAction
  /// and the request's xmlns:u must use it.
  std::string service_type;
  http_url control_url;  ///< resolved, absolute
  bool operator==(const igd_service&) const = default;
};

/// What a description says.
struct igd_description {
  /// The root device's, XML-decoded and trimmed; empty when absent.
  std::string friendly_name;
  std::string manufacturer;
  std::string model_name;
  /// Every WANIPConnection:2, WANIPConnection:1 and WANPPPConnection:1
  /// service anywhere in the device tree, in that order (document order
  /// within a type). A service without a usable controlURL is left out.
  std::vector<igd_service> wan_services;
  /// Every WANIPv6FirewallControl:1 service (IGD:2's IPv6 pinholes), in
  /// document order; without a usable controlURL left out as above.
  std::vector<igd_service> pinhole_services;
  bool operator==(const igd_description&) const = default;
};

/// Parses the description fetched from `location`. Relative controlURLs are
/// resolved against the URLBase when there is a usable one (UPnP 1.0;
/// UDA 1.1 dropped it), else against `location`. nullopt when the XML does
/// not parse (parse_xml) or holds no <device>. A description without WAN
/// or pinhole services still returns the router's names: that is evidence too.
[[nodiscard]] std::optional<igd_description> parse_igd_description(std::string_view xml,
                                                                   const http_url& location);

}  // namespace reachback::router
