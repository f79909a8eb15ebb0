// SPDX-License-Identifier: MIT
#pragma once
// Opening a probe socket, TCP or UDP alike: a fresh socket on an ephemeral
// port of the relay's address on the control connection, non-blocking,
// reporting ICMP errors on its error queue, optionally with a limited TTL.
// The port is chosen when the probe leaves, not when the socket is bound.

#include <optional>
#include <system_error>

#include "common/asio_compat.hpp"

#include "relay/icmp_errors.hpp"

namespace reachback::relay {

/// IP_BIND_ADDRESS_NO_PORT: a bind to port 0 leaves the port to connect
/// (or the first send), which may reuse one that other sockets hold toward
/// other peers. Bound at once, every probe socket would take a port of its
/// own from the whole range, which an attacker's probes soon exhaust.
[[nodiscard]] std::error_code choose_port_when_sending(int fd) noexcept;

/// Opens `socket` for probing `target` from `source` (unspecified: the
/// kernel chooses when it sends) on a port the kernel picks, so a probe
/// never leaves from the relay's listening port. `ttl` limits the TTL (IPv6: hop limit) of
/// what it sends; nullopt keeps the system default. The error of the first
/// step that failed: a local failure, never a network answer.
template <typename Socket>
[[nodiscard]] std::error_code open_probe_socket(Socket& socket,
                                                const typename Socket::endpoint_type& target,
                                                const asio::ip::address& source,
                                                std::optional<int> ttl) {
  asio::error_code ec;
  socket.open(target.protocol(), ec);
  if (!ec && !source.is_unspecified()) {
    ec = choose_port_when_sending(socket.native_handle());
    if (!ec) socket.bind({source, 0}, ec);
  }
  if (!ec) socket.native_non_blocking(true, ec);
  const bool ipv6 = target.address().is_v6();
  if (!ec) ec = enable_icmp_errors(socket.native_handle(), ipv6);
  if (!ec && ttl) ec = set_hop_limit(socket.native_handle(), ipv6, *ttl);
  return ec;
}

}  // namespace reachback::relay
