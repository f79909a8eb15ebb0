// SPDX-License-Identifier: MIT
#pragma once
// The connect-back, in two steps: the handshake with the client's public
// address and port (dial_back), then, when it connected, a short read that
// tells our agent (it writes the proof line) from a foreign server (its
// banner, or silence) at that address (read_answer). The relay reports the
// first step as soon as it has it, so the client does not wait for the
// second when its own agent already knows it was reached.

#include <chrono>
#include <optional>
#include <string>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"
#include "relay/dial.hpp"
#include "relay/io_timeouts.hpp"

namespace reachback::relay {

/// The connect-back's fixed wait; its connect wait is the probe clock's.
struct connect_back_settings {
  std::chrono::milliseconds banner{1'000};   ///< connected to proof or banner
};

/// A connect-back whose handshake completed, its answer still unread.
struct open_connect_back {
  asio::ip::tcp::socket socket;
  steady_clock::time_point started;        ///< when the first SYN left
  steady_clock::time_point answer_due;     ///< connected + the banner timeout
};

/// The handshake's outcome, and the open connection when it connected.
struct dialed_back {
  connect_back_result result;  ///< connected, refused, unreachable or timeout
  std::optional<open_connect_back> open;
};

/// The first decisive answer of dial_with_retry.
struct first_dial {
  dial_result dialed;
  int attempt = 1;  ///< which attempt answered (or ran out last)
};

/// Dials `route` twice, the second attempt a quarter of the clock's connect
/// wait after the first: with the kernel's retransmits (1 s, then 3 s) that
/// makes more SYNs sooner, so a lost packet costs little time. Both share
/// one deadline (`clock`'s connect wait from now), so a timeout never beats
/// an answer. The first decisive answer wins. Both sockets close as `close` says.
[[nodiscard]] asio::awaitable<first_dial> dial_with_retry(dial_route route, probe_clock& clock,
                                                          dial_close close);

/// Dials `route` with dial_with_retry and reports connected, refused,
/// unreachable or timeout, or the local_failure that kept the relay from
/// dialling. Once connected, writes `greeting` (when not empty) at once.
/// Never throws for network failures.
[[nodiscard]] asio::awaitable<or_local_failure<dialed_back>> dial_back(
    dial_route route, std::string greeting, connect_back_settings settings, probe_clock& clock);

/// Reads what the peer of `open` sends until its answer is due, and turns
/// `handshake` (outcome connected) into verified, when the peer proved
/// `nonce`, or foreign, with its banner or silence. Closes the connection.
[[nodiscard]] asio::awaitable<connect_back_result> read_answer(open_connect_back open,
                                                               connect_back_result handshake,
                                                               std::string nonce);

}  // namespace reachback::relay
