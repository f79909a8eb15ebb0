// SPDX-License-Identifier: MIT
#include "relay/proof.hpp"

#include "common/messages.hpp"

namespace reachback::relay {

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

std::string banner_of(std::string_view received) { return std::string(received.substr(0, max_banner)); }

}  // namespace reachback::relay
