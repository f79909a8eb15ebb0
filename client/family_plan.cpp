// SPDX-License-Identifier: MIT
#include "family_plan.hpp"

#include <optional>

#include "common/address.hpp"

namespace reachback::client {
namespace {

std::optional<ip_family> family_of(const std::string& address) {
  const auto plain = unmap_v4(address);
  if (plain.find(':') != std::string::npos) return ip_family::ipv6;
  if (plain.find('.') != std::string::npos) return ip_family::ipv4;
  return std::nullopt;
}

bool wanted(family_choice choice, ip_family f) {
  switch (choice) {
    case family_choice::both: return true;
    case family_choice::ipv4_only: return f == ip_family::ipv4;
    case family_choice::ipv6_only: return f == ip_family::ipv6;
  }
  return false;
}

/// The relay's first address in `f`, as it would be dialled.
std::optional<std::string> first_address(const std::vector<std::string>& relay_addresses, ip_family f) {
  for (const auto& a : relay_addresses)
    if (family_of(a) == f) return unmap_v4(a);
  return std::nullopt;
}

/// Why `f` cannot be tested through `relay`, or nullopt when it can. IPv4
/// behind a NAT has a private source, and the NAT makes it reachable; an
/// IPv6 source must be global itself, since nothing translates it, unless
/// the relay is not on the internet either (on loopback or in the LAN).
std::optional<std::string> cannot_test(ip_family f, const std::optional<std::string>& relay,
                                       const std::string& relay_name, const source_lookup& source_toward) {
  if (!relay) return "the relay " + relay_name + " has no " + family_name(f) + " address";
  const auto source = source_toward(*relay);
  if (source.empty()) return "this host has no " + family_name(f) + " route to the relay";
  const bool internet_relay = classify_address(*relay) == address_class::public_net;
  if (f == ip_family::ipv6 && internet_relay && classify_address(source) != address_class::public_net)
    return "this host has no global IPv6 address (its address toward the relay is " + source + ")";
  return std::nullopt;
}

}  // namespace

std::string family_name(ip_family f) { return f == ip_family::ipv4 ? "IPv4" : "IPv6"; }

std::variant<family_plan, family_refusal> plan_families(family_choice choice,
                                                       const std::vector<std::string>& relay_addresses,
                                                       const std::string& relay_name,
                                                       const source_lookup& source_toward) {
  family_plan plan;
  for (const auto f : {ip_family::ipv4, ip_family::ipv6}) {
    if (!wanted(choice, f)) continue;
    const auto relay = first_address(relay_addresses, f);
    if (auto why = cannot_test(f, relay, relay_name, source_toward)) {
      plan.skipped.push_back({f, std::move(*why)});
      continue;
    }
    plan.targets.push_back({f, *relay});
  }
  if (!plan.targets.empty()) return plan;
  std::string message;
  for (const auto& s : plan.skipped) message += (message.empty() ? "" : "; ") + s.why;
  return family_refusal{"cannot test any IP family: " + message};
}

}  // namespace reachback::client
