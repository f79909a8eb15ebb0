// SPDX-License-Identifier: MIT
#pragma once
// Pure parsing and resolution of the http:// URLs a router hands out: the
// SSDP LOCATION, the description's URLBase and its (often relative)
// controlURLs. No I/O and no name resolution.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace reachback::router {

/// Longest URL accepted, and longest host name (DNS' own limit).
inline constexpr std::size_t max_url_size = 2048;
inline constexpr std::size_t max_host_size = 253;

/// An http:// URL split for a request: connect to host:port, ask for path.
struct http_url {
  /// A name, a dotted IPv4 address or an IPv6 address without its brackets
  /// (a zone id as "fe80::1%eth0").
  std::string host;
  std::uint16_t port = 80;
  /// The request target: path plus any "?query", always starting with '/';
  /// the fragment is dropped, spaces and bytes above 0x7e percent-encoded.
  std::string path = "/";
  bool operator==(const http_url&) const = default;
};

/// Parses an absolute http:// URL (scheme in any case, surrounding blanks
/// ignored): "http://10.20.0.1:5000/rootDesc.xml", "http://router.lan/",
/// "http://[fe80::1%25eth0]:49000". nullopt for another scheme, user
/// information, a port outside 1..65535, a malformed host, a control
/// character anywhere, or more than max_url_size bytes.
[[nodiscard]] std::optional<http_url> parse_http_url(std::string_view text);

/// Resolves `reference` against `base` as RFC 3986 section 5 does: an
/// absolute http:// URL, a network path ("//host/x"), an absolute path
/// ("/ctl/IPConn"), a relative path ("upnp/control/WANIPConn1", "../x") or
/// a query alone. Dot segments are removed. nullopt for another scheme or
/// what parse_http_url would reject.
[[nodiscard]] std::optional<http_url> resolve_url(const http_url& base, std::string_view reference);

/// "http://host:port/path", with brackets around an IPv6 host; the port
/// is always written.
[[nodiscard]] std::string to_string(const http_url& url);

/// "host:port" as a Host header wants it ("[fe80::1]:5000" for IPv6; the
/// zone id is left out, as RFC 7230 expects).
[[nodiscard]] std::string host_header_value(const http_url& url);

}  // namespace reachback::router
