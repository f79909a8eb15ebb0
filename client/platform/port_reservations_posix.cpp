// SPDX-License-Identifier: MIT
#include "client/platform/port_reservations.hpp"

namespace reachback::client::platform {

// Linux and macOS have neither portproxy rules nor excluded port ranges: a
// port there is held by a socket, which port_owners already finds.
port_reservations find_port_reservations(std::uint16_t /*port*/, bool /*bind_refused*/, transport /*protocol*/) {
  return {};
}

}  // namespace reachback::client::platform
