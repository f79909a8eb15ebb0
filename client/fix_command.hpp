// SPDX-License-Identifier: MIT
#pragma once
// `probe-client --fix` and `--unfix`: the flow around the pure plan. --fix
// diagnoses every family the run tests, plans each (port mappings for
// IPv4, pinholes for an IPv6 router's firewall, whose routers it asks for
// their pinhole service first), prints exactly what it will change, asks
// (or takes --yes), then for each change, innermost first, records it in
// the state file and makes it; a failure undoes what this run made. Then it
// diagnoses again and prints the verdict before and after. --unfix removes
// the changes the state file records for the port, each only while it is
// still this host's.

#include <chrono>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <variant>

#include "client/fix_plan.hpp"
#include "client/options.hpp"
#include "client/port_mapper.hpp"
#include "client/probe_client.hpp"
#include "client/report.hpp"

namespace reachback::client {

/// Where --fix reads the user's answer.
struct fix_console {
  std::istream& in;
  /// The user can be asked: a terminal to read from and to write the question to.
  bool interactive = false;
};

/// What --fix and --unfix do to the world, injectable for tests.
struct fix_backend {
  std::function<std::variant<run_report, diagnosis_failure>()> diagnose;
  std::function<add_outcome(const mapping_spec&)> add;
  std::function<std::optional<mapper_failure>(const mapping_spec&)> remove;
  std::function<listed_entry(const mapping_spec&)> read;
  /// What a pinhole step's router offers (read-only).
  std::function<pinhole_offer(const mapping_spec&)> find_pinhole;
  std::function<std::chrono::system_clock::time_point()> now;
  /// A fresh nonce for each PCP mapping.
  std::function<router::pcp_nonce()> new_nonce;
  /// The state file; nullopt when the environment names no state directory.
  std::optional<std::filesystem::path> state_path;
};

/// The real thing: diagnose_run, port_mapper (and its random nonces), the
/// system clock and fix_state_path() of the process environment.
[[nodiscard]] fix_backend system_backend(const client_options& options, const output& io);

/// --fix; returns the exit code (exit_codes.hpp).
[[nodiscard]] int run_fix(const client_options& options, const output& io, const fix_console& console,
                          const fix_backend& backend);

/// --unfix; returns the exit code (exit_codes.hpp). Contacts no relay.
[[nodiscard]] int run_unfix(const client_options& options, const output& io, const fix_backend& backend);

}  // namespace reachback::client
