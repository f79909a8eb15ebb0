// SPDX-License-Identifier: MIT
#include "relay/metrics.hpp"

#include <cstdio>
#include <string_view>

#include "common/messages.hpp"

namespace reachback::relay {
namespace {

constexpr std::string_view error_prefix = "error:";

// The refusals an operator tunes with [limits] and [timeouts]: a rising
// count says a limit is too tight or the relay is under attack.
bool is_limit(protocol::wire_error code) {
  switch (code) {
    case protocol::wire_error::rate_limited:
    case protocol::wire_error::too_many_sessions:
    case protocol::wire_error::frame_too_large:
    case protocol::wire_error::idle_timeout:
      return true;
    default:
      return false;
  }
}

std::string number(double value) {
  std::array<char, 32> text{};
  const int length = std::snprintf(text.data(), text.size(), "%.17g", value);
  return {text.data(), static_cast<std::size_t>(length)};
}

void family_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void labelled_counter(std::string& out, std::string_view name, std::string_view label,
                      std::string_view help, const std::map<std::string, std::uint64_t>& counts) {
  family_header(out, name, "counter", help);
  // Label values come from the relay's own enums (outcome and error names),
  // never from a client, so they need no escaping and stay few.
  for (const auto& [value, count] : counts) {
    out.append(name).append("{").append(label).append("=\"").append(value).append("\"} ");
    out.append(std::to_string(count)).append("\n");
  }
}

}  // namespace

void relay_metrics::record(const session_summary& summary) {
  ++sessions_;
  for (const auto& outcome : summary.outcomes) {
    if (!outcome.starts_with(error_prefix)) {
      ++outcomes_[outcome];
      continue;
    }
    const auto name = std::string_view(outcome).substr(error_prefix.size());
    const auto code = protocol::wire_error_from_string(name);
    ++(code && is_limit(*code) ? limits_hit_ : errors_)[std::string(name)];
  }
  const double seconds = std::chrono::duration<double>(summary.duration).count();
  duration_sum_seconds_ += seconds;
  for (std::size_t i = 0; i < session_duration_buckets.size(); ++i) {
    if (seconds <= session_duration_buckets[i]) {
      ++duration_buckets_[i];
    }
  }
}

std::string relay_metrics::prometheus_text(int open_sessions) const {
  std::string out;
  family_header(out, "reachback_relay_sessions_open", "gauge", "Control sessions open now.");
  out += "reachback_relay_sessions_open " + std::to_string(open_sessions) + "\n";
  family_header(out, "reachback_relay_sessions_total", "counter", "Control sessions that ended.");
  out += "reachback_relay_sessions_total " + std::to_string(sessions_) + "\n";
  labelled_counter(out, "reachback_relay_probes_total", "outcome",
                   "Probe requests answered, by outcome.", outcomes_);
  labelled_counter(out, "reachback_relay_limits_hit_total", "limit",
                   "Error frames sent because a limit or deadline was reached.", limits_hit_);
  labelled_counter(out, "reachback_relay_errors_total", "code",
                   "Other error frames sent, by code.", errors_);

  constexpr std::string_view histogram = "reachback_relay_session_duration_seconds";
  family_header(out, histogram, "histogram", "Control session duration, accept to close.");
  for (std::size_t i = 0; i < session_duration_buckets.size(); ++i) {
    out.append(histogram).append("_bucket{le=\"").append(number(session_duration_buckets[i]));
    out.append("\"} ").append(std::to_string(duration_buckets_[i])).append("\n");
  }
  out.append(histogram).append("_bucket{le=\"+Inf\"} ").append(std::to_string(sessions_));
  out.append("\n").append(histogram).append("_sum ").append(number(duration_sum_seconds_));
  out.append("\n").append(histogram).append("_count ").append(std::to_string(sessions_));
  out.append("\n");
  return out;
}

}  // namespace reachback::relay
