// SPDX-License-Identifier: MIT
#include "client/platform/path_collate.hpp"

#include <algorithm>

#include "common/address.hpp"

namespace reachback::client::platform {

namespace {

bool ends_walk(const probe_reply& reply, const std::string& target) {
  return reply.from == target || reply.outcome == probe_outcome::unreachable;
}

bool answered(const std::vector<probe_reply>& replies, int ttl) {
  return std::any_of(replies.begin(), replies.end(),
                     [ttl](const probe_reply& r) { return r.ttl == ttl; });
}

// The fastest reply at `ttl` (rate-limited routers may answer only once, and
// the first round's reply can arrive during the second).
const probe_reply* best_reply(const std::vector<probe_reply>& replies, int ttl) {
  const probe_reply* best = nullptr;
  for (const auto& reply : replies) {
    if (reply.ttl == ttl && (best == nullptr || reply.rtt_ms < best->rtt_ms)) best = &reply;
  }
  return best;
}

path_hop make_hop(int ttl, const probe_reply* reply) {
  path_hop hop;
  hop.ttl = ttl;
  if (reply != nullptr) {
    hop.address = reply->from;
    hop.cls = classify_address(reply->from);
    hop.rtt_ms = reply->rtt_ms;
  }
  return hop;
}

}  // namespace

std::optional<int> walk_end(const std::vector<probe_reply>& replies, const std::string& target) {
  std::optional<int> end;
  for (const auto& reply : replies) {
    if (ends_walk(reply, target) && (!end || reply.ttl < *end)) end = reply.ttl;
  }
  return end;
}

std::vector<int> silent_ttls(const std::vector<probe_reply>& replies, const std::string& target,
                             int max_ttl) {
  const auto end = walk_end(replies, target);
  const int last = end ? *end - 1 : max_ttl;
  std::vector<int> silent;
  for (int ttl = 1; ttl <= last; ++ttl) {
    if (!answered(replies, ttl)) silent.push_back(ttl);
  }
  return silent;
}

walk_result collate_walk(const std::vector<probe_reply>& replies, const std::string& target) {
  walk_result result;
  const auto end = walk_end(replies, target);
  result.reached = end && std::any_of(replies.begin(), replies.end(), [&](const probe_reply& r) {
                     return r.ttl == *end && r.from == target;
                   });
  int last = 0;
  if (end) {
    // The relay is not a hop; a router refusing the destination is.
    last = result.reached ? *end - 1 : *end;
  } else {
    for (const auto& reply : replies) last = std::max(last, reply.ttl);
  }
  for (int ttl = 1; ttl <= last; ++ttl) {
    result.hops.push_back(make_hop(ttl, best_reply(replies, ttl)));
  }
  return result;
}

}  // namespace reachback::client::platform
