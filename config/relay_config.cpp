// SPDX-License-Identifier: MIT
#include "relay_config.hpp"

#include <charconv>
#include <optional>
#include <string>

#include "common/address.hpp"
#include "toml_reading.hpp"

namespace reachback::config {
namespace {

using detail::int_range;
using detail::table_reader;

// Upper bounds are sanity limits that catch a unit mix-up or an extra zero,
// not tuning advice.
constexpr int_range timeout_range{1, 3'600'000};
constexpr int_range hop_timeout_range{1, 60'000};
constexpr int_range limit_range{1, 1'000'000};
// 64 hops is the usual initial TTL; no path on the internet is longer.
constexpr int_range ttl_range{1, 64};
constexpr int_range retry_range{0, 10};
// A prefix of 0 would make every client one source; 8 already spans a
// whole former class A network.
constexpr int_range ipv4_prefix_range{8, 32};
constexpr int_range ipv6_prefix_range{16, 128};

struct endpoint_parts {
  std::string_view address;
  std::string_view port;
};

std::optional<endpoint_parts> split_listen(std::string_view text) {
  if (text.starts_with('[')) {
    const auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    const auto address = text.substr(1, close - 1);
    // Brackets are for IPv6 only.
    if (address.find(':') == std::string_view::npos) return std::nullopt;
    return endpoint_parts{address, text.substr(close + 2)};
  }
  const auto colon = text.find(':');
  // A second colon means an unbracketed IPv6 address, where the port is ambiguous.
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return endpoint_parts{text.substr(0, colon), text.substr(colon + 1)};
}

bool is_port(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc{} && stop == end && value <= 65535;
}

// The same rule the relay binds by: a numeric address, since the relay does
// not resolve names, and an explicit port, 0 letting the kernel pick one.
std::string check_listen(std::string_view text) {
  const auto parts = split_listen(text);
  const bool valid = parts && is_port(parts->port) &&
                     classify_address(parts->address) != address_class::unknown;
  return valid ? std::string()
               : "must be IPV4:PORT or [IPV6]:PORT with a numeric address and PORT 0-65535";
}

/// A floor above its cap is refused, naming both: "must not exceed TABLE.MAX (MIN > MAX)".
void require_floor_within_cap(const table_reader& reader, std::string_view table, std::string_view min_key,
                              std::string_view max_key, std::chrono::milliseconds min, std::chrono::milliseconds max) {
  if (min <= max) return;
  reader.fail(min_key, "must not exceed " + std::string(table) + "." + std::string(max_key) + " (" +
                           std::to_string(min.count()) + " > " + std::to_string(max.count()) + ")");
}

void read_timeouts(table_reader& reader, relay_timeouts& timeouts) {
  reader.read("session_ms", timeouts.session, timeout_range);
  reader.read("idle_ms", timeouts.idle, timeout_range);
  reader.read("hello_ms", timeouts.hello, timeout_range);
  reader.read("request_ms", timeouts.request, timeout_range);
  reader.read("connect_ms", timeouts.connect, timeout_range);
  reader.read("connect_min_ms", timeouts.connect_min, timeout_range);
  reader.read("connect_max_ms", timeouts.connect_max, timeout_range);
  require_floor_within_cap(reader, "timeouts", "connect_min_ms", "connect_max_ms", timeouts.connect_min,
                           timeouts.connect_max);
  reader.read("banner_ms", timeouts.banner, timeout_range);
}

void read_limits(table_reader& reader, relay_limits& limits) {
  reader.read("sessions_per_ip", limits.sessions_per_ip, limit_range);
  reader.read("probes_per_minute", limits.probes_per_minute, limit_range);
  reader.read("sessions_total", limits.sessions_total, limit_range);
  reader.read("ipv4_prefix", limits.ipv4_prefix, ipv4_prefix_range);
  reader.read("ipv6_prefix", limits.ipv6_prefix, ipv6_prefix_range);
}

void read_sweep(table_reader& reader, sweep_settings& sweep) {
  reader.read("enabled", sweep.enabled);
  reader.read("max_ttl", sweep.max_ttl, ttl_range);
  reader.read("hop_timeout_ms", sweep.hop_timeout, hop_timeout_range);
  reader.read("hop_timeout_min_ms", sweep.hop_timeout_min, hop_timeout_range);
  reader.read("hop_timeout_max_ms", sweep.hop_timeout_max, hop_timeout_range);
  require_floor_within_cap(reader, "sweep", "hop_timeout_min_ms", "hop_timeout_max_ms", sweep.hop_timeout_min,
                           sweep.hop_timeout_max);
  reader.read("retries", sweep.retries, retry_range);
}

std::string check_log_format(std::string_view text) {
  return log_format_from_string(text) ? std::string() : "must be \"text\" or \"json\"";
}

}  // namespace

std::optional<log_format> log_format_from_string(std::string_view name) noexcept {
  if (name == "text") return log_format::text;
  if (name == "json") return log_format::json;
  return std::nullopt;
}

std::string_view to_string(log_format format) noexcept {
  return format == log_format::json ? "json" : "text";
}

relay_config parse_relay_config(std::string_view toml_text, std::string_view source) {
  const auto document = detail::parse_toml(toml_text, source);
  table_reader reader(document, source);
  relay_config config;
  reader.read("listen", config.listen, check_listen);
  // A relay listening nowhere would start and then do nothing, silently.
  if (config.listen.empty()) reader.fail("listen", "must name at least one address");
  reader.read("tokens", config.tokens, detail::check_trimmed);
  std::string log_format_name(to_string(config.log_format));
  reader.read("log_format", log_format_name, check_log_format);
  config.log_format = *log_format_from_string(log_format_name);
  reader.read_table("metrics", [&](table_reader& r) {
    r.read("listen", config.metrics_listen, check_listen);
  });
  reader.read_table("timeouts", [&](table_reader& r) { read_timeouts(r, config.timeouts); });
  reader.read_table("limits", [&](table_reader& r) { read_limits(r, config.limits); });
  reader.read_table("sweep", [&](table_reader& r) { read_sweep(r, config.sweep); });
  reader.finish();
  return config;
}

relay_config load_relay_config(const std::filesystem::path& file) {
  return parse_relay_config(detail::read_text_file(file), file.string());
}

}  // namespace reachback::config
