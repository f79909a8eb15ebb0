// SPDX-License-Identifier: MIT
#pragma once
// Endpoints the relay listens on and dials: parsing "ADDR:PORT" from the
// config or the command line, and deriving the one address it may dial.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/asio_compat.hpp"

namespace reachback::relay {

/// Parses "1.2.3.4:PORT" or "[v6]:PORT" with a numeric address; port 0 is
/// allowed (the kernel picks one). nullopt for anything else, names included:
/// a relay binds addresses, it does not resolve them.
[[nodiscard]] std::optional<asio::ip::tcp::endpoint> parse_listen_endpoint(std::string_view text);

/// "1.2.3.4:80" or "[::1]:80"; an IPv4-mapped IPv6 address prints as IPv4.
[[nodiscard]] std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint);

/// The address as a client would recognise it: IPv4-mapped IPv6 unmapped.
[[nodiscard]] std::string address_text(const asio::ip::address& address);

/// The only endpoint a probe may dial: the control connection's own peer
/// address (IPv4-mapped addresses unmapped, so a v4 socket dials it) with
/// the requested port. There is deliberately no way to pass another address.
[[nodiscard]] asio::ip::tcp::endpoint dial_target(const asio::ip::tcp::endpoint& control_peer,
                                                  std::uint16_t port);

}  // namespace reachback::relay
