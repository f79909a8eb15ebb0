// SPDX-License-Identifier: MIT
#pragma once
// The connect-back: a TCP connect to the client's public address and port,
// then a short read that tells our agent (it writes the proof line) from a
// foreign server (its banner, or silence) at that address.

#include <chrono>
#include <string>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"

namespace reachback::relay {

/// The connect-back's two timeouts.
struct connect_back_settings {
  std::chrono::milliseconds connect{1'800};  ///< SYN to SYN-ACK/RST/ICMP
  std::chrono::milliseconds banner{1'000};   ///< connected to proof or banner
};

/// Dials `target` and reports verified, foreign, refused, unreachable or
/// timeout. A second attempt starts a quarter of the connect timeout after
/// the first: with the kernel's retransmits (1 s, then 3 s) that makes four
/// SYNs in 1.8 s instead of two in 3 s, so a lost packet costs little time.
/// The first decisive answer wins. Never throws for network failures.
[[nodiscard]] asio::awaitable<connect_back_result> connect_back(dial_route route,
                                                                std::string nonce,
                                                                connect_back_settings settings);

}  // namespace reachback::relay
