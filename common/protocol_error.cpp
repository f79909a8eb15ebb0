// SPDX-License-Identifier: MIT
#include "protocol_error.hpp"

#include <string>

namespace reachback::protocol {
namespace {

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "reachback.protocol"; }

  [[nodiscard]] std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::bad_magic: return "peer is not a reachback relay or client";
      case errc::unsupported_version: return "peer speaks another reachback protocol version";
      case errc::frame_too_large: return "frame payload is larger than 64 KiB";
      case errc::unknown_message_type: return "frame has an unknown message type";
      case errc::malformed_payload: return "frame payload is not the JSON object its type requires";
    }
    return "unknown reachback protocol error";
  }
};

}  // namespace

const std::error_category& protocol_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

}  // namespace reachback::protocol
