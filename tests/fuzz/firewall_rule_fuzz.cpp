// SPDX-License-Identifier: MIT
// Firewall rule fuzz target: the LocalPorts and RemoteAddresses readers and
// the evaluator must never crash, and must keep their promises (a keyword
// never widens a port list, "*" admits everything, a decision and its
// reason agree). The input's lines are: local ports, remote addresses, the
// relay's address, the rule's program, the listening program.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/firewall_policy.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::client::platform;
using reachback::firewall_block_reason;
using reachback::firewall_decision;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("firewall_rule_fuzz", what, input);
}

std::vector<std::string> parts(std::string_view input) {
  std::vector<std::string> out;
  while (out.size() < 4) {
    const auto end = input.find('\n');
    out.emplace_back(input.substr(0, end));
    if (end == std::string_view::npos) {
      input = {};
    } else {
      input.remove_prefix(end + 1);
    }
  }
  out.emplace_back(input);
  return out;
}

void check_consistent(const firewall_result& result, std::string_view input) {
  const bool blocked = result.decision == firewall_decision::blocked;
  if (blocked != (result.reason != firewall_block_reason::none)) fail("decision and reason disagree", input);
  if (result.detail.empty()) fail("empty detail", input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The readers take chars; the fuzzer hands out bytes of the same size.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto p = parts(input);
  const auto& ports = p[0];
  const auto& addresses = p[1];
  const auto& remote = p[2];
  for (const std::uint16_t port : {std::uint16_t{0}, std::uint16_t{135}, std::uint16_t{3000},
                                   std::uint16_t{65535}}) {
    if (!ports_cover(ports + ",*", port)) fail("\"*\" did not cover a port", input);
    if (!ports_cover(ports, port) && ports_cover(ports + ",RPC", port)) fail("a keyword covered a port", input);
  }
  if (!addresses_admit(addresses + ",*", remote)) fail("\"*\" did not admit an address", input);
  const std::vector<std::pair<std::string, std::string>> none;
  if (!same_program(p[3], p[3], none)) fail("a path is not its own program", input);
  static_cast<void>(expand_path_variables(p[3], {{"SystemRoot", "C:\\Windows"}, {"", "%"}}));

  firewall_policy policy;
  policy.active_profiles = profile_bit_private | profile_bit_public;
  policy.path_variables = {{"SystemRoot", "C:\\Windows"}};
  firewall_rule allow_rule;
  allow_rule.name = "fuzz allow";
  allow_rule.protocol = protocol_tcp;
  allow_rule.local_ports = ports;
  allow_rule.remote_addresses = addresses;
  allow_rule.application = p[3];
  allow_rule.profiles = size % 8;
  policy.inbound_rules.push_back(allow_rule);
  firewall_rule block_rule = allow_rule;
  block_rule.name = "fuzz block";
  block_rule.action = firewall_action::block;
  block_rule.profiles = profile_bit_private;
  policy.inbound_rules.push_back(block_rule);
  check_consistent(evaluate_inbound(policy, 3000, p[4], remote), input);
  policy.public_profile.block_all_inbound = (size % 2) == 0;
  policy.private_profile.enabled = false;
  check_consistent(evaluate_inbound(policy, 3000, p[4], remote), input);
  return 0;
}
