// SPDX-License-Identifier: MIT
// Firewall log fuzz target: the pfirewall.log reader must never crash, and a
// fresh header plus the relay's DROP after any input must always be found.
// Built for libFuzzer with clang, and driven by fuzz_replay.cpp otherwise.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "client/platform/firewall_log.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace reachback::client::platform;

constexpr std::string_view fields =
    "#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack "
    "tcpwin icmptype icmpcode info path\r\n";
constexpr std::string_view drop =
    "2026-12-01 10:00:00 DROP TCP 203.0.113.7 192.168.1.20 40000 3000 60 S 1234 0 64240 - - - RECEIVE\r\n";

[[noreturn]] void fail(const char* what, std::string_view input) {
  reachback::fuzz::fail("firewall_log_fuzz", what, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The parser reads chars; the fuzzer hands out bytes of the same size.
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static_cast<void>(log_shows_drop(input, "203.0.113.7", 3000));
  static_cast<void>(log_shows_drop(input, "2001:db8::7", 443));
  static_cast<void>(log_shows_drop(input, "", 0));
  static_cast<void>(parse_log_fields(input));
  static_cast<void>(parse_log_line(input, firewall_log_columns{}));
  if (const auto columns = parse_log_fields(input)) static_cast<void>(parse_log_line(input, *columns));
  const std::string appended = std::string(input) + "\n" + std::string(fields) + std::string(drop);
  if (!log_shows_drop(appended, "203.0.113.7", 3000)) fail("a fresh header and drop were missed", input);
  return 0;
}
