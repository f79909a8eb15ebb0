// SPDX-License-Identifier: MIT
#pragma once
// Pure SSDP (UPnP Device Architecture 1.1, section 1.3): the M-SEARCH that
// looks for an Internet Gateway Device and the parser of a device's unicast
// answer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace reachback::router {

/// The search targets of an Internet Gateway Device, IGD:2 and IGD:1.
inline constexpr std::string_view igd2_search_target = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";
inline constexpr std::string_view igd1_search_target = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
/// Where multicast M-SEARCHes go, and the port a router answers unicast ones on.
inline constexpr std::string_view ssdp_multicast_host = "239.255.255.250:1900";
inline constexpr std::uint16_t ssdp_port = 1900;
/// The largest datagram parse_ssdp_response reads.
inline constexpr std::size_t max_ssdp_datagram = 8192;

/// An M-SEARCH datagram for `search_target`, sent to `host` (the multicast
/// "239.255.255.250:1900" or a router's "10.20.0.1:1900"). `mx_seconds` is
/// clamped to 1..5 as UDA asks; 0 or less leaves MX out, which UDA 1.1
/// prescribes for a unicast search (miniupnpd answers either way).
[[nodiscard]] std::string msearch_request(std::string_view search_target, std::string_view host,
                                          int mx_seconds);

/// The headers of a search answer that matter here, without surrounding
/// blanks.
struct ssdp_response {
  std::string location;  ///< the description URL, an http:// URL parse_http_url accepts
  std::string st;        ///< the search target answered
  std::string usn;
  std::string server;
  bool operator==(const ssdp_response&) const = default;
};

/// Parses a search answer: an "HTTP/1.1 200" (or HTTP/1.0, as old routers
/// send) status line, headers in any case, CRLF or LF line ends, with a
/// LOCATION that is an http:// URL. nullopt for a NOTIFY or M-SEARCH, another
/// status, a missing or unusable LOCATION, or more than max_ssdp_datagram.
[[nodiscard]] std::optional<ssdp_response> parse_ssdp_response(std::string_view datagram);

}  // namespace reachback::router
