// SPDX-License-Identifier: MIT
#pragma once
// The client's half of the control protocol: resolve, connect, hello,
// welcome, probe request, probe result and, when the connect-back
// connected, the relay's answer or the agent's greeting, whichever comes
// first. Every way it can fail becomes one line that names the relay and the
// problem (exit code 3), an `internal` error from the relay included.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/asio_compat.hpp"

#include "common/messages.hpp"
#include "options.hpp"

namespace reachback::client {

/// Everything the relay told us, and what the agent saw meanwhile.
struct relay_exchange {
  protocol::welcome welcome;
  protocol::probe_result result;
  /// When the connect-back connected: who answered, if it came in time.
  std::optional<protocol::probe_answer> answer;
  bool agent_greeted = false;  ///< the agent read the relay's greeting
  bool answer_awaited = true;  ///< false: settled at the handshake (answer_worth_waiting)
  double answer_wait_ms = 0;   ///< waited after the result for either
};

/// Why talking to the relay failed, as one line.
struct relay_failure {
  std::string message;
};

/// Called between protocol steps, so the caller can start its own evidence
/// gathering (path trace, capture, agent) at the right moment.
struct session_hooks {
  std::function<void(const std::string& relay_address)> on_connected;
  std::function<void(const protocol::welcome&)> on_welcome;
  /// The agent's greeted() when it listens (agent_listener.hpp); else empty.
  std::function<asio::awaitable<bool>()> agent_greeted;
  /// Asked when the relay reports `connected`: whether who answered is worth
  /// waiting for (settle_connect_back.hpp). Empty: always.
  std::function<bool()> answer_worth_waiting;
};

/// Pure: why the relay that sent `welcome` cannot carry out `request` (a UDP
/// probe without "udp_probe"), as the rest of a line after "relay HOST:PORT: ";
/// nullopt when it can.
[[nodiscard]] std::optional<std::string> missing_capability(const protocol::probe_request& request,
                                                            const protocol::welcome& welcome);

/// What an `internal` error frame makes of the run: the relay itself failed
/// (out of file descriptors or ports, say), so nothing was learned about the
/// network and the run ends with exit code 3, never with a verdict.
inline constexpr std::string_view relay_overloaded = "the relay is overloaded; try again";

/// Pure: the line for an error frame the relay sent, as the rest of a line
/// after "relay HOST:PORT: ": relay_overloaded with the relay's text for
/// `internal`, the versions for `unsupported_version`, else the code and text.
[[nodiscard]] std::string relay_error_line(const protocol::error& e);

/// The relay's addresses, as its name resolves within options.timeout
/// (IPv4-mapped ones as IPv4), or why it does not resolve.
[[nodiscard]] std::variant<std::vector<std::string>, relay_failure> resolve_relay(const client_options& options);

/// Runs one probe of `request.port` through the relay, within options.timeout:
/// over options.relay_address when set, else whatever the name resolves to.
/// A UDP request waits for the welcome and fails without "udp_probe"; its
/// probe_result is final (no probe_answer, no greeting).
[[nodiscard]] asio::awaitable<std::variant<relay_exchange, relay_failure>> run_relay_session(
    const client_options& options, protocol::probe_request request, session_hooks hooks);

}  // namespace reachback::client
