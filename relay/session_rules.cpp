// SPDX-License-Identifier: MIT
#include "relay/session_rules.hpp"

#include <algorithm>
#include <array>
#include <variant>

#include "common/codec.hpp"
#include "common/protocol_error.hpp"
#include "relay/listen_address.hpp"
#include "version.hpp"

namespace reachback::relay {
namespace {

// Compares in time that depends only on the lengths, so the answer time
// does not tell an attacker how much of a guessed token was right.
bool same_token(std::string_view given, std::string_view expected) noexcept {
  if (given.size() != expected.size()) {
    return false;
  }
  unsigned difference = 0;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned>(static_cast<unsigned char>(given[i]) ^
                                        static_cast<unsigned char>(expected[i]));
  }
  return difference == 0;
}

}  // namespace

protocol::error bad_request(std::string text) {
  return {protocol::wire_error::bad_request, std::move(text)};
}

protocol::error error_for_decode_failure(std::error_code ec, std::span<const char> received,
                                         std::size_t payload_limit) {
  using protocol::errc;
  if (ec == errc::unsupported_version) {
    const auto got = protocol::peek_version(received);
    return {protocol::wire_error::unsupported_version,
            "relay speaks protocol " + std::to_string(protocol::version) + ", got " +
                (got ? std::to_string(*got) : std::string("another"))};
  }
  if (ec == errc::frame_too_large) {
    const bool before_welcome = payload_limit < protocol::max_payload;
    return {protocol::wire_error::frame_too_large,
            "frame payloads are limited to " +
                std::to_string(std::min(payload_limit, protocol::max_payload)) + " bytes" +
                (before_welcome ? " before the welcome" : "")};
  }
  if (ec == errc::bad_magic) {
    return bad_request("not a reachback frame (expected \"RB\")");
  }
  return bad_request("undecodable frame: " + ec.message());
}

std::optional<protocol::error> check_hello(const protocol::hello& hello,
                                           const std::vector<std::string>& tokens) {
  if (tokens.empty()) {
    return std::nullopt;
  }
  if (!hello.token) {
    return protocol::error{protocol::wire_error::unauthorized, "this relay requires a token"};
  }
  bool accepted = false;
  for (const auto& token : tokens) {
    // No early exit: every token is compared on every attempt.
    accepted = same_token(*hello.token, token) || accepted;
  }
  if (accepted) {
    return std::nullopt;
  }
  return protocol::error{protocol::wire_error::unauthorized, "the token was not accepted"};
}

std::optional<protocol::error> check_probe_request(const protocol::probe_request& request) {
  if (request.protocol != protocol::protocol_tcp && request.protocol != protocol::protocol_udp) {
    return bad_request("only protocols \"tcp\" and \"udp\" are probed, not \"" +
                       request.protocol.substr(0, 16) + "\"");
  }
  if (request.port == 0) {
    return bad_request("the port must be 1..65535");
  }
  if (!protocol::valid_nonce(request.nonce)) {
    return bad_request("the nonce must be 32 lowercase hex digits");
  }
  return std::nullopt;
}

protocol::error reused_nonce(long long window_minutes) {
  return bad_request("this nonce was already probed with in the last " +
                     std::to_string(window_minutes) + " minutes; send a fresh one");
}

protocol::welcome make_welcome(const asio::ip::tcp::endpoint& peer,
                               std::optional<int> client_hops,
                               relay_capabilities capabilities) {
  protocol::welcome welcome;
  welcome.observed_address = address_text(peer.address());
  welcome.observed_port = peer.port();
  welcome.relay_version = std::string(project_version);
  welcome.capabilities.emplace_back(capability_connect_back);
  welcome.capabilities.emplace_back(capability_udp_probe);
  if (capabilities.ttl_sweep) {
    welcome.capabilities.emplace_back(capability_ttl_sweep);
  }
  if (capabilities.syn_ttl) {
    welcome.capabilities.emplace_back(capability_syn_ttl);
  }
  welcome.client_hops = client_hops;
  return welcome;
}

std::string_view message_name(const protocol::message& msg) noexcept {
  static constexpr std::array<std::string_view, std::variant_size_v<protocol::message>> names = {
      "hello", "welcome", "probe_request", "probe_result", "error", "probe_answer"};
  return names.at(msg.index());
}

std::string error_outcome(protocol::wire_error code) {
  return "error:" + std::string(protocol::to_string(code));
}

}  // namespace reachback::relay
