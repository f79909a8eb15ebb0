// SPDX-License-Identifier: MIT
#pragma once
// Socket options whose meaning differs per OS, on Asio sockets' native handles.

#include <system_error>

#include "common/asio_compat.hpp"

namespace reachback::client::platform {

/// Asks for TCP Fast Open on a control socket about to connect: with a
/// cookie from an earlier connection to the same address, connect() returns
/// at once and the first write travels in the SYN. An error (or an OS
/// without it) leaves an ordinary connect.
[[nodiscard]] std::error_code enable_fast_open_connect(asio::ip::tcp::socket& socket) noexcept;

/// Sets the address-reuse option a server's listening socket should have on
/// this OS, on an opened acceptor before bind: Linux SO_REUSEADDR (TIME_WAIT
/// leftovers do not block the port, and a listening port is never shared);
/// Windows SO_EXCLUSIVEADDRUSE, because SO_REUSEADDR there would let the
/// bind take a port another program holds.
[[nodiscard]] std::error_code set_server_bind_options(asio::ip::tcp::acceptor& acceptor) noexcept;

/// The same for a UDP server socket, opened and not yet bound: nothing on
/// Linux, where SO_REUSEADDR would share the port with any other socket that
/// set it (mDNS responders do); Windows SO_EXCLUSIVEADDRUSE, as for TCP.
[[nodiscard]] std::error_code set_datagram_bind_options(asio::ip::udp::socket& socket) noexcept;

}  // namespace reachback::client::platform
