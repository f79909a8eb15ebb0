// SPDX-License-Identifier: MIT
#include "relay/control_probe.hpp"

#include <random>

#include "relay/connect_back.hpp"

namespace reachback::relay {

std::uint16_t pick_control_port(std::uint16_t asked, std::uint32_t random) noexcept {
  constexpr std::uint32_t range = control_port_last - control_port_first + 1;
  const bool asked_in_range = asked >= control_port_first;  // the range ends at 65535
  // Pick among the ports other than `asked`, then step over it.
  const std::uint32_t choices = asked_in_range ? range - 1 : range;
  auto port = static_cast<std::uint32_t>(control_port_first) + random % choices;
  if (asked_in_range && port >= asked) ++port;
  return static_cast<std::uint16_t>(port);
}

std::uint16_t random_control_port(std::uint16_t asked) {
  std::random_device random;
  return pick_control_port(asked, random());
}

asio::awaitable<or_local_failure<control_probe_result>> run_control_probe(dial_route route,
                                                                          probe_clock& clock) {
  const auto started = steady_clock::now();
  control_probe_result result;
  result.port = route.target.port();
  auto first = co_await dial_with_retry(route, clock, dial_close::reset);
  auto& dialed = first.dialed;
  if (auto failed = local_failure_of(dialed.attempt, "control probe")) co_return std::move(*failed);
  result.connect_ms = dialed.attempt.elapsed_ms;
  // The second SYN went out only if no answer came before its pause ended.
  const auto retry_at = clock.current().connect / 4;
  result.attempts = steady_clock::now() - started >= retry_at ? 2 : 1;
  if (dialed.attempt.connected) {
    result.outcome = connect_outcome::connected;
    asio::error_code ignored;
    dialed.socket.close(ignored);
  } else {
    const auto failure = classify_connect_failure(dialed.attempt);
    result.outcome = failure.outcome;
    result.icmp = failure.icmp;
  }
  co_return std::move(result);
}

}  // namespace reachback::relay
