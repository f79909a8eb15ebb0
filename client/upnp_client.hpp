// SPDX-License-Identifier: MIT
#pragma once
// HTTP and SOAP exchanges with a UPnP Internet Gateway Device: the I/O around
// the pure parsers of client/router/. Each exchange is one TCP connection
// (Connection: close), bounded in bytes by the parser and in time by a
// deadline, and never throws: a failure is a one-line reason.

#include <chrono>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "client/router/http_message.hpp"
#include "client/router/http_url.hpp"
#include "client/router/igd_description.hpp"
#include "client/router/soap.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {

using upnp_clock = std::chrono::steady_clock;
/// A SOAP action's arguments, name and value, in the order sent.
using soap_arguments = router::soap_arguments;

/// Why an exchange gave no answer: "connect: connection refused", "no answer
/// before the deadline", "HTTP 500 Internal Server Error".
struct upnp_failure {
  std::string reason;
};

/// GETs `url` and returns the response, whatever its status.
[[nodiscard]] asio::awaitable<std::variant<router::http_response, upnp_failure>> http_get(router::http_url url,
                                                                                          upnp_clock::time_point deadline);

/// Fetches and parses a device description from an SSDP LOCATION; one
/// without a WAN connection service is a failure.
[[nodiscard]] asio::awaitable<std::variant<router::igd_description, upnp_failure>> fetch_description(
    router::http_url location, upnp_clock::time_point deadline);

/// Calls `action` on `service` and returns its reply: the values, or the
/// UPnP fault (error code and description) a router answers with. The
/// connection is made from `source_address` when one is given: a router
/// lets a host open or delete a pinhole only for the address it asks from.
[[nodiscard]] asio::awaitable<std::variant<router::soap_reply, upnp_failure>> soap_call(
    router::igd_service service, std::string action, soap_arguments arguments,
    upnp_clock::time_point deadline, std::string source_address = {});

/// Finds the IPv6 pinhole service (WANIPv6FirewallControl:1) of the router
/// at `router_address`, an IPv6 address: an IGD:2 search by unicast to its
/// SSDP port from `source_address` (resent once), then the description its
/// answer names. An answer from another address, or whose description is
/// not on the router's own address, is never followed.
[[nodiscard]] asio::awaitable<std::variant<router::igd_service, upnp_failure>> find_pinhole_service(
    std::string router_address, std::string source_address, upnp_clock::time_point deadline);

}  // namespace reachback::client
