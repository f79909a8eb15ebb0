// SPDX-License-Identifier: MIT
#include "relay/session_log.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace reachback::relay {
namespace {

template <typename T, typename Format>
std::string joined(const std::vector<T>& items, std::string_view empty, Format format) {
  if (items.empty()) {
    return std::string(empty);
  }
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += ',';
    }
    out += format(item);
  }
  return out;
}

std::vector<std::uint16_t> distinct(const std::vector<std::uint16_t>& ports) {
  std::vector<std::uint16_t> seen;
  for (const auto port : ports) {
    if (std::ranges::find(seen, port) == seen.end()) {
      seen.push_back(port);
    }
  }
  return seen;
}

}  // namespace

log_sink stderr_log() {
  return [](std::string_view line) {
    // One write per line keeps lines whole when several processes share stderr.
    std::string text(line);
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {text.data(), length};
}

std::string format_session_log(const session_summary& summary) {
  const auto ports = joined(distinct(summary.ports), "-",
                            [](std::uint16_t port) { return std::to_string(port); });
  const auto outcomes =
      joined(summary.outcomes, "none", [](const std::string& outcome) { return outcome; });
  return utc_timestamp(summary.ended) + " client=" + summary.client + " port=" + ports +
         " outcome=" + outcomes + " duration=" + std::to_string(summary.duration.count()) + "ms" +
         (summary.rtt_ms ? " rtt=" + std::to_string(*summary.rtt_ms) + "ms" : std::string());
}

}  // namespace reachback::relay
