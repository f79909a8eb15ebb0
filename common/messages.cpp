// SPDX-License-Identifier: MIT
#include "messages.hpp"

namespace reachback::protocol {

std::string proof_line(std::string_view nonce) {
  return std::string(proof_prefix) + std::string(nonce) + "\n";
}

std::string greeting_line(std::string_view nonce) {
  return std::string(greeting_prefix) + std::string(nonce) + "\r\n\r\n";
}

std::string udp_probe_line(std::string_view nonce) {
  return std::string(udp_probe_prefix) + std::string(nonce) + "\n";
}

std::string_view to_string(wire_error e) noexcept {
  switch (e) {
    case wire_error::unsupported_version: return "unsupported_version";
    case wire_error::unauthorized: return "unauthorized";
    case wire_error::rate_limited: return "rate_limited";
    case wire_error::too_many_sessions: return "too_many_sessions";
    case wire_error::bad_request: return "bad_request";
    case wire_error::frame_too_large: return "frame_too_large";
    case wire_error::idle_timeout: return "idle_timeout";
    case wire_error::internal: return "internal";
  }
  return {};
}

std::optional<wire_error> wire_error_from_string(std::string_view s) noexcept {
  // Enumerators are contiguous from 0; to_string gives "" past the last one.
  for (int i = 0;; ++i) {
    const auto e = static_cast<wire_error>(i);
    const auto name = to_string(e);
    if (name.empty()) return std::nullopt;
    if (name == s) return e;
  }
}

}  // namespace reachback::protocol
