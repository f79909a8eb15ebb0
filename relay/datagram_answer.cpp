// SPDX-License-Identifier: MIT
#include "relay/datagram_answer.hpp"

#include "relay/proof.hpp"

namespace reachback::relay {

std::optional<datagram_answer> judge_datagram(const asio::ip::udp::endpoint& sender,
                                              const asio::ip::udp::endpoint& dialed,
                                              std::string_view payload, std::string_view nonce) {
  if (sender != dialed) return std::nullopt;
  // A datagram is all the peer will say: judge it as a finished TCP reply.
  if (judge_reply(payload, nonce, true) == reply_judgement::verified) {
    return datagram_answer{.outcome = connect_outcome::verified, .banner = {}};
  }
  return datagram_answer{.outcome = connect_outcome::foreign, .banner = banner_of(payload)};
}

}  // namespace reachback::relay
