// SPDX-License-Identifier: MIT
#include "relay/listen_address.hpp"

#include <charconv>

namespace reachback::relay {
namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

asio::ip::address unmapped(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address;
}

}  // namespace

std::optional<asio::ip::tcp::endpoint> parse_listen_endpoint(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    // A second colon means an unbracketed IPv6 address: the port is ambiguous.
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return std::nullopt;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  const auto port_number = parse_port(port);
  asio::error_code ec;
  const auto address = asio::ip::make_address(std::string(host), ec);
  if (ec || !port_number || (text.starts_with('[') && !address.is_v6())) {
    return std::nullopt;
  }
  return asio::ip::tcp::endpoint(address, *port_number);
}

std::string address_text(const asio::ip::address& address) {
  return unmapped(address).to_string();
}

std::string endpoint_text(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = unmapped(endpoint.address());
  const auto port = std::to_string(endpoint.port());
  return address.is_v6() ? "[" + address.to_string() + "]:" + port
                         : address.to_string() + ":" + port;
}

asio::ip::tcp::endpoint dial_target(const asio::ip::tcp::endpoint& control_peer,
                                    std::uint16_t port) {
  return {unmapped(control_peer.address()), port};
}

}  // namespace reachback::relay
