// SPDX-License-Identifier: MIT
#pragma once
// probe-client's command line, merged with client.toml and the environment:
// defaults < file < environment < flags.

#include <chrono>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "client/family_plan.hpp"
#include "client/fix_plan.hpp"
#include "client/platform/user_dirs.hpp"
#include "common/address.hpp"
#include "common/evidence.hpp"

namespace reachback::client {

/// What the run does: diagnose, or diagnose and map the port (--fix), or
/// remove the mappings --fix made (--unfix).
enum class client_action { diagnose, fix, unfix };

struct client_options {
  client_action action = client_action::diagnose;
  host_port relay;  ///< where the relay listens; unset for --unfix
  std::uint16_t port = 0;
  /// The IP families to test (-4, -6; default both where both ends have them).
  family_choice families = family_choice::both;
  /// The relay address this run dials, one family's (family_plan.hpp); ""
  /// to resolve relay.host and take what answers first.
  std::string relay_address;
  /// --udp: probe a UDP port instead of a TCP one.
  transport protocol = transport::tcp;
  bool json = false;
  probe_mode mode = probe_mode::automatic;
  std::chrono::milliseconds timeout{10'000};
  std::optional<std::string> token;
  /// Ask the routers on the path about themselves and the port (not --no-routers).
  bool ask_routers = true;
  /// --yes: apply the fix without asking.
  bool assume_yes = false;
  /// --lease: how long --fix's mappings last, in seconds; 0 is permanent.
  std::uint32_t lease_seconds = default_lease_seconds;
};

using platform::env_lookup;
using platform::process_env;

/// Options to run with, or the exit code to leave with (help, version and
/// errors are already printed: errors as one line on `err`).
struct parsed_options {
  std::optional<client_options> options;
  int exit_code = 0;
};

[[nodiscard]] parsed_options parse_options(int argc, const char* const* argv, std::ostream& out,
                                           std::ostream& err, const env_lookup& env = process_env);

}  // namespace reachback::client
