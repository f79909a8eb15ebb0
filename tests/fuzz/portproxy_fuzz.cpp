// SPDX-License-Identifier: MIT
// portproxy fuzz target. The input is "KIND\nVALUE NAME\nVALUE DATA". The
// parser must never crash; a rule it accepts must parse again the same from
// its own fields, and its delete command must be one plain netsh command.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/platform/portproxy.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::client::platform;

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("portproxy_fuzz", what, input);
}

// Splits off the text up to the next '\n' (or the rest).
std::string_view take_line(std::string_view& rest) {
  const auto end = std::min(rest.find('\n'), rest.size());
  const auto line = rest.substr(0, end);
  rest.remove_prefix(std::min(end + 1, rest.size()));
  return line;
}

void check_rule(const reachback::portproxy_rule& rule, std::string_view kind,
                std::string_view input) {
  if (rule.kind != kind) fail("kind changed", input);
  if (rule.listen_port == 0 || rule.connect_port == 0) fail("port 0 accepted", input);
  const auto again = parse_portproxy_value(
      rule.kind, rule.listen_address + "/" + std::to_string(rule.listen_port),
      rule.connect_address + "/" + std::to_string(rule.connect_port));
  if (!again || !(*again == rule)) fail("rule did not parse again from its fields", input);
  if (rules_on_port({rule}, rule.listen_port).size() != 1) fail("rules_on_port lost it", input);

  const auto command = portproxy_delete_command(rule);
  const std::string expected = "netsh interface portproxy delete " + rule.kind +
                               " listenport=" + std::to_string(rule.listen_port) +
                               " listenaddress=" + rule.listen_address;
  if (command != expected) fail("delete command has another shape", input);
  // Seven words and nothing a shell would act on.
  if (std::count(command.begin(), command.end(), ' ') != 6) fail("extra word in command", input);
  if (command.find_first_of("&|<>^\"'`$;()\r\n\t") != std::string::npos) {
    fail("shell metacharacter in command", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The parser reads chars; the fuzzer hands out bytes of the same size.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto rest = input;
  const auto kind = take_line(rest);
  const auto name = take_line(rest);
  const auto value = rest;
  if (const auto rule = parse_portproxy_value(kind, name, value)) check_rule(*rule, kind, input);
  return 0;
}
