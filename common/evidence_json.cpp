// SPDX-License-Identifier: MIT
#include "evidence_json.hpp"

#include <string>

#include "json_field.hpp"

namespace reachback {
namespace {

using json_field::as;
using json_field::optional;
using json_field::put_optional;
using json_field::required;
using nlohmann::json;

// Enumerators are contiguous from 0; to_string gives "" past the last one.
template <class E>
E enum_field(const json& j, std::string_view key) {
  const auto text = required<std::string>(j, key);
  for (int i = 0;; ++i) {
    const auto e = static_cast<E>(i);
    const auto name = to_string(e);
    if (name.empty()) throw json::type_error::create(302, "unknown name: " + text, &j);
    if (name == text) return e;
  }
}

constexpr std::string_view hex_digits = "0123456789abcdef";

int hex_value(char c) noexcept {
  const auto pos = hex_digits.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

std::string unescape_bytes(const json& j) {
  const auto text = as<std::string>(j);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '\\') {
      out += '\\';
      i += 1;
      continue;
    }
    const bool hex_escape = i + 3 < text.size() && text[i + 1] == 'x';
    const int hi = hex_escape ? hex_value(text[i + 2]) : -1;
    const int lo = hex_escape ? hex_value(text[i + 3]) : -1;
    if (hi < 0 || lo < 0) throw json::type_error::create(302, "bad escape in banner", &j);
    out += static_cast<char>(hi << 4 | lo);
    i += 3;
  }
  return out;
}

}  // namespace

std::string escape_bytes(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (b >= 0x20 && b < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += hex_digits[b >> 4];
      out += hex_digits[b & 0xf];
    }
  }
  return out;
}

std::string_view to_string(bind_state s) noexcept {
  switch (s) {
    case bind_state::free: return "free";
    case bind_state::held: return "held";
    case bind_state::loopback_only: return "loopback_only";
    case bind_state::forbidden: return "forbidden";
  }
  return {};
}

std::string_view to_string(held_families f) noexcept {
  switch (f) {
    case held_families::unknown: return "unknown";
    case held_families::ipv4_only: return "ipv4_only";
    case held_families::ipv6_only: return "ipv6_only";
    case held_families::both: return "both";
  }
  return {};
}

std::string_view to_string(connect_outcome o) noexcept {
  switch (o) {
    case connect_outcome::verified: return "verified";
    case connect_outcome::foreign: return "foreign";
    case connect_outcome::refused: return "refused";
    case connect_outcome::unreachable: return "unreachable";
    case connect_outcome::timeout: return "timeout";
    case connect_outcome::not_run: return "not_run";
    case connect_outcome::connected: return "connected";
  }
  return {};
}

std::string_view to_string(hairpin_outcome o) noexcept {
  switch (o) {
    case hairpin_outcome::looped_back: return "looped_back";
    case hairpin_outcome::other_peer: return "other_peer";
    case hairpin_outcome::connected: return "connected";
    case hairpin_outcome::refused: return "refused";
    case hairpin_outcome::unreachable: return "unreachable";
    case hairpin_outcome::timeout: return "timeout";
    case hairpin_outcome::failed: return "failed";
  }
  return {};
}

std::string_view to_string(sweep_reply r) noexcept {
  switch (r) {
    case sweep_reply::time_exceeded: return "time_exceeded";
    case sweep_reply::rst: return "rst";
    case sweep_reply::syn_ack: return "syn_ack";
    case sweep_reply::unreachable: return "unreachable";
    case sweep_reply::silence: return "silence";
    case sweep_reply::udp_reply: return "udp_reply";
  }
  return {};
}

std::string_view to_string(address_class c) noexcept {
  switch (c) {
    case address_class::loopback: return "loopback";
    case address_class::private_net: return "private";
    case address_class::carrier_nat: return "carrier_nat";
    case address_class::public_net: return "public";
    case address_class::unknown: return "unknown";
  }
  return {};
}

std::string_view to_string(host_answer a) noexcept {
  switch (a) {
    case host_answer::syn_ack: return "syn_ack";
    case host_answer::rst: return "rst";
    case host_answer::none: return "none";
    case host_answer::udp_reply: return "udp_reply";
    case host_answer::port_unreachable: return "port_unreachable";
  }
  return {};
}

std::string_view to_string(transport t) noexcept {
  switch (t) {
    case transport::tcp: return "tcp";
    case transport::udp: return "udp";
  }
  return {};
}

std::string_view to_string(probe_mode m) noexcept {
  switch (m) {
    case probe_mode::automatic: return "automatic";
    case probe_mode::listen: return "listen";
    case probe_mode::service: return "service";
  }
  return {};
}

std::string_view to_string(host_os os) noexcept {
  switch (os) {
    case host_os::linux_host: return "linux";
    case host_os::windows_host: return "windows";
    case host_os::macos_host: return "macos";
  }
  return {};
}

std::string_view to_string(firewall_profile p) noexcept {
  switch (p) {
    case firewall_profile::domain: return "domain";
    case firewall_profile::private_profile: return "private";
    case firewall_profile::public_profile: return "public";
  }
  return {};
}

std::string_view to_string(firewall_decision d) noexcept {
  switch (d) {
    case firewall_decision::allowed: return "allowed";
    case firewall_decision::blocked: return "blocked";
    case firewall_decision::firewall_off: return "firewall_off";
    case firewall_decision::unknown: return "unknown";
  }
  return {};
}

std::string_view to_string(firewall_block_reason r) noexcept {
  switch (r) {
    case firewall_block_reason::none: return "none";
    case firewall_block_reason::no_allow_rule: return "no_allow_rule";
    case firewall_block_reason::profile_mismatch: return "profile_mismatch";
    case firewall_block_reason::other_program: return "other_program";
    case firewall_block_reason::block_rule: return "block_rule";
    case firewall_block_reason::local_subnet_only: return "local_subnet_only";
    case firewall_block_reason::block_all_inbound: return "block_all_inbound";
  }
  return {};
}

void to_json(json& j, const hosted_service& v) {
  j = {{"name", v.name}, {"display_name", v.display_name}};
}

void from_json(const json& j, hosted_service& v) {
  v.name = required<std::string>(j, "name");
  v.display_name = required<std::string>(j, "display_name");
}

void to_json(json& j, const port_owner& v) {
  j = {{"pid", v.pid},
       {"name", v.name},
       {"cmdline", v.cmdline},
       {"unit", v.unit},
       {"container", v.container},
       {"addresses", v.addresses},
       {"image_path", v.image_path},
       {"access_denied", v.access_denied},
       {"services", v.services},
       {"urls", v.urls}};
}

void from_json(const json& j, port_owner& v) {
  v.pid = required<int>(j, "pid");
  v.name = required<std::string>(j, "name");
  v.cmdline = required<std::string>(j, "cmdline");
  v.unit = required<std::string>(j, "unit");
  v.container = required<std::string>(j, "container");
  v.addresses = required<std::vector<std::string>>(j, "addresses");
  v.image_path = optional<std::string>(j, "image_path").value_or("");
  v.access_denied = optional<bool>(j, "access_denied").value_or(false);
  v.services = optional<std::vector<hosted_service>>(j, "services").value_or(std::vector<hosted_service>{});
  v.urls = optional<std::vector<std::string>>(j, "urls").value_or(std::vector<std::string>{});
}

void to_json(json& j, const squatter_match& v) {
  j = {{"id", v.id}, {"description", v.description}, {"fix", v.fix}};
}

void to_json(json& j, const local_port_evidence& v) {
  j = {{"bind",
        {{"state", to_string(v.state)},
         {"owners", v.owners},
         {"held_in", nullptr},
         {"owners_hidden", v.owners_hidden},
         {"squatter", nullptr}}},
       {"portproxy", v.portproxy},
       {"excluded_range", nullptr},
       {"proxy_target_accepts", nullptr},
       {"missing", v.missing}};
  if (v.held_in != held_families::unknown) j["bind"]["held_in"] = to_string(v.held_in);
  if (v.squatter) j["bind"]["squatter"] = *v.squatter;
  if (v.excluded) j["excluded_range"] = *v.excluded;
  if (v.proxy_target_accepts) j["proxy_target_accepts"] = *v.proxy_target_accepts;
}

void to_json(json& j, const portproxy_rule& v) {
  j = {{"kind", v.kind},
       {"listen_address", v.listen_address},
       {"listen_port", v.listen_port},
       {"connect_address", v.connect_address},
       {"connect_port", v.connect_port}};
}

void to_json(json& j, const excluded_port_range& v) {
  j = {{"ip_version", v.ip_version}, {"first", v.first}, {"last", v.last}, {"administered", v.administered}};
}

void to_json(json& j, const missing_evidence& v) {
  j = {{"what", v.what}, {"why", v.why}};
}

void to_json(json& j, const host_firewall_evidence& v) {
  json profiles = json::array();
  for (const auto p : v.active_profiles) profiles.push_back(to_string(p));
  j = {{"available", v.available},
       {"unavailable_reason", v.unavailable_reason},
       {"active_profiles", profiles},
       {"network_name", v.network_name},
       {"decision", to_string(v.decision)},
       {"reason", to_string(v.reason)},
       {"rule", v.rule},
       {"detail", v.detail},
       {"logging_dropped", v.logging_dropped},
       {"log_path", v.log_path},
       {"log_shows_drop", nullptr},
       {"log_unavailable_reason", v.log_unavailable_reason}};
  if (v.log_shows_drop) j["log_shows_drop"] = *v.log_shows_drop;
}

void to_json(json& j, const icmp_info& v) {
  j = {{"type", v.type}, {"code", v.code}, {"from", v.from}};
}

void from_json(const json& j, icmp_info& v) {
  v.type = required<int>(j, "type");
  v.code = required<int>(j, "code");
  v.from = required<std::string>(j, "from");
}

void to_json(json& j, const connect_back_result& v) {
  j = {{"outcome", to_string(v.outcome)},
       {"dialed_address", v.dialed_address},
       {"port", v.port},
       {"source_port", v.source_port},
       {"connect_ms", v.connect_ms},
       {"total_ms", v.total_ms},
       {"attempts", v.attempts},
       {"banner", escape_bytes(v.banner)},
       {"silent", v.silent}};
  put_optional(j, "icmp", v.icmp);
  put_optional(j, "reply_ttl", v.reply_ttl);
  // Only the client's report says it; it is never read from a relay's frame.
  if (v.banner_skipped) j["banner_skipped"] = true;
}

void from_json(const json& j, connect_back_result& v) {
  v.outcome = enum_field<connect_outcome>(j, "outcome");
  v.dialed_address = required<std::string>(j, "dialed_address");
  v.port = required<std::uint16_t>(j, "port");
  v.source_port = required<std::uint16_t>(j, "source_port");
  v.connect_ms = required<double>(j, "connect_ms");
  v.total_ms = required<double>(j, "total_ms");
  v.attempts = required<int>(j, "attempts");
  v.banner = unescape_bytes(j.at("banner"));
  v.silent = required<bool>(j, "silent");
  v.icmp = optional<icmp_info>(j, "icmp");
  v.reply_ttl = optional<int>(j, "reply_ttl");
}

void to_json(json& j, const sweep_hop& v) {
  j = {{"ttl", v.ttl},
       {"reply", to_string(v.reply)},
       {"from", v.from},
       {"rtt_ms", v.rtt_ms},
       {"attempts", v.attempts}};
  put_optional(j, "icmp", v.icmp);
  put_optional(j, "reply_ttl", v.reply_ttl);
}

void from_json(const json& j, sweep_hop& v) {
  v.ttl = required<int>(j, "ttl");
  v.reply = enum_field<sweep_reply>(j, "reply");
  v.from = required<std::string>(j, "from");
  v.icmp = optional<icmp_info>(j, "icmp");
  v.reply_ttl = optional<int>(j, "reply_ttl");
  v.rtt_ms = required<double>(j, "rtt_ms");
  v.attempts = required<int>(j, "attempts");
}

void to_json(json& j, const ttl_sweep& v) {
  j = {{"hops", v.hops}, {"public_distance", nullptr}};
  if (v.public_distance) j["public_distance"] = *v.public_distance;
}

void from_json(const json& j, ttl_sweep& v) {
  v.hops = required<std::vector<sweep_hop>>(j, "hops");
  v.public_distance = optional<int>(j, "public_distance");
}

void to_json(json& j, const control_probe_result& v) {
  j = {{"port", v.port},
       {"outcome", to_string(v.outcome)},
       {"connect_ms", v.connect_ms},
       {"attempts", v.attempts}};
  put_optional(j, "icmp", v.icmp);
}

void from_json(const json& j, control_probe_result& v) {
  v.port = required<std::uint16_t>(j, "port");
  v.outcome = enum_field<connect_outcome>(j, "outcome");
  v.connect_ms = required<double>(j, "connect_ms");
  v.attempts = required<int>(j, "attempts");
  v.icmp = optional<icmp_info>(j, "icmp");
}

void to_json(json& j, const path_hop& v) {
  j = {{"ttl", v.ttl}, {"address", nullptr}, {"cls", to_string(v.cls)}, {"rtt_ms", v.rtt_ms}};
  if (v.address) j["address"] = *v.address;
}

void to_json(json& j, const path_evidence& v) {
  j = {{"hops", v.hops},
       {"reached_relay", v.reached_relay},
       {"source_address", v.source_address},
       {"default_gateway", nullptr},
       {"host_addresses", v.host_addresses}};
  if (v.default_gateway) j["default_gateway"] = *v.default_gateway;
}

void to_json(json& j, const capture_evidence& v) {
  j = {{"available", v.available},
       {"unavailable_reason", v.unavailable_reason},
       {"syn_seen", v.probe_seen},
       {"arrived_port", nullptr},
       {"answer", to_string(v.answer)},
       {"syn_count", v.probe_count}};
  if (v.arrived_port) j["arrived_port"] = *v.arrived_port;
}

}  // namespace reachback
