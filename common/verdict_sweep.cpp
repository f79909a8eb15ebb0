// SPDX-License-Identifier: MIT
// What the relay's TTL sweep shows: a line on the hop each probe reached,
// and how deep the probes got behind the public address.
#include "verdict_parts.hpp"

#include <algorithm>
#include <string>

namespace reachback::verdict_parts {
namespace {

std::string sweep_line(const evidence& ev, const sweep_hop& h) {
  std::string text = "relay " + probe_word(ev) + " with TTL " + std::to_string(h.ttl) + ": ";
  switch (h.reply) {
    case sweep_reply::time_exceeded: text += "ICMP time exceeded from " + h.from; break;
    case sweep_reply::rst: text += "RST from " + h.from; break;
    case sweep_reply::syn_ack: text += "SYN-ACK from " + h.from; break;
    case sweep_reply::udp_reply: text += "UDP reply from " + h.from; break;
    case sweep_reply::unreachable:
      text += "ICMP unreachable (" + icmp_type_code(h.icmp ? h.icmp->type : 3, h.icmp ? h.icmp->code : 0) +
              ") from " + h.from;
      break;
    case sweep_reply::silence:
      return text + "no answer after " + std::to_string(h.attempts) + " attempt(s)";
  }
  if (h.reply_ttl) text += ", arrived with TTL " + std::to_string(*h.reply_ttl);
  return text;
}

/// The sweep line for `h`, with what its `depth` behind the public address
/// says about it.
std::string placed_sweep_line(const evidence& ev, const sweep_hop& h, int depth, const layout& home) {
  auto line = sweep_line(ev, h);
  if (depth > home.host_depth() && h.reply == sweep_reply::time_exceeded)
    line += " (one more router than the path from this host shows)";
  else if (depth > 0 && h.from == ev.public_address && home.innermost_nat())
    line += " (the NAT in front rewrote the source; the TTL places it here)";
  return line;
}

/// A TCP or UDP answer, or an ICMP rejection. An "unreachable" without ICMP
/// is the relay failing to send (no route, no sockets left), not an answer.
bool is_answer(const sweep_hop& h) {
  return h.reply == sweep_reply::rst || h.reply == sweep_reply::syn_ack ||
         h.reply == sweep_reply::udp_reply ||
         (h.reply == sweep_reply::unreachable && h.icmp);
}

}  // namespace

sweep_reading read_sweep(const evidence& ev, layout& home) {
  sweep_reading reading;
  if (!ev.sweep) return reading;
  for (const auto& h : ev.sweep->hops) {
    const int depth = home.public_ttl ? h.ttl - *home.public_ttl : -1;
    if (h.reply == sweep_reply::silence && depth < 0) continue;     // internet noise, not evidence
    if (reading.answer && h.ttl > reading.answer->ttl) break;       // beyond the answer adds nothing
    const std::size_t index = depth < 0 ? 0 : home.at_depth(depth);
    home.hops[index].evidence.push_back(placed_sweep_line(ev, h, depth, home));
    if (depth < 0) continue;
    if (h.reply == sweep_reply::time_exceeded)
      reading.deepest_forward = std::max(reading.deepest_forward.value_or(-1), std::min(depth, home.host_depth()));
    if (is_answer(h) && !reading.answer) {
      reading.answer = h;
      reading.answer_depth = std::min(depth, home.host_depth());
    }
  }
  return reading;
}

int reached_depth(const evidence& ev, const layout& home, const sweep_reading& sweep) {
  int reached = -1;
  if (sweep.deepest_forward) reached = *sweep.deepest_forward + 1;
  if (sweep.answer_depth) reached = std::max(reached, *sweep.answer_depth);
  if (ev.capture.probe_seen || ev.connect_back.outcome == connect_outcome::verified ||
      read_firewall(ev) == firewall_view::log_shows_drop)
    reached = home.host_depth();
  return reached;
}

}  // namespace reachback::verdict_parts
