// SPDX-License-Identifier: MIT
#include "client/router/pcp.hpp"

#include <algorithm>

#include "client/platform/ip_literal.hpp"
#include "client/router/natpmp.hpp"
#include "common/address.hpp"
#include "common/big_endian.hpp"
#include "common/net_compat.hpp"

namespace reachback::router {

namespace {

using address_bytes = std::array<std::uint8_t, 16>;

// An IP literal as PCP's 16 bytes; IPv4 becomes ::ffff:a.b.c.d.
std::optional<address_bytes> address_field(std::string_view text) {
  const auto ip = client::platform::parse_ip(text);
  if (!ip) return std::nullopt;
  address_bytes out{};
  if (ip->family == AF_INET) {
    std::copy(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), out.begin());
    std::copy_n(ip->bytes.begin(), 4, out.begin() + 12);
  } else {
    out = ip->bytes;
  }
  return out;
}

bool is_v4_mapped(std::span<const std::uint8_t, 16> bytes) {
  return std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), bytes.begin());
}

std::string address_text(std::span<const std::uint8_t> bytes16) {
  const auto bytes = bytes16.first<16>();
  if (is_v4_mapped(bytes)) {
    return std::to_string(bytes[12]) + "." + std::to_string(bytes[13]) + "." +
           std::to_string(bytes[14]) + "." + std::to_string(bytes[15]);
  }
  const auto ip = client::platform::ip_from_bytes(AF_INET6, bytes);
  return ip ? client::platform::to_string(*ip) : std::string();
}

// The 24-byte request header: version, opcode, reserved, lifetime, client address.
void write_header(std::span<std::uint8_t, pcp_header_size> out, pcp_opcode opcode, std::uint32_t lifetime,
                  const address_bytes& client) {
  out[0] = pcp_version;
  out[1] = static_cast<std::uint8_t>(opcode);
  write_be32(out, 4, lifetime);
  std::copy(client.begin(), client.end(), out.begin() + 8);
}

}  // namespace

std::optional<std::array<std::uint8_t, pcp_header_size>> pcp_announce_request(
    std::string_view client_address) {
  const auto client = address_field(client_address);
  if (!client) return std::nullopt;
  std::array<std::uint8_t, pcp_header_size> request{};
  write_header(request, pcp_opcode::announce, 0, *client);
  return request;
}

std::optional<std::array<std::uint8_t, pcp_map_message_size>> pcp_map_request(
    const pcp_map_request_args& args) {
  const auto client = address_field(args.client_address);
  if (!client) return std::nullopt;
  address_bytes external{};
  if (args.suggested_external_address.empty()) {
    if (is_v4_mapped(*client)) std::copy(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), external.begin());
  } else {
    const auto suggested = address_field(args.suggested_external_address);
    if (!suggested) return std::nullopt;
    external = *suggested;
  }
  std::array<std::uint8_t, pcp_map_message_size> request{};
  const std::span<std::uint8_t, pcp_map_message_size> whole(request);
  write_header(whole.first<pcp_header_size>(), pcp_opcode::map, args.lifetime_seconds, *client);
  const auto map = whole.subspan<pcp_header_size>();
  std::copy(args.nonce.begin(), args.nonce.end(), map.begin());
  map[12] = args.protocol;
  write_be16(map, 16, args.internal_port);
  write_be16(map, 18, args.suggested_external_port);
  std::copy(external.begin(), external.end(), map.begin() + 20);
  return request;
}

std::optional<pcp_response> parse_pcp_response(std::span<const std::uint8_t> datagram) {
  if (datagram.size() < pcp_header_size || datagram.size() > max_pcp_message) return std::nullopt;
  if (datagram[0] == 0 || (datagram[1] & natpmp_response_bit) == 0) return std::nullopt;
  pcp_response response;
  response.version = datagram[0];
  response.opcode = static_cast<std::uint8_t>(datagram[1] & ~natpmp_response_bit);
  response.result_code = datagram[3];
  response.lifetime_seconds = read_be32(datagram, 4);
  response.epoch_seconds = read_be32(datagram, 8);
  if (response.version == pcp_version && response.opcode == static_cast<std::uint8_t>(pcp_opcode::map) &&
      datagram.size() >= pcp_map_message_size) {
    const auto map = datagram.subspan(pcp_header_size);
    pcp_map_fields fields;
    std::copy_n(map.begin(), fields.nonce.size(), fields.nonce.begin());
    fields.protocol = map[12];
    fields.internal_port = read_be16(map, 16);
    fields.external_port = read_be16(map, 18);
    fields.external_address = address_text(map.subspan(20, 16));
    response.map = std::move(fields);
  }
  return response;
}

bool is_natpmp_answer(std::span<const std::uint8_t> datagram) noexcept {
  return datagram.size() >= 4 && datagram[0] == 0 && (datagram[1] & natpmp_response_bit) != 0;
}

std::string pcp_result_name(std::uint8_t code) {
  switch (static_cast<pcp_result>(code)) {
    case pcp_result::success: return "SUCCESS";
    case pcp_result::unsupp_version: return "UNSUPP_VERSION";
    case pcp_result::not_authorized: return "NOT_AUTHORIZED";
    case pcp_result::malformed_request: return "MALFORMED_REQUEST";
    case pcp_result::unsupp_opcode: return "UNSUPP_OPCODE";
    case pcp_result::unsupp_option: return "UNSUPP_OPTION";
    case pcp_result::malformed_option: return "MALFORMED_OPTION";
    case pcp_result::network_failure: return "NETWORK_FAILURE";
    case pcp_result::no_resources: return "NO_RESOURCES";
    case pcp_result::unsupp_protocol: return "UNSUPP_PROTOCOL";
    case pcp_result::user_ex_quota: return "USER_EX_QUOTA";
    case pcp_result::cannot_provide_external: return "CANNOT_PROVIDE_EXTERNAL";
    case pcp_result::address_mismatch: return "ADDRESS_MISMATCH";
    case pcp_result::excessive_remote_peers: return "EXCESSIVE_REMOTE_PEERS";
  }
  return "result " + std::to_string(code);
}

}  // namespace reachback::router
