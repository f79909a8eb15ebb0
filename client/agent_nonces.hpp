// SPDX-License-Identifier: MIT
#pragma once
// The nonces probe-client's own listeners prove. IPv4 and IPv6 are tested
// at the same time, each through its own relay session with its own nonce,
// and the relay of each reaches the listener over that family.

#include <string>

#include "client/family_plan.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {

struct agent_nonces {
  std::string ipv4;
  std::string ipv6;

  /// One family's run: both families prove the same nonce.
  [[nodiscard]] static agent_nonces same(const std::string& nonce) { return {nonce, nonce}; }

  /// The family a peer reached the listener over: an IPv4-mapped address
  /// on the `[::]` socket is IPv4.
  [[nodiscard]] static ip_family family_of(const asio::ip::address& peer) {
    const bool v4 = peer.is_v4() || peer.to_v6().is_v4_mapped();
    return v4 ? ip_family::ipv4 : ip_family::ipv6;
  }

  /// The nonce a peer gets: its family's.
  [[nodiscard]] const std::string& for_peer(const asio::ip::address& peer) const {
    return family_of(peer) == ip_family::ipv4 ? ipv4 : ipv6;
  }
};

}  // namespace reachback::client
