// SPDX-License-Identifier: MIT
#include "verdict_engine.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "verdict_parts.hpp"

namespace reachback {

using namespace verdict_parts;

namespace {

/// How deep the probes demonstrably got: hops before that depth passed.
int reached_depth(const evidence& ev, const layout& home, const sweep_reading& sweep) {
  int reached = -1;
  if (sweep.deepest_forward) reached = *sweep.deepest_forward + 1;
  if (sweep.answer_depth) reached = std::max(reached, *sweep.answer_depth);
  if (ev.capture.syn_seen || ev.connect_back.outcome == connect_outcome::verified ||
      read_firewall(ev) == firewall_view::log_shows_drop)
    reached = home.host_depth();
  return reached;
}

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

void set_statuses(const finding& f, int reached, layout& home) {
  for (std::size_t i = 0; i < home.hops.size(); ++i) {
    auto& h = home.hops[i];
    const int depth = static_cast<int>(i) - 1;
    if (f.why == cause::reachable) h.status = hop_status::pass;
    else if (f.blocking && i == *f.blocking) h.status = hop_status::blocked;
    else if (f.blocking && i > *f.blocking) h.status = hop_status::not_reached;
    else if (depth < reached || (i == 0 && reached >= 0)) h.status = hop_status::pass;
    else h.status = hop_status::unknown;
  }
}

}  // namespace

verdict diagnose(const evidence& ev, const fix_book& fixes) {
  const fix_writer fx(fixes, ev.os, ev.port);
  layout home = build_layout(ev);
  add_local_evidence(ev, home.hops.back());  // what this host knows comes first
  const auto sweep = read_sweep(ev, home);
  add_probe_evidence(ev, sweep, home);

  const int reached = reached_depth(ev, home, sweep);
  auto network = prefer_cgnat(ev, home, reached, network_finding(ev, home, sweep, fx));
  const auto result = network_then_local(std::move(network), local_finding(ev, home.host_index(), fx), home.host_index());
  set_statuses(result, reached, home);
  return {result.why, result.blocking, result.summary, result.fix, std::move(home.hops)};
}

}  // namespace reachback
