// SPDX-License-Identifier: MIT
#include "codec.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <utility>
#include <variant>

#include "evidence_json.hpp"
#include "json_field.hpp"
#include "protocol_error.hpp"

namespace reachback::protocol {
namespace {

using json_field::optional;
using json_field::put_optional;
using json_field::required;
using nlohmann::json;

[[noreturn]] void reject(const json& j, const std::string& why) {
  throw json::type_error::create(302, why, &j);
}

std::string nonce_field(const json& j) {
  auto nonce = required<std::string>(j, "nonce");
  if (!valid_nonce(nonce)) reject(j, "nonce must be 32 lowercase hex digits");
  return nonce;
}

json to_payload(const hello& m) {
  json j = {{"client_version", m.client_version}};
  put_optional(j, "token", m.token);
  return j;
}

void from_payload(const json& j, hello& m) {
  m.client_version = required<std::string>(j, "client_version");
  m.token = optional<std::string>(j, "token");
}

json to_payload(const welcome& m) {
  json j = {{"observed_address", m.observed_address},
            {"observed_port", m.observed_port},
            {"relay_version", m.relay_version},
            {"capabilities", m.capabilities}};
  put_optional(j, "client_hops", m.client_hops);
  return j;
}

void from_payload(const json& j, welcome& m) {
  m.observed_address = required<std::string>(j, "observed_address");
  m.observed_port = required<std::uint16_t>(j, "observed_port");
  m.relay_version = required<std::string>(j, "relay_version");
  m.capabilities = required<std::vector<std::string>>(j, "capabilities");
  m.client_hops = optional<int>(j, "client_hops");
}

json to_payload(const probe_request& m) {
  return {{"protocol", m.protocol},
          {"port", m.port},
          {"nonce", m.nonce},
          {"sweep", m.sweep},
          {"greet", m.greet},
          {"early_result", m.early_result},
          {"control", m.control}};
}

void from_payload(const json& j, probe_request& m) {
  m.protocol = required<std::string>(j, "protocol");
  if (m.protocol != protocol_tcp && m.protocol != protocol_udp)
    reject(j, "protocol must be \"tcp\" or \"udp\"");
  m.port = required<std::uint16_t>(j, "port");
  if (m.port == 0) reject(j, "port must be 1..65535");
  m.nonce = nonce_field(j);
  m.sweep = required<bool>(j, "sweep");
  m.greet = optional<bool>(j, "greet").value_or(false);
  m.early_result = optional<bool>(j, "early_result").value_or(false);
  // Clients from before the control probe leave the field out: no probe.
  m.control = optional<bool>(j, "control").value_or(false);
}

json to_payload(const probe_result& m) {
  json j = {{"nonce", m.nonce}, {"connect_back", m.connect_back}};
  put_optional(j, "sweep", m.sweep);
  put_optional(j, "control", m.control);
  put_optional(j, "rtt_ms", m.rtt_ms);
  return j;
}

void from_payload(const json& j, probe_result& m) {
  m.nonce = nonce_field(j);
  m.connect_back = required<connect_back_result>(j, "connect_back");
  m.sweep = optional<ttl_sweep>(j, "sweep");
  m.control = optional<control_probe_result>(j, "control");
  if (m.control) {
    const auto o = m.control->outcome;
    if (o != connect_outcome::refused && o != connect_outcome::unreachable &&
        o != connect_outcome::timeout && o != connect_outcome::connected)
      reject(j, "a control probe is refused, unreachable, timeout or connected");
    if (m.control->port == 0) reject(j, "a control probe's port is 1..65535");
  }
  m.rtt_ms = optional<double>(j, "rtt_ms");
  if (m.rtt_ms && !(*m.rtt_ms >= 0)) reject(j, "rtt_ms must be a number >= 0");
}

json to_payload(const probe_answer& m) {
  return {{"nonce", m.nonce}, {"connect_back", m.connect_back}};
}

void from_payload(const json& j, probe_answer& m) {
  m.nonce = nonce_field(j);
  m.connect_back = required<connect_back_result>(j, "connect_back");
  if (m.connect_back.outcome != connect_outcome::verified &&
      m.connect_back.outcome != connect_outcome::foreign)
    reject(j, "a probe_answer is verified or foreign");
}

json to_payload(const error& m) { return {{"code", to_string(m.code)}, {"text", m.text}}; }

void from_payload(const json& j, error& m) {
  // A newer peer may send a code this build does not know; it still closes,
  // so keep its text rather than rejecting the frame.
  m.code = wire_error_from_string(required<std::string>(j, "code")).value_or(wire_error::internal);
  m.text = required<std::string>(j, "text");
}

template <class T>
message parse_as(const json& j) {
  T m;
  from_payload(j, m);
  return m;
}

// Wire type numbers are the variant index + 1 (PROTOCOL.md), so new message
// types are appended to the variant and existing numbers never move.
template <std::size_t... I>
constexpr auto make_parsers(std::index_sequence<I...>) {
  return std::array<message (*)(const json&), sizeof...(I)>{
      &parse_as<std::variant_alternative_t<I, message>>...};
}
constexpr auto parsers = make_parsers(std::make_index_sequence<std::variant_size_v<message>>{});

std::uint32_t read_u32_be(std::span<const char> b) noexcept {
  std::uint32_t v = 0;
  for (const char c : b.first(4)) v = v << 8 | static_cast<unsigned char>(c);
  return v;
}

void append_u32_be(std::string& out, std::size_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}

bool magic_matches(std::span<const char> bytes) noexcept {
  const auto n = std::min(bytes.size(), magic.size());
  return std::equal(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n), magic.begin());
}

// Whether the brackets outside strings nest deeper than max_json_depth.
// One pass over bytes, stopping at the first level too deep: nlohmann's
// parser recurses per level, so a 64 KiB "[[[[..." cost about 7 ms before
// it was refused. Malformed JSON passes here and fails in the parser.
bool nests_too_deep(std::span<const char> payload) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : payload) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_json_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

decode_result decode_frame(std::span<const char> bytes, std::size_t payload_limit) {
  if (!magic_matches(bytes)) return make_error_code(errc::bad_magic);
  if (bytes.size() < header_size) return need_more{};
  if (static_cast<std::uint8_t>(bytes[2]) != version)
    return make_error_code(errc::unsupported_version);
  const std::size_t length = read_u32_be(bytes.subspan(4));
  if (length > std::min(payload_limit, max_payload)) return make_error_code(errc::frame_too_large);
  const auto type = static_cast<std::uint8_t>(bytes[3]);
  if (type == 0 || type > parsers.size()) return make_error_code(errc::unknown_message_type);
  if (bytes.size() < header_size + length) return need_more{};

  const auto payload = bytes.subspan(header_size, length);
  if (nests_too_deep(payload)) return make_error_code(errc::malformed_payload);
  const auto j = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (!j.is_object()) return make_error_code(errc::malformed_payload);
  return decoded{parsers[type - 1](j), header_size + length};
}

}  // namespace

decode_result decode(std::span<const char> bytes, std::size_t payload_limit) noexcept {
  try {
    return decode_frame(bytes, payload_limit);
  } catch (...) {
    // from_json reports a missing field or a wrong type by throwing.
    return make_error_code(errc::malformed_payload);
  }
}

std::string encode(const message& msg) {
  const auto payload = std::visit([](const auto& m) { return to_payload(m); }, msg)
                           .dump(-1, ' ', false, json::error_handler_t::replace);
  if (payload.size() > max_payload) throw std::length_error("reachback frame over 64 KiB");
  std::string frame(magic.begin(), magic.end());
  frame += static_cast<char>(version);
  frame += static_cast<char>(msg.index() + 1);
  append_u32_be(frame, payload.size());
  return frame + payload;
}

bool valid_nonce(std::string_view nonce) noexcept {
  return nonce.size() == nonce_digits && std::all_of(nonce.begin(), nonce.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<std::uint8_t> peek_version(std::span<const char> bytes) noexcept {
  if (bytes.size() <= 2 || !magic_matches(bytes)) return std::nullopt;
  return static_cast<std::uint8_t>(bytes[2]);
}

}  // namespace reachback::protocol
