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

local_port_evidence check_local_port(std::uint16_t port, const config::squatter_table& squatters) {
  const auto v4 = platform::try_bind_wildcard(4, port);
  const auto v6 = platform::try_bind_wildcard(6, port);
  // A wildcard bind conflicts with every listener on the port, so when both
  // succeed there is no one to look up. That skips reading /proc/net/tcp,
  // which walks the kernel's whole socket hash: milliseconds on a large host.
  const bool both_free = v4 == bind_result::ok && v6 == bind_result::ok;
  auto found = both_free ? platform::listeners{} : platform::find_listeners(port);

  local_port_evidence evidence;
  evidence.port = port;
  evidence.state = classify_bind(v4, v6, found.addresses);
  evidence.owners = std::move(found.owners);
  evidence.owners_hidden = found.owners_hidden;
  evidence.missing = std::move(found.missing);
  evidence.squatter = config::match_squatter(squatters, evidence.owners, port);
  auto reservations = platform::find_port_reservations(port, evidence.state == bind_state::forbidden);
  evidence.portproxy = std::move(reservations.portproxy);
  evidence.excluded = reservations.excluded;
  evidence.missing.insert(evidence.missing.end(), reservations.missing.begin(), reservations.missing.end());
  return evidence;
}

}  // namespace reachback::client
