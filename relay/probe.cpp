// SPDX-License-Identifier: MIT
#include "relay/probe.hpp"

#include <algorithm>
#include <tuple>
#include <utility>
#include <variant>

#include "common/asio_compat.hpp"
#include "relay/firewalk.hpp"
#include "relay/listen_address.hpp"
#include "relay/udp_probe.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

// A part's network outcome, or local_failure_error: called once every part
// is done, so the throw cancels nothing that still runs.
template <typename T>
T network_outcome(or_local_failure<T> part) {
  if (const auto* failed = std::get_if<local_failure>(&part)) throw local_failure_error(*failed);
  return std::get<T>(std::move(part));
}

// A part that runs only when asked: nullopt when it was not.
template <typename T>
using if_asked = or_local_failure<std::optional<T>>;

template <typename T>
if_asked<T> asked_part(or_local_failure<T> part) {
  if (auto* failed = std::get_if<local_failure>(&part)) return std::move(*failed);
  return std::optional<T>(std::get<T>(std::move(part)));
}

asio::awaitable<if_asked<ttl_sweep>> sweep_if(bool asked, dial_route route, sweep_limits limits,
                                              probe_clock& clock, ttl_probe probe) {
  if (!asked) co_return std::optional<ttl_sweep>();
  auto sweep = co_await run_firewalk(route, limits, clock, std::move(probe));
  co_return asked_part(std::move(sweep));
}

asio::awaitable<if_asked<control_probe_result>> control_if(bool asked, dial_route route,
                                                           probe_clock& clock) {
  if (!asked) co_return std::optional<control_probe_result>();
  auto control = co_await run_control_probe(route, clock);
  co_return asked_part(std::move(control));
}

// The control probe tells an ISP's block of this port from a router that
// drops every unsolicited packet: evidence only when nothing answers this
// port. Once something accepted the connect-back, waiting for it would only
// cost time: an IPv6 home's filter drops it, and it runs into its deadline.
// A connect-back that failed locally leaves nothing for it to explain.
asio::awaitable<or_local_failure<dialed_back>> dial_back_then_settle_control(
    dial_route target, std::string greeting, connect_back_settings settings, probe_clock& clock,
    asio::steady_timer& control_needed) {
  auto dialed = co_await dial_back(target, std::move(greeting), settings, clock);
  const auto* back = std::get_if<dialed_back>(&dialed);
  if (back == nullptr || back->result.outcome == connect_outcome::connected) control_needed.cancel();
  co_return dialed;
}

asio::awaitable<void> until_cancelled(asio::steady_timer& timer) { co_await timer.async_wait(use_nothrow); }

// The connect-back, the sweep and the control probe, run together.
asio::awaitable<probe_run> run_tcp_probe(asio::ip::tcp::endpoint control_peer,
                                         dial_route target, protocol::probe_request request,
                                         bool sweep, const probe_settings& settings,
                                         probe_clock& clock) {
  auto greeting = request.greet ? protocol::greeting_line(request.nonce) : std::string();
  // The same address as every probe: only the port is the relay's choice.
  const std::uint16_t control_port =
      request.control ? settings.pick_control_port(request.port) : std::uint16_t{0};
  const dial_route control{dial_target(control_peer, control_port), target.source};

  // Never expires: cancelled when the connect-back is accepted.
  asio::steady_timer control_needed(co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  auto [dialed, swept, controlled] = co_await (
      dial_back_then_settle_control(target, std::move(greeting), settings.connect_back, clock, control_needed) &&
      sweep_if(sweep, target, settings.sweep, clock, tcp_ttl_probe) &&
      (control_if(request.control, control, clock) || until_cancelled(control_needed)));
  auto back = network_outcome(std::move(dialed));
  probe_run run;
  run.result.connect_back = std::move(back.result);
  run.result.sweep = network_outcome(std::move(swept));
  // `||` flattens control_if's variant into its own: the control probe's
  // result, its local failure, or "no longer needed".
  if (const auto* failed = std::get_if<local_failure>(&controlled)) throw local_failure_error(*failed);
  if (controlled.index() == 0) run.result.control = std::get<0>(std::move(controlled));
  run.open = std::move(back.open);
  co_return run;
}

// The datagrams and the UDP sweep, run together. Nothing is left open:
// the one probe_result holds the answer, so greet and early_result do not
// apply, and there is no control probe for UDP.
asio::awaitable<probe_run> run_udp_probe(dial_route target, std::string nonce, bool sweep,
                                         const probe_settings& settings,
                                         std::optional<int> client_hops, probe_clock& clock) {
  // Past the router that answers port unreachable for the public address,
  // every datagram asks that router for another ICMP error, which its rate
  // limit takes from the budget of the ones that matter (this probe's own,
  // the next probe's). A TCP sweep's answers there are RSTs and SYN-ACKs,
  // which no such limit holds back, so it keeps every TTL.
  auto limits = settings.sweep;
  limits.max_ttl = max_ttl_toward(limits, client_hops);
  // Not a capturing coroutine: the lambda only hands the nonce, by value,
  // to the coroutine, whose frame keeps its own copy.
  ttl_probe probe_with_nonce = [nonce](dial_route route, int ttl, probe_clock& hop_clock) {
    return udp_ttl_probe(std::move(route), ttl, hop_clock, nonce);
  };
  auto [answered, swept] = co_await (
      udp_probe_back(target, nonce, clock) &&
      sweep_if(sweep, target, limits, clock, std::move(probe_with_nonce)));
  probe_run run;
  run.result.connect_back = network_outcome(std::move(answered));
  run.result.sweep = network_outcome(std::move(swept));
  co_return run;
}

}  // namespace

probe_settings probe_settings_from(const config::relay_config& config) {
  const auto sweep = bounded(config.sweep);
  return probe_settings{
      .connect_back = {.banner = config.timeouts.banner},
      .sweep_enabled = config.sweep.enabled,
      .sweep = sweep,
      .deadlines = {.connect_unknown = config.timeouts.connect,
                    .connect_floor = config.timeouts.connect_min,
                    .connect_cap = config.timeouts.connect_max,
                    .hop_unknown = sweep.hop_timeout,
                    .hop_floor = sweep.hop_timeout_min,
                    .hop_cap = sweep.hop_timeout_max},
      .pick_control_port = random_control_port,
  };
}

std::chrono::milliseconds worst_case_duration(const probe_settings& settings) {
  const auto& d = settings.deadlines;
  const auto connect = std::max(d.connect_unknown, d.connect_cap) + settings.connect_back.banner;
  auto sweep = settings.sweep;
  sweep.hop_timeout = std::max(d.hop_unknown, d.hop_cap);
  return settings.sweep_enabled ? std::max(connect, worst_case_duration(sweep)) : connect;
}

asio::awaitable<probe_run> run_probe(asio::ip::tcp::endpoint control_peer,
                                     asio::ip::address control_local,
                                     protocol::probe_request request, probe_settings settings,
                                     rtt_reader read_rtt, std::optional<int> client_hops) {
  probe_clock clock(settings.deadlines, std::move(read_rtt));
  const dial_route target{dial_target(control_peer, request.port), control_local};
  const bool sweep = request.sweep && settings.sweep_enabled;
  probe_run run;
  if (request.protocol == protocol::protocol_udp) {
    run = co_await run_udp_probe(target, request.nonce, sweep, settings, client_hops, clock);
  } else {
    run = co_await run_tcp_probe(control_peer, target, request, sweep, settings, clock);
  }
  run.result.nonce = request.nonce;
  if (const auto rtt = clock.rtt()) {
    run.result.rtt_ms = std::chrono::duration<double, std::milli>(*rtt).count();
  }
  co_return run;
}

}  // namespace reachback::relay
