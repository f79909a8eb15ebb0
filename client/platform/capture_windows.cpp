// SPDX-License-Identifier: MIT
#include "client/platform/capture.hpp"

namespace reachback::client::platform {

namespace {

// Windows has no AF_PACKET. Seeing packets that Windows Defender Firewall
// drops would take a capture driver (Npcap, pktmon) and administrator
// rights, which a downloaded .exe must not ask for; the firewall's own
// rules and log answer the question instead.
constexpr std::string_view no_capture_on_windows =
    "Windows has no packet capture for programs like this one; the host-firewall verdict rests "
    "on the relay's evidence, Windows Defender Firewall's rules and its log";

capture_evidence unavailable() {
  capture_evidence evidence;
  evidence.unavailable_reason = std::string(no_capture_on_windows);
  return evidence;
}

}  // namespace

// Nothing to hold: every call answers the same constant, so any thread may
// ask at any time.
struct packet_capture::state {};

packet_capture::packet_capture() : state_(std::make_unique<state>()) {}

packet_capture::~packet_capture() = default;

void packet_capture::start(const std::string& /*relay_address*/, transport /*protocol*/) {}

capture_evidence packet_capture::peek(std::uint16_t /*expected_port*/) { return unavailable(); }

capture_evidence packet_capture::finish(std::uint16_t /*expected_port*/) { return unavailable(); }

}  // namespace reachback::client::platform
