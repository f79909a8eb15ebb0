// SPDX-License-Identifier: MIT
#include "client/platform/portproxy.hpp"

#include <algorithm>
#include <iterator>

#include "client/platform/text_fields.hpp"

namespace reachback::client::platform {

namespace {

// A DNS name is at most 253 characters; a scoped IPv6 literal is shorter.
constexpr std::size_t max_address_size = 253;

bool is_known_kind(std::string_view kind) {
  return std::find(std::begin(portproxy_kinds), std::end(portproxy_kinds), kind) !=
         std::end(portproxy_kinds);
}

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

// The character set doubles as a guard for portproxy_delete_command: a value
// someone wrote into the registry by hand must not turn into a command that
// does more than delete one rule. ':' and '%' (scope id) only on an IPv6 side.
bool is_valid_address(std::string_view address, bool ipv6_side) {
  if (address.empty() || address.size() > max_address_size) return false;
  return std::all_of(address.begin(), address.end(), [ipv6_side](char c) {
    return is_host_char(c) || (ipv6_side && (c == ':' || c == '%'));
  });
}

struct endpoint {
  std::string_view address;
  std::uint16_t port = 0;
};

std::optional<endpoint> split_endpoint(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto port = parse_unsigned<std::uint16_t>(text.substr(slash + 1));
  if (!port || *port == 0) return std::nullopt;
  return endpoint{text.substr(0, slash), *port};
}

}  // namespace

std::optional<portproxy_rule> parse_portproxy_value(std::string_view kind,
                                                    std::string_view value_name,
                                                    std::string_view value_data) {
  if (!is_known_kind(kind)) return std::nullopt;
  const auto listen = split_endpoint(value_name);
  const auto connect = split_endpoint(value_data);
  if (!listen || !connect) return std::nullopt;
  // "v4tov6": the first two characters name the listen side, the last two the connect side.
  const bool listen_v6 = kind.substr(0, 2) == "v6";
  const bool connect_v6 = kind.substr(4, 2) == "v6";
  // "*" (all addresses) is how netsh stores listenaddress=*; it never connects anywhere.
  if (listen->address != "*" && !is_valid_address(listen->address, listen_v6)) return std::nullopt;
  if (!is_valid_address(connect->address, connect_v6)) return std::nullopt;
  return portproxy_rule{std::string(kind), std::string(listen->address), listen->port,
                        std::string(connect->address), connect->port};
}

std::vector<portproxy_rule> rules_on_port(const std::vector<portproxy_rule>& rules,
                                          std::uint16_t port) {
  std::vector<portproxy_rule> on_port;
  std::copy_if(rules.begin(), rules.end(), std::back_inserter(on_port),
               [port](const portproxy_rule& rule) { return rule.listen_port == port; });
  return on_port;
}

std::string portproxy_delete_command(const portproxy_rule& rule) {
  // netsh matches the stored listen address literally, so "*" is passed as
  // "*" (neither cmd nor PowerShell expands it for a native program).
  return "netsh interface portproxy delete " + rule.kind +
         " listenport=" + std::to_string(rule.listen_port) +
         " listenaddress=" + rule.listen_address;
}

}  // namespace reachback::client::platform
