// SPDX-License-Identifier: MIT
#pragma once
// Adds, reads and deletes one port mapping on one router: by UPnP IGD
// (AddPortMapping, GetSpecificPortMappingEntry, DeletePortMapping) or by
// NAT-PMP (a TCP map request, resent once). The I/O around the pure codecs
// of client/router/. Each call is bounded by its own deadline, blocks until
// done and never throws: a failure is one line, with the UPnP fault code and
// name or the NAT-PMP result.

#include <chrono>
#include <optional>
#include <string>

#include "client/fix_plan.hpp"
#include "common/evidence.hpp"

namespace reachback::client {

/// How long one UPnP exchange or one NAT-PMP request (with its resend) may take.
inline constexpr std::chrono::milliseconds mapper_deadline{4'000};

/// Why a mapping could not be made, read or removed: one line.
struct mapper_failure {
  std::string reason;  ///< "AddPortMapping: 718 ConflictInMappingEntry"
  int upnp_error = 0;  ///< the UPnP fault code, 0 for none
};

/// Makes `m`. For NAT-PMP, a router that maps another external port than
/// the one asked gets that mapping deleted again, and this fails.
[[nodiscard]] std::optional<mapper_failure> add_mapping(const mapping_spec& m);

/// Removes `m`: UPnP DeletePortMapping, or a NAT-PMP map request with
/// lifetime 0 (which removes the mapping of the request's source).
[[nodiscard]] std::optional<mapper_failure> delete_mapping(const mapping_spec& m);

/// What a UPnP router lists for `m`'s external port and protocol.
struct listed_entry {
  /// The entry, or nullopt when the router has none (714 NoSuchEntryInArray).
  std::optional<port_mapping> entry;
  /// Set when the router could not be asked or gave another fault.
  std::optional<mapper_failure> failure;
};

/// Reads `m`'s entry with GetSpecificPortMappingEntry (UPnP only).
[[nodiscard]] listed_entry read_mapping(const mapping_spec& m);

/// The entry points where `m` maps: same internal client and port.
[[nodiscard]] bool points_as_recorded(const port_mapping& entry, const mapping_spec& m);

}  // namespace reachback::client
