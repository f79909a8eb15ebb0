// SPDX-License-Identifier: MIT
#include "verdict.hpp"

namespace reachback {

std::string_view to_string(cause c) noexcept {
  switch (c) {
    case cause::reachable: return "reachable";
    case cause::bind_conflict: return "bind_conflict";
    case cause::forbidden_port: return "forbidden_port";
    case cause::loopback_only: return "loopback_only";
    case cause::wrong_family: return "wrong_family";
    case cause::no_listener: return "no_listener";
    case cause::host_firewall: return "host_firewall";
    case cause::nat_no_forward: return "nat_no_forward";
    case cause::nat_wrong_target: return "nat_wrong_target";
    case cause::router_firewall: return "router_firewall";
    case cause::filtered: return "filtered";
    case cause::cgnat: return "cgnat";
    case cause::inconclusive: return "inconclusive";
  }
  return "inconclusive";
}

std::string_view to_string(hop_role r) noexcept {
  switch (r) {
    case hop_role::internet: return "internet";
    case hop_role::nat: return "nat";
    case hop_role::router: return "router";
    case hop_role::host: return "host";
  }
  return "host";
}

std::string_view to_string(hop_status s) noexcept {
  switch (s) {
    case hop_status::pass: return "pass";
    case hop_status::blocked: return "blocked";
    case hop_status::not_reached: return "not_reached";
    case hop_status::unknown: return "unknown";
  }
  return "unknown";
}

}  // namespace reachback
