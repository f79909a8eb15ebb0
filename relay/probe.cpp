// SPDX-License-Identifier: MIT
#include "relay/probe.hpp"

#include <algorithm>

#include "common/asio_compat.hpp"
#include "relay/firewalk.hpp"
#include "relay/listen_address.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

probe_settings probe_settings_from(const config::relay_config& config) {
  return probe_settings{
      .connect_back = {.connect = config.timeouts.connect, .banner = config.timeouts.banner},
      .sweep_enabled = config.sweep.enabled,
      .sweep = bounded(config.sweep),
  };
}

std::chrono::milliseconds worst_case_duration(const probe_settings& settings) {
  const auto connect_back = settings.connect_back.connect + settings.connect_back.banner;
  return settings.sweep_enabled ? std::max(connect_back, worst_case_duration(settings.sweep))
                                : connect_back;
}

asio::awaitable<probe_run> run_probe(asio::ip::tcp::endpoint control_peer,
                                     asio::ip::address control_local,
                                     protocol::probe_request request, probe_settings settings) {
  const dial_route target{dial_target(control_peer, request.port), control_local};
  auto greeting = request.greet ? protocol::greeting_line(request.nonce) : std::string();
  probe_run run;
  run.result.nonce = request.nonce;
  dialed_back dialed;
  if (request.sweep && settings.sweep_enabled) {
    auto [connect, sweep] = co_await (dial_back(target, std::move(greeting), settings.connect_back) &&
                                      run_firewalk(target, settings.sweep));
    dialed = std::move(connect);
    run.result.sweep = std::move(sweep);
  } else {
    dialed = co_await dial_back(target, std::move(greeting), settings.connect_back);
  }
  run.result.connect_back = std::move(dialed.result);
  run.open = std::move(dialed.open);
  co_return run;
}

}  // namespace reachback::relay
