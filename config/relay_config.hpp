// SPDX-License-Identifier: MIT
#pragma once
// probe-relay's settings: defaults here, overridden by relay.toml.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace reachback::config {

struct relay_limits {
  int sessions_per_ip = 4;     ///< concurrent control sessions per source prefix
  int probes_per_minute = 20;  ///< probe requests per source prefix per minute
  int sessions_total = 256;    ///< concurrent sessions overall
  /// The per-source limits count a source by its address's first bits: one
  /// host for IPv4, one subnet for IPv6 (a host may hold a whole /64).
  int ipv4_prefix = 32;
  int ipv6_prefix = 64;
  bool operator==(const relay_limits&) const = default;
};

struct relay_timeouts {
  std::chrono::milliseconds session{30'000};  ///< whole session deadline
  std::chrono::milliseconds idle{10'000};     ///< no complete frame for this long
  /// From accept to a hello: a stranger holds a slot only this long.
  std::chrono::milliseconds hello{2'000};
  /// From the welcome to the first probe request, which a client sends at
  /// once (a TCP probe even travels with the hello).
  std::chrono::milliseconds request{3'000};
  /// Connect-back and control probe: first SYN to the last answer accepted,
  /// when the control connection's RTT is unknown.
  std::chrono::milliseconds connect{1'800};
  /// Floor and cap of that wait when it comes from a known RTT (3 RTT + 200 ms).
  std::chrono::milliseconds connect_min{500};
  std::chrono::milliseconds connect_max{5'000};
  std::chrono::milliseconds banner{1'000};    ///< wait for proof or banner
  bool operator==(const relay_timeouts&) const = default;
};

struct sweep_settings {
  bool enabled = true;
  int max_ttl = 16;
  /// Per-TTL wait for an answer before the probe counts as silent, when the
  /// control connection's RTT is unknown.
  std::chrono::milliseconds hop_timeout{700};
  /// Floor and cap of that wait when it comes from a known RTT (1.5 RTT + 50 ms).
  std::chrono::milliseconds hop_timeout_min{200};
  std::chrono::milliseconds hop_timeout_max{3'000};
  /// Silent TTLs are retried this many more times (ICMP rate limits).
  int retries = 1;
  bool operator==(const sweep_settings&) const = default;
};

/// How the relay writes its log lines.
enum class log_format {
  text,  ///< human-readable lines (the default)
  json,  ///< one JSON object per line, for log collectors
};
/// "text" or "json"; nullopt for anything else.
[[nodiscard]] std::optional<log_format> log_format_from_string(std::string_view name) noexcept;
/// The name log_format_from_string accepts.
[[nodiscard]] std::string_view to_string(log_format format) noexcept;

struct relay_config {
  std::vector<std::string> listen = {"0.0.0.0:4750", "[::]:4750"};
  config::log_format log_format = log_format::text;
  /// Where the Prometheus endpoint listens ("ADDR:PORT"); empty (no
  /// [metrics] listen key): no endpoint.
  std::string metrics_listen;
  relay_timeouts timeouts;
  relay_limits limits;
  sweep_settings sweep;
  /// Accepted auth tokens; empty means the relay is open to anyone.
  std::vector<std::string> tokens;
  bool operator==(const relay_config&) const = default;
};

/// Parses TOML text; `source` names it in errors. Throws config_error.
[[nodiscard]] relay_config parse_relay_config(std::string_view toml_text, std::string_view source);
/// Reads and parses a file. Throws config_error.
[[nodiscard]] relay_config load_relay_config(const std::filesystem::path& file);

/// Where the relay looks when --config is not given.
inline constexpr std::string_view default_relay_config_path = "/etc/reachback/relay.toml";

}  // namespace reachback::config
