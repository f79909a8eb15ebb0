// SPDX-License-Identifier: MIT
#include "client/local_port.hpp"

#include <algorithm>

#include "client/platform/port_owners.hpp"
#include "client/platform/port_reservations.hpp"
#include "common/address.hpp"

namespace reachback::client {

namespace {

bool is_loopback_endpoint(const std::string& endpoint) {
  const auto parsed = parse_host_port(endpoint, 0);
  return parsed && classify_address(parsed->host) == address_class::loopback;
}

/// The one family a listening address serves, or 0 for the IPv6 wildcard,
/// which serves IPv4 too unless the socket is IPv6-only. An IPv4-mapped
/// address serves IPv4.
int family_of_endpoint(const std::string& endpoint) {
  const auto parsed = parse_host_port(endpoint, 0);
  if (!parsed) return 0;
  const auto host = unmap_v4(parsed->host);
  if (host.find(':') == std::string::npos) return 4;
  return host == "::" ? 0 : 6;
}

/// Whether some listening address serves `family` alone.
bool some_address_of(int family, const std::vector<std::string>& listening_addresses) {
  return std::any_of(listening_addresses.begin(), listening_addresses.end(),
                     [family](const std::string& a) { return family_of_endpoint(a) == family; });
}

/// Whether every listening address serves `family` alone.
bool every_address_of(int family, const std::vector<std::string>& listening_addresses) {
  return !listening_addresses.empty() &&
         std::all_of(listening_addresses.begin(), listening_addresses.end(),
                     [family](const std::string& a) { return family_of_endpoint(a) == family; });
}

}  // namespace

bind_state classify_bind(bind_result v4, bind_result v6,
                         const std::vector<std::string>& listening_addresses) {
  const bool listening = !listening_addresses.empty();
  if (listening || v4 == bind_result::in_use || v6 == bind_result::in_use) {
    const bool loopback_only =
        listening && std::all_of(listening_addresses.begin(), listening_addresses.end(),
                                 is_loopback_endpoint);
    return loopback_only ? bind_state::loopback_only : bind_state::held;
  }
  if (v4 == bind_result::forbidden || v6 == bind_result::forbidden) return bind_state::forbidden;
  return bind_state::free;
}

held_families classify_families(bind_result v4, bind_result v6,
                                 const std::vector<std::string>& listening_addresses) {
  const bool v4_in_use = v4 == bind_result::in_use;
  const bool v6_in_use = v6 == bind_result::in_use;
  if (v4_in_use && v6_in_use) return held_families::both;
  if (v4 == bind_result::ok && v6_in_use)
    return some_address_of(4, listening_addresses) ? held_families::unknown : held_families::ipv6_only;
  if (v4_in_use && v6 == bind_result::ok)
    return some_address_of(6, listening_addresses) ? held_families::unknown : held_families::ipv4_only;
  if (every_address_of(4, listening_addresses)) return held_families::ipv4_only;
  if (every_address_of(6, listening_addresses)) return held_families::ipv6_only;
  return held_families::unknown;
}

local_port_evidence check_local_port(std::uint16_t port, const config::squatter_table& squatters,
                                     transport protocol) {
  const auto v4 = platform::try_bind_wildcard(4, port, protocol);
  const auto v6 = platform::try_bind_wildcard(6, port, protocol);
  // A wildcard bind conflicts with every listener on the port, so when both
  // succeed there is no one to look up. That skips reading /proc/net/tcp,
  // which walks the kernel's whole socket hash: milliseconds on a large host.
  const bool both_free = v4 == bind_result::ok && v6 == bind_result::ok;
  auto found = both_free ? platform::listeners{} : platform::find_listeners(port, protocol);

  local_port_evidence evidence;
  evidence.port = port;
  evidence.state = classify_bind(v4, v6, found.addresses);
  evidence.held_in = classify_families(v4, v6, found.addresses);
  evidence.owners = std::move(found.owners);
  evidence.owners_hidden = found.owners_hidden;
  evidence.missing = std::move(found.missing);
  evidence.squatter = config::match_squatter(squatters, evidence.owners, port, protocol);
  auto reservations = platform::find_port_reservations(port, evidence.state == bind_state::forbidden, protocol);
  evidence.portproxy = std::move(reservations.portproxy);
  evidence.excluded = reservations.excluded;
  evidence.missing.insert(evidence.missing.end(), reservations.missing.begin(), reservations.missing.end());
  return evidence;
}

}  // namespace reachback::client
