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

asio::awaitable<protocol::probe_result> run_probe(asio::ip::tcp::endpoint control_peer,
                                                  asio::ip::address control_local,
                                                  protocol::probe_request request,
                                                  probe_settings settings) {
  const dial_route target{dial_target(control_peer, request.port), control_local};
  protocol::probe_result result;
  result.nonce = request.nonce;
  if (request.sweep && settings.sweep_enabled) {
    auto [connect, sweep] =
        co_await (connect_back(target, request.nonce, settings.connect_back) &&
                  run_firewalk(target, settings.sweep));
    result.connect_back = std::move(connect);
    result.sweep = std::move(sweep);
  } else {
    result.connect_back = co_await connect_back(target, request.nonce, settings.connect_back);
  }
  co_return result;
}

}  // namespace reachback::relay
