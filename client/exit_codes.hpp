// SPDX-License-Identifier: MIT
#pragma once
// probe-client's documented exit codes (README "Exit codes").

namespace reachback::client {

enum exit_code : int {
  exit_reachable = 0,    ///< the port is reachable from the internet
  exit_unreachable = 1,  ///< not reachable; the report says where and why
  exit_usage = 2,        ///< bad flags, bad config
  exit_relay = 3,        ///< could not reach or talk to the relay
  exit_fix_refused = 4,  ///< --fix made no change: nothing a mapping fixes, a conflict, or declined
  exit_fix_failed = 5,   ///< --fix: a mapping failed (this run's are undone); --unfix: a removal failed
};

}  // namespace reachback::client
