// SPDX-License-Identifier: MIT
#include "verdict_engine.hpp"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "verdict_parts.hpp"

namespace reachback {

using namespace verdict_parts;

namespace {

/// The network's finding, unless this host's own explains it: a block
/// further out comes first, and the local one follows as its last steps.
finding network_then_local(finding network, const std::optional<finding>& local, std::size_t host) {
  if (!local) return network;
  const bool network_blocks_earlier = network.blocking && *network.blocking < host && network.why != cause::reachable;
  if (!network_blocks_earlier) return *local;
  network.fix.push_back("Then on this host: " + local->summary);
  append(network.fix, local->fix);
  return network;
}

hop_status status_of(const finding& f, int reached, std::size_t i) {
  if (f.why == cause::reachable) return hop_status::pass;
  if (f.blocking && i == *f.blocking) return hop_status::blocked;
  if (f.blocking && i > *f.blocking) return hop_status::not_reached;
  const int depth = static_cast<int>(i) - 1;
  if (depth < reached || (i == 0 && reached >= 0)) return hop_status::pass;
  return hop_status::unknown;
}

void set_statuses(const finding& f, int reached, layout& home) {
  for (std::size_t i = 0; i < home.hops.size(); ++i) home.hops[i].status = status_of(f, reached, i);
}

/// The verdict's candidates: the blocking hop first, then the others the
/// finding cannot rule out, each once. The only place they are put together.
std::vector<std::size_t> candidates(const finding& f, const layout& home) {
  std::vector<std::size_t> list;
  if (!f.blocking) return list;
  list.push_back(*f.blocking);
  for (const auto i : f.also) {
    if (i < home.hops.size() && std::find(list.begin(), list.end(), i) == list.end()) list.push_back(i);
  }
  return list;
}

}  // namespace

verdict diagnose(const evidence& ev, const fix_book& fixes) {
  const fix_writer fx(fixes, ev.os, ev.port, ev.protocol);
  layout home = build_layout(ev);
  add_local_evidence(ev, home.hops.back());  // what this host knows comes first
  const auto sweep = read_sweep(ev, home);
  add_probe_evidence(ev, sweep, home);
  const auto routers = read_routers(ev, home);
  add_router_evidence(ev, routers, home);

  const int reached = reached_depth(ev, home, sweep);
  auto network = weigh_router_answers(ev, home, routers, sweep, fx,
                                      prefer_cgnat(ev, home, reached, network_finding(ev, home, sweep, fx)));
  const auto result = network_then_local(std::move(network), local_finding(ev, home.host_index(), fx), home.host_index());
  set_statuses(result, reached, home);
  auto listed = candidates(result, home);
  return {result.why, std::move(listed), result.summary, result.fix, std::move(home.hops)};
}

}  // namespace reachback
