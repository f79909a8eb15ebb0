// SPDX-License-Identifier: MIT
#include "client/local_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "client/platform/ip_literal.hpp"
#include "client/platform/port_owners.hpp"
#include "client/platform/posix_io.hpp"
#include "common/address.hpp"

namespace reachback::client {

namespace {

using platform::unique_fd;

bool is_loopback_endpoint(const std::string& endpoint) {
  const auto parsed = parse_host_port(endpoint, 0);
  return parsed && classify_address(parsed->host) == address_class::loopback;
}

bind_result bind_error(int error) noexcept {
  switch (error) {
    case EADDRINUSE: return bind_result::in_use;
    case EACCES: return bind_result::forbidden;
    default: return bind_result::unavailable;
  }
}

// Binds the wildcard address the way a server would (SO_REUSEADDR, so
// TIME_WAIT leftovers do not count; IPv6 only, so the IPv4 test stays
// separate) and closes the socket again at once.
bind_result try_bind(const platform::ip_literal& wildcard, std::uint16_t port) {
  const unique_fd fd(::socket(wildcard.family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return bind_result::unavailable;
  if (platform::set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1)) {
    return bind_result::unavailable;
  }
  if (wildcard.family == AF_INET6 &&
      platform::set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1)) {
    return bind_result::unavailable;
  }
  const auto address = platform::make_socket_address(wildcard, port);
  if (::bind(fd.get(), address.get(), address.length) != 0) return bind_error(errno);
  return bind_result::ok;
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
  const auto v4 = try_bind(*platform::parse_ip("0.0.0.0"), port);
  const auto v6 = try_bind(*platform::parse_ip("::"), port);
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
  evidence.squatter = config::match_squatter(squatters, evidence.owners, port);
  return evidence;
}

}  // namespace reachback::client
