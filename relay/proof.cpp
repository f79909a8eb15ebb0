// SPDX-License-Identifier: MIT
#include "relay/proof.hpp"

#include <array>

#include "common/messages.hpp"

namespace reachback::relay {
namespace {

bool is_kept_as_is(unsigned char c) noexcept {
  return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t';
}

}  // namespace

reply_judgement judge_reply(std::string_view received, std::string_view nonce, bool finished) {
  const auto prefix = protocol::proof_prefix;
  const bool has_proof = received.starts_with(prefix) &&
                         received.substr(prefix.size()).starts_with(nonce) &&
                         received.substr(prefix.size() + nonce.size()).starts_with('\n');
  if (has_proof) {
    return reply_judgement::verified;
  }
  if (finished || received.find('\n') != std::string_view::npos ||
      received.size() >= max_banner) {
    return reply_judgement::foreign;
  }
  return reply_judgement::need_more;
}

std::string printable_banner(std::string_view received) {
  static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
  std::string out;
  for (const char ch : received.substr(0, max_banner)) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_kept_as_is(c)) {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0x0f];
    }
  }
  return out;
}

}  // namespace reachback::relay
