// SPDX-License-Identifier: MIT
#include "relay/firewalk.hpp"

#include <numeric>
#include <string>
#include <vector>

#include "common/asio_compat.hpp"
#include "relay/dial.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/probe_classify.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

// Probes every TTL at once by splitting the list in halves joined with &&:
// one structured parallel group per level, so cancelling the sweep cancels
// every pending connect, and each probe's failure is a value, never a throw.
asio::awaitable<std::vector<sweep_hop>> probe_ttls(dial_route route, std::vector<int> ttls,
                                                   probe_clock& clock, ttl_probe probe) {
  if (ttls.empty()) {
    co_return std::vector<sweep_hop>{};
  }
  if (ttls.size() == 1) {
    // Not inside a braced list: g++ 12 miscompiles co_await in one.
    auto hop = co_await probe(route, ttls.front(), clock);
    std::vector<sweep_hop> single;
    single.push_back(std::move(hop));
    co_return single;
  }
  const auto middle = ttls.begin() + static_cast<std::ptrdiff_t>(ttls.size() / 2);
  std::vector<int> low(ttls.begin(), middle);
  std::vector<int> high(middle, ttls.end());
  auto halves = co_await (probe_ttls(route, std::move(low), clock, probe) &&
                          probe_ttls(route, std::move(high), clock, probe));
  auto& hops = std::get<0>(halves);
  const auto& upper = std::get<1>(halves);
  hops.insert(hops.end(), upper.begin(), upper.end());
  co_return std::move(hops);
}

}  // namespace

asio::awaitable<sweep_hop> tcp_ttl_probe(dial_route route, int ttl, probe_clock& clock) {
  // The socket closes when `dialed` goes: a SYN-ACK is answered and dropped.
  const auto dialed = co_await dial(route, ttl, {&clock, &deadlines::hop, steady_clock::now()});
  const auto address = address_text(route.target.address());
  co_return classify_sweep_probe(dialed.attempt, ttl, address);
}

asio::awaitable<ttl_sweep> run_firewalk(dial_route route, sweep_limits limits,
                                        probe_clock& clock, ttl_probe probe) {
  std::vector<int> every_ttl(static_cast<std::size_t>(limits.max_ttl));
  std::iota(every_ttl.begin(), every_ttl.end(), 1);
  auto hops = co_await probe_ttls(route, std::move(every_ttl), clock, probe);

  for (int round = 0; round < limits.retries; ++round) {
    auto again = ttls_to_retry(hops);
    if (again.empty()) {
      break;
    }
    co_await expire_after(limits.retry_pause);
    const auto retried = co_await probe_ttls(route, std::move(again), clock, probe);
    for (const auto& retry : retried) {
      merge_retry(hops[static_cast<std::size_t>(retry.ttl - 1)], retry);
    }
  }
  const auto address = address_text(route.target.address());
  co_return finish_sweep(std::move(hops), address);
}

}  // namespace reachback::relay
