// SPDX-License-Identifier: MIT
#include "relay/session_log.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

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

constexpr std::string_view notice_prefix = "probe-relay: ";

std::string session_json(const session_summary& summary) {
  nlohmann::ordered_json line{{"time", utc_timestamp(summary.ended)},
                              {"event", "session"},
                              {"client", summary.client},
                              {"ports", summary.ports},
                              {"outcomes", summary.outcomes},
                              {"duration_ms", summary.duration.count()}};
  if (summary.rtt_ms) {
    line["rtt_ms"] = *summary.rtt_ms;
  }
  // Replace, not throw: a client address is ASCII, but a log line must never
  // take the relay down.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

void log_sink::operator()(std::string_view notice) const {
  write_(format_notice(notice, std::chrono::system_clock::now(), format_));
}

void log_sink::session(const session_summary& summary) const {
  write_(format_session_log(summary, format_));
  if (observer_) {
    observer_(summary);
  }
}

log_sink stderr_log(log_format format) {
  const auto write_line = [](std::string_view line) {
    // One write per line keeps lines whole when several processes share stderr.
    std::string text(line);
    text += '\n';
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  };
  return {write_line, format};
}

std::string format_notice(std::string_view notice, std::chrono::system_clock::time_point now,
                          log_format format) {
  if (format == log_format::text) {
    return std::string(notice);
  }
  if (notice.starts_with(notice_prefix)) {
    notice.remove_prefix(notice_prefix.size());
  }
  const nlohmann::ordered_json line{
      {"time", utc_timestamp(now)}, {"event", "notice"}, {"message", notice}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 32> text{};
  const auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {text.data(), length};
}

std::string format_session_log(const session_summary& summary, log_format format) {
  if (format == log_format::json) {
    return session_json(summary);
  }
  const auto ports = joined(distinct(summary.ports), "-",
                            [](std::uint16_t port) { return std::to_string(port); });
  const auto outcomes =
      joined(summary.outcomes, "none", [](const std::string& outcome) { return outcome; });
  return utc_timestamp(summary.ended) + " client=" + summary.client + " port=" + ports +
         " outcome=" + outcomes + " duration=" + std::to_string(summary.duration.count()) + "ms" +
         (summary.rtt_ms ? " rtt=" + std::to_string(*summary.rtt_ms) + "ms" : std::string());
}

}  // namespace reachback::relay
