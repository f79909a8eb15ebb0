// SPDX-License-Identifier: MIT
#pragma once
// Who answered the connect-back, from both ends: the relay reports the
// handshake at once (`connected`) and what the peer sent later; the agent
// knows it was reached when it reads the relay's greeting. The first of the
// two to arrive settles it. Pure.

#include <optional>

#include "common/evidence.hpp"

namespace reachback::client {

/// What the client learned about one connect-back.
struct connect_back_news {
  connect_back_result reported;               ///< the probe_result's
  std::optional<connect_back_result> answer;  ///< the probe_answer's, if in time
  bool agent_greeted = false;                 ///< the agent read the greeting
  double waited_ms = 0;                       ///< waited after `reported`
};

/// The connect-back as the verdict engine sees it. Only `connected` needs
/// settling: the greeting carries the nonce, so it proves our agent was
/// reached even when the relay's answer says otherwise or never came; a
/// peer whose answer did not come in time sent nothing while the client
/// waited, and total_ms says how long that was.
[[nodiscard]] connect_back_result settle_connect_back(const connect_back_news& news);

}  // namespace reachback::client
