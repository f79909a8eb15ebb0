// SPDX-License-Identifier: MIT
#include "client/settle_connect_back.hpp"

namespace reachback::client {

bool answer_worth_waiting_for(const handshake_news& news) {
  if (!news.capture.available) return true;
  if (news.holder_in_the_way) return false;
  return news.capture.probe_seen && news.capture.arrived_port == news.port;
}

connect_back_result settle_connect_back(const connect_back_news& news) {
  if (news.reported.outcome != connect_outcome::connected) return news.reported;
  if (!news.answer_awaited) {
    auto settled = news.reported;
    settled.outcome = connect_outcome::foreign;
    settled.banner_skipped = true;
    return settled;
  }
  auto settled = news.answer.value_or(news.reported);
  if (news.agent_greeted) {
    settled.outcome = connect_outcome::verified;
    settled.banner.clear();
    settled.silent = false;
  } else if (!news.answer) {
    settled.outcome = connect_outcome::foreign;
    settled.silent = true;
  }
  if (!news.answer) settled.total_ms = news.reported.total_ms + news.waited_ms;
  return settled;
}

}  // namespace reachback::client
