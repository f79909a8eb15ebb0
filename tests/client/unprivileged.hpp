// SPDX-License-Identifier: MIT
#pragma once
// Runs a piece of a test as an unprivileged user (nobody) in a forked child,
// to see what probe-client sees when it is not root.

#include <functional>
#include <optional>
#include <string>

namespace reachback::client::test {

/// Forks, drops to uid/gid 65534 with no capabilities, runs `body` and
/// returns its text; nullopt if the child failed or took over five seconds.
/// The child touches no gtest state; the caller asserts on the text.
[[nodiscard]] std::optional<std::string> run_unprivileged(const std::function<std::string()>& body);

}  // namespace reachback::client::test
