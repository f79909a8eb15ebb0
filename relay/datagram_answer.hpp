// SPDX-License-Identifier: MIT
#pragma once
// What a datagram that reached a UDP probe socket means: only one from the
// probed address and port answers the probe, and it is our agent when it
// carries the proof line for the nonce (relay/proof.hpp), anything else
// otherwise, such as an echo server returning the probe. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "common/asio_compat.hpp"

#include "common/evidence.hpp"

namespace reachback::relay {

/// The connect-back outcome a datagram from the target amounts to.
struct datagram_answer {
  connect_outcome outcome = connect_outcome::foreign;  ///< verified or foreign
  std::string banner;  ///< foreign: the first max_banner bytes, raw
  bool operator==(const datagram_answer&) const = default;
};

/// nullopt when `sender` is not `dialed` (another address, or another port
/// of it): such a datagram is ignored, never counted. Otherwise verified
/// when `payload` is the proof line for `nonce`, else foreign with its
/// first bytes as the banner.
[[nodiscard]] std::optional<datagram_answer> judge_datagram(const asio::ip::udp::endpoint& sender,
                                                            const asio::ip::udp::endpoint& dialed,
                                                            std::string_view payload,
                                                            std::string_view nonce);

}  // namespace reachback::relay
