// SPDX-License-Identifier: MIT
#include "relay/firewalk.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/asio_compat.hpp"
#include "relay/dial.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/probe_classify.hpp"

namespace reachback::relay {

using namespace asio::experimental::awaitable_operators;

namespace {

// One round's probes in flight, and the sweep's hops they fold their
// answers into (index ttl - 1). The probe whose answer settles the round
// (round_settled) stops the others: without that, a UDP round waits out
// every TTL past a router that answers port unreachable, whose answers its
// ICMP rate limit swallowed. A local failure stops them too.
struct sweep_round {
  std::vector<sweep_hop>& hops;
  std::optional<local_failure>& failure;  // the sweep's first
  std::vector<int> pending;
  asio::steady_timer stop;  // never expires by itself; cancel() stops the round
  bool settled = false;
};


asio::awaitable<void> probe_one(dial_route route, int ttl, sweep_round& round,
                                probe_clock& clock, ttl_probe probe) {
  // Nothing goes out past a TTL where the target already answered.
  if (round.settled) co_return;
  // `||` flattens the probe's variant into its own: a hop, a local failure,
  // or the stop. A stopped probe lies past the terminal TTL (finish_sweep
  // drops its hop), or the sweep failed locally.
  auto raced = co_await (probe(route, ttl, clock) || round.stop.async_wait(use_nothrow));
  if (const auto* hop = std::get_if<sweep_hop>(&raced)) {
    merge_retry(round.hops[static_cast<std::size_t>(ttl - 1)], *hop);
  } else if (auto* failed = std::get_if<local_failure>(&raced); failed && !round.failure) {
    round.failure = std::move(*failed);
  }
  std::erase(round.pending, ttl);
  if (!round.settled && (round.failure || round_settled(round.hops, round.pending))) {
    round.settled = true;
    round.stop.cancel();
  }
}

// Probes every TTL at once by splitting the list in halves joined with &&:
// one structured parallel group per level, so cancelling the sweep cancels
// every pending probe, and each probe's failure is a value, never a throw.
asio::awaitable<void> probe_ttls(dial_route route, std::vector<int> ttls, sweep_round& round,
                                 probe_clock& clock, ttl_probe probe) {
  if (ttls.empty()) co_return;
  if (ttls.size() == 1) {
    co_await probe_one(route, ttls.front(), round, clock, std::move(probe));
    co_return;
  }
  const auto middle = ttls.begin() + static_cast<std::ptrdiff_t>(ttls.size() / 2);
  std::vector<int> low(ttls.begin(), middle);
  std::vector<int> high(middle, ttls.end());
  co_await (probe_ttls(route, std::move(low), round, clock, probe) &&
            probe_ttls(route, std::move(high), round, clock, probe));
}

// One round over `ttls`, its answers merged into `hops`, its first local
// failure, if any, into `failure`.
asio::awaitable<void> probe_round(dial_route route, std::vector<int> ttls,
                                  std::vector<sweep_hop>& hops,
                                  std::optional<local_failure>& failure, probe_clock& clock,
                                  ttl_probe probe) {
  auto executor = co_await asio::this_coro::executor;
  sweep_round round{hops, failure, ttls,
                    asio::steady_timer(executor, steady_clock::time_point::max())};
  co_await probe_ttls(route, std::move(ttls), round, clock, std::move(probe));
}

}  // namespace

asio::awaitable<or_local_failure<sweep_hop>> tcp_ttl_probe(dial_route route, int ttl,
                                                           probe_clock& clock) {
  // The socket closes when `dialed` goes: a SYN-ACK is answered and reset.
  const auto dialed = co_await dial(route, ttl, {&clock, &deadlines::hop, steady_clock::now()},
                                    dial_close::reset);
  if (auto failed = local_failure_of(dialed.attempt, sweep_part(ttl))) co_return std::move(*failed);
  const auto address = address_text(route.target.address());
  co_return classify_sweep_probe(dialed.attempt, ttl, address);
}

asio::awaitable<or_local_failure<ttl_sweep>> run_firewalk(dial_route route, sweep_limits limits,
                                                          probe_clock& clock, ttl_probe probe) {
  auto hops = unprobed_hops(limits.max_ttl);
  std::optional<local_failure> failure;
  std::vector<int> every_ttl(hops.size());
  std::iota(every_ttl.begin(), every_ttl.end(), 1);
  co_await probe_round(route, std::move(every_ttl), hops, failure, clock, probe);

  for (int round = 0; round < limits.retries && !failure; ++round) {
    auto again = ttls_to_retry(hops);
    if (again.empty()) {
      break;
    }
    co_await expire_after(limits.retry_pause);
    co_await probe_round(route, std::move(again), hops, failure, clock, probe);
  }
  if (failure) co_return std::move(*failure);
  const auto address = address_text(route.target.address());
  co_return finish_sweep(std::move(hops), address);
}

}  // namespace reachback::relay
