// SPDX-License-Identifier: MIT
#pragma once
// The control protocol's rules as the relay applies them: which error frame
// a bad frame earns, who may say hello, what a probe request must look like,
// and what the welcome says. Pure; session.cpp does the I/O around them.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "common/asio_compat.hpp"

#include "common/messages.hpp"

namespace reachback::relay {

using protocol::capability_connect_back;
using protocol::capability_syn_ttl;
using protocol::capability_ttl_sweep;
using protocol::capability_udp_probe;

/// The error frame for a frame that failed to decode with `ec` (a
/// protocol::errc) under `payload_limit`. `received` is the buffered input,
/// from which an unsupported version is named: "relay speaks protocol 1, got 2".
[[nodiscard]] protocol::error error_for_decode_failure(
    std::error_code ec, std::span<const char> received,
    std::size_t payload_limit = protocol::max_payload);

/// The error for a probe_request whose nonce the relay has probed with in
/// the last `window_minutes`: a replayed request must not verify again.
[[nodiscard]] protocol::error reused_nonce(long long window_minutes);

/// nullopt when the hello is accepted: any hello when `tokens` is empty,
/// else one whose token matches one of them. Otherwise an unauthorized error.
[[nodiscard]] std::optional<protocol::error> check_hello(const protocol::hello& hello,
                                                         const std::vector<std::string>& tokens);

/// A bad_request error frame that says `text`.
[[nodiscard]] protocol::error bad_request(std::string text);

/// nullopt for a well-formed request: protocol "tcp" or "udp", port 1..65535 and a
/// nonce the codec accepts (protocol::valid_nonce; it is echoed into the proof
/// line). Otherwise a bad_request error saying what is wrong.
[[nodiscard]] std::optional<protocol::error> check_probe_request(
    const protocol::probe_request& request);

/// What the relay says it can do.
struct relay_capabilities {
  bool ttl_sweep = true;  ///< sweep.enabled
  bool syn_ttl = true;    ///< the listener saves SYNs (client_hops)
};

/// The welcome for a client seen at `peer`.
[[nodiscard]] protocol::welcome make_welcome(const asio::ip::tcp::endpoint& peer,
                                             std::optional<int> client_hops,
                                             relay_capabilities capabilities);

/// "hello", "welcome", "probe_request", "probe_result" or "error".
[[nodiscard]] std::string_view message_name(const protocol::message& msg) noexcept;

/// The log outcome of an error frame the relay sent: "error:rate_limited".
[[nodiscard]] std::string error_outcome(protocol::wire_error code);

}  // namespace reachback::relay
