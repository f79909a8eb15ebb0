// SPDX-License-Identifier: MIT
#pragma once
// Which IP families a run tests, and through which relay address: IPv4, and
// IPv6 when both this host and the relay have a global IPv6 address (or one
// family, with -4 or -6). Pure: the caller resolves the relay and asks the
// routing table for this host's source address toward each relay address.

#include <functional>
#include <string>
#include <variant>
#include <vector>

namespace reachback::client {

/// -4, -6, or neither.
enum class family_choice { both, ipv4_only, ipv6_only };

enum class ip_family { ipv4, ipv6 };

/// "IPv4" or "IPv6", for reports and errors.
[[nodiscard]] std::string family_name(ip_family f);

/// One family to test, and the relay address its control connection goes to.
struct family_target {
  ip_family family = ip_family::ipv4;
  std::string relay_address;
  bool operator==(const family_target&) const = default;
};

/// A family the default run leaves out, and why ("the relay has no IPv6 address").
struct family_skipped {
  ip_family family = ip_family::ipv4;
  std::string why;
  bool operator==(const family_skipped&) const = default;
};

struct family_plan {
  std::vector<family_target> targets;  ///< IPv4 first
  std::vector<family_skipped> skipped;
  bool operator==(const family_plan&) const = default;
};

/// Why no family can be tested, as one line (exit code 3: the relay cannot
/// be reached over the family asked for).
struct family_refusal {
  std::string message;
};

/// This host's source address toward a relay address; "" when no route.
using source_lookup = std::function<std::string(const std::string& relay_address)>;

/// Plans the run from the relay's addresses (numeric, as resolved; IPv4-
/// mapped IPv6 counts as IPv4). A family is tested when the relay has an
/// address in it and this host a route to it from a global address: a
/// link-local or unique-local IPv6 source cannot be reached from the internet.
[[nodiscard]] std::variant<family_plan, family_refusal> plan_families(family_choice choice,
                                                                     const std::vector<std::string>& relay_addresses,
                                                                     const std::string& relay_name,
                                                                     const source_lookup& source_toward);

}  // namespace reachback::client
