// SPDX-License-Identifier: MIT
#pragma once
// Who answered the connect-back, from both ends: the relay reports the
// handshake at once (`connected`) and what the peer sent later; the agent
// knows it was reached when it reads the relay's greeting. The first of the
// two to arrive settles it, unless the capture already has. Pure.

#include <cstdint>
#include <optional>

#include "common/evidence.hpp"

namespace reachback::client {

/// What the client knows the moment the relay reports `connected`.
struct handshake_news {
  std::uint16_t port = 0;
  /// A squatter or another program holds the port (verdict_engine.hpp).
  bool holder_in_the_way = false;
  capture_evidence capture;  ///< what the capture has seen so far
};

/// Whether to wait, up to 1.5 round trips, for the agent's greeting or the
/// relay's answer. Only while the peer may be our agent, which the greeting
/// or the proof tells, or the user's own server, whose first words are what
/// the internet sees of it; and always without a capture, the only other
/// way to tell. Otherwise the capture has shown the SYN went to another
/// device or port, or the local check has already named the program in the
/// way: the peer's banner could only add its name, a round trip later.
[[nodiscard]] bool answer_worth_waiting_for(const handshake_news& news);

/// What the client learned about one connect-back.
struct connect_back_news {
  connect_back_result reported;               ///< the probe_result's
  std::optional<connect_back_result> answer;  ///< the probe_answer's, if in time
  bool agent_greeted = false;                 ///< the agent read the greeting
  bool answer_awaited = true;                 ///< see answer_worth_waiting_for
  double waited_ms = 0;                       ///< waited after `reported`
};

/// The connect-back as the verdict engine sees it. Only `connected` needs
/// settling: the greeting carries the nonce, so it proves our agent was
/// reached even when the relay's answer says otherwise or never came; a
/// peer whose answer did not come in time sent nothing while the client
/// waited, and total_ms says how long that was. A peer not waited for is
/// foreign, neither silent nor with a banner: banner_skipped.
[[nodiscard]] connect_back_result settle_connect_back(const connect_back_news& news);

}  // namespace reachback::client
