// SPDX-License-Identifier: MIT
#pragma once
// JSON forms of the evidence values, shared by the protocol payloads and the
// report's "probe" and "local" objects. Field names are part of both
// public interfaces: add, never rename.

#include <nlohmann/json.hpp>
#include <string_view>

#include "evidence.hpp"

namespace reachback {

[[nodiscard]] std::string_view to_string(bind_state s) noexcept;
/// "unknown", "ipv4_only", "ipv6_only", "both".
[[nodiscard]] std::string_view to_string(held_families f) noexcept;
[[nodiscard]] std::string_view to_string(connect_outcome o) noexcept;
[[nodiscard]] std::string_view to_string(hairpin_outcome o) noexcept;
[[nodiscard]] std::string_view to_string(sweep_reply r) noexcept;
[[nodiscard]] std::string_view to_string(address_class c) noexcept;
[[nodiscard]] std::string_view to_string(host_answer a) noexcept;
[[nodiscard]] std::string_view to_string(transport t) noexcept;
[[nodiscard]] std::string_view to_string(probe_mode m) noexcept;
/// "linux", "windows", "macos".
[[nodiscard]] std::string_view to_string(host_os os) noexcept;
/// "domain", "private", "public".
[[nodiscard]] std::string_view to_string(firewall_profile p) noexcept;
[[nodiscard]] std::string_view to_string(firewall_decision d) noexcept;
[[nodiscard]] std::string_view to_string(firewall_block_reason r) noexcept;

/// Banners are raw bytes from a foreign peer: printable ASCII passes, a
/// backslash doubles and every other byte becomes the text \xNN, so JSON
/// stays valid UTF-8, a report line stays one line, and a reader still sees
/// "SSH-2.0-..." verbatim.
[[nodiscard]] std::string escape_bytes(std::string_view raw);

// nlohmann ADL hooks. from_json throws nlohmann::json::exception on a missing
// field or a wrong type; the codec turns that into errc::malformed_payload.
// Fields added later (port_owner's image_path, access_denied, services and
// urls) may be absent: a peer built before them still parses.
void to_json(nlohmann::json& j, const hosted_service& v);
void from_json(const nlohmann::json& j, hosted_service& v);
void to_json(nlohmann::json& j, const port_owner& v);
void from_json(const nlohmann::json& j, port_owner& v);
void to_json(nlohmann::json& j, const squatter_match& v);
/// The report's "local" object: {"bind": {"state", "owners", "held_in",
/// "owners_hidden", "squatter"}, "portproxy", "excluded_range",
/// "proxy_target_accepts", "missing"}.
void to_json(nlohmann::json& j, const local_port_evidence& v);
void to_json(nlohmann::json& j, const portproxy_rule& v);
void to_json(nlohmann::json& j, const excluded_port_range& v);
void to_json(nlohmann::json& j, const missing_evidence& v);
void to_json(nlohmann::json& j, const host_firewall_evidence& v);
void to_json(nlohmann::json& j, const icmp_info& v);
void from_json(const nlohmann::json& j, icmp_info& v);
void to_json(nlohmann::json& j, const connect_back_result& v);
void from_json(const nlohmann::json& j, connect_back_result& v);
void to_json(nlohmann::json& j, const sweep_hop& v);
void from_json(const nlohmann::json& j, sweep_hop& v);
void to_json(nlohmann::json& j, const ttl_sweep& v);
void from_json(const nlohmann::json& j, ttl_sweep& v);
void to_json(nlohmann::json& j, const control_probe_result& v);
void from_json(const nlohmann::json& j, control_probe_result& v);
void to_json(nlohmann::json& j, const path_hop& v);
void to_json(nlohmann::json& j, const path_evidence& v);
void to_json(nlohmann::json& j, const capture_evidence& v);

}  // namespace reachback
