// SPDX-License-Identifier: MIT
#pragma once
// Adds, reads and deletes one port mapping on one router: by UPnP IGD
// (AddPortMapping, GetSpecificPortMappingEntry, DeletePortMapping; for an
// IPv6 pinhole WANIPv6FirewallControl's AddPinhole and DeletePinhole), by
// NAT-PMP (a map request of the mapping's protocol) or by PCP (a MAP request
// with the mapping's protocol and nonce), each datagram resent once. The I/O around the pure codecs of
// client/router/. Each call is bounded by its own deadline, blocks until
// done and never throws: a failure is one line, with the UPnP fault code and
// name or the NAT-PMP or PCP result.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "client/fix_plan.hpp"
#include "client/router/pcp.hpp"
#include "common/evidence.hpp"

namespace reachback::client {

/// How long one UPnP exchange or one NAT-PMP or PCP request (with its resend) may take.
inline constexpr std::chrono::milliseconds mapper_deadline{4'000};

/// Why a mapping could not be made, read or removed: one line.
struct mapper_failure {
  std::string reason;  ///< "AddPortMapping: 718 ConflictInMappingEntry"
  int upnp_error = 0;  ///< the UPnP fault code, 0 for none
};

/// What adding a mapping came to.
struct add_outcome {
  /// Set when the mapping was not made.
  std::optional<mapper_failure> failure;
  /// PCP: the external address the router's answer assigns, its own word on
  /// its external address; "" for UPnP and NAT-PMP, whose answers carry none.
  std::string external_address;
  /// A pinhole's UniqueID, from the router's AddPinhole answer.
  std::optional<std::uint16_t> pinhole_id;
};

/// Asks the router of pinhole step `m` (its IPv6 address) for its pinhole
/// service, and that service for GetFirewallStatus, from
/// `m.internal_client`. Read-only.
[[nodiscard]] pinhole_offer find_pinhole_offer(const mapping_spec& m);

/// Makes `m`. For NAT-PMP and PCP, a router that maps another external port
/// than the one asked gets that mapping deleted again, and this fails. A PCP
/// request, and a pinhole's AddPinhole, is sent from `m.internal_client`,
/// the address it opens the port to: routers check that it asks for itself.
/// Adding a pinhole that is there already renews it, under the same id.
[[nodiscard]] add_outcome add_mapping(const mapping_spec& m);

/// Removes `m`: UPnP DeletePortMapping, a NAT-PMP map request with lifetime
/// 0 (which removes the mapping of the request's source), or a PCP MAP with
/// lifetime 0 and `m.nonce` (which removes only the mapping made with it),
/// or DeletePinhole of `m.pinhole_id` from `m.internal_client`: a router
/// answers 704 NoSuchEntry when it is gone, 606 ActionNotAuthorized when the
/// id is now another host's.
[[nodiscard]] std::optional<mapper_failure> delete_mapping(const mapping_spec& m);

/// A fresh random nonce for a PCP mapping.
[[nodiscard]] router::pcp_nonce random_pcp_nonce();

/// Whether `answer` answers a PCP MAP request for `m` (its protocol, internal
/// port and nonce): a MAP answer that carries them back (an error answer does
/// too), or an error answer too short or too old to carry them. Anything
/// else is not the answer, and is ignored.
[[nodiscard]] bool answers_pcp_map(const router::pcp_response& answer, const mapping_spec& m);

/// What a UPnP router lists for `m`'s external port and protocol.
struct listed_entry {
  /// The entry, or nullopt when the router has none (714 NoSuchEntryInArray).
  std::optional<port_mapping> entry;
  /// Set when the router could not be asked or gave another fault.
  std::optional<mapper_failure> failure;
};

/// Reads `m`'s entry with GetSpecificPortMappingEntry (UPnP only). An entry
/// of another protocol than `m`'s is a failure: the router ignored the question.
[[nodiscard]] listed_entry read_mapping(const mapping_spec& m);

/// The entry points where `m` maps: same internal client and port.
[[nodiscard]] bool points_as_recorded(const port_mapping& entry, const mapping_spec& m);

}  // namespace reachback::client
