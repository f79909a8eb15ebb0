// SPDX-License-Identifier: MIT
#include "relay/probe_classify.hpp"

#include <cerrno>
#include <string>

namespace reachback::relay {
namespace {

constexpr int icmp4_time_exceeded = 11;
constexpr int icmp6_time_exceeded = 3;

bool is_refused(const std::error_code& ec) noexcept {
  return ec == std::errc::connection_refused;
}

const queued_error* icmp_entry(const probe_attempt& attempt) noexcept {
  return attempt.queued && attempt.queued->from_icmp() ? &*attempt.queued : nullptr;
}

}  // namespace

bool is_time_exceeded(const queued_error& e) noexcept {
  return e.type == (e.is_icmp6() ? icmp6_time_exceeded : icmp4_time_exceeded);
}

icmp_info to_icmp_info(const queued_error& e) {
  return icmp_info{.type = e.type, .code = e.code, .from = e.offender};
}

sweep_hop classify_sweep_probe(const probe_attempt& attempt, int ttl, std::string_view dialed,
                               sweep_reply answered_as) {
  sweep_hop hop;
  hop.ttl = ttl;
  hop.rtt_ms = attempt.elapsed_ms;
  hop.attempts = 1;
  if (const auto* icmp = icmp_entry(attempt)) {
    // Checked first: an ICMP port unreachable also fails connect() with
    // ECONNREFUSED, yet it is a router's or host's ICMP, not a TCP reset.
    hop.reply = is_time_exceeded(*icmp) ? sweep_reply::time_exceeded : sweep_reply::unreachable;
    hop.from = icmp->offender;
    hop.icmp = to_icmp_info(*icmp);
    hop.reply_ttl = icmp->arrival_ttl;
  } else if (attempt.connected) {
    hop.reply = answered_as;
    hop.from = std::string(dialed);
  } else if (is_refused(attempt.error)) {
    hop.reply = sweep_reply::rst;
    hop.from = std::string(dialed);
  } else if (attempt.timed_out) {
    hop.reply = sweep_reply::silence;
  } else {
    // No route or a local failure: nothing was learned from the network.
    hop.reply = sweep_reply::unreachable;
  }
  return hop;
}

connect_failure classify_connect_failure(const probe_attempt& attempt) {
  if (const auto* icmp = icmp_entry(attempt)) {
    return {connect_outcome::unreachable, to_icmp_info(*icmp)};
  }
  if (is_refused(attempt.error)) {
    return {connect_outcome::refused, std::nullopt};
  }
  if (attempt.timed_out) {
    return {connect_outcome::timeout, std::nullopt};
  }
  return {connect_outcome::unreachable, std::nullopt};
}

}  // namespace reachback::relay
