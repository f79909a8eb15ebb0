// SPDX-License-Identifier: MIT
#include "client/router/natpmp.hpp"

#include "common/big_endian.hpp"

namespace reachback::router {

namespace {

constexpr std::size_t header_size = 8;  // version, opcode, result code, epoch

}  // namespace

std::array<std::uint8_t, 2> natpmp_external_address_request() noexcept { return {0, 0}; }

std::array<std::uint8_t, 12> natpmp_map_request(natpmp_protocol protocol, std::uint16_t internal_port,
                                                std::uint16_t suggested_external_port,
                                                std::uint32_t lifetime_seconds) noexcept {
  std::array<std::uint8_t, 12> request{};
  request[1] = static_cast<std::uint8_t>(protocol);
  write_be16(request, 4, internal_port);
  write_be16(request, 6, suggested_external_port);
  write_be32(request, 8, lifetime_seconds);
  return request;
}

std::optional<natpmp_external_address_response> parse_natpmp_external_address_response(
    std::span<const std::uint8_t> datagram) {
  if (datagram.size() < header_size || datagram[0] != 0 || datagram[1] != natpmp_response_bit)
    return std::nullopt;
  natpmp_external_address_response response;
  response.result_code = read_be16(datagram, 2);
  response.epoch_seconds = read_be32(datagram, 4);
  if (response.result_code != 0) return response;
  if (datagram.size() < 12) return std::nullopt;
  response.external_address = std::to_string(datagram[8]) + "." + std::to_string(datagram[9]) + "." +
                              std::to_string(datagram[10]) + "." + std::to_string(datagram[11]);
  return response;
}

std::optional<natpmp_map_response> parse_natpmp_map_response(std::span<const std::uint8_t> datagram) {
  if (datagram.size() < header_size || datagram[0] != 0) return std::nullopt;
  natpmp_map_response response;
  if (datagram[1] == natpmp_response_bit + 1) response.protocol = natpmp_protocol::udp;
  else if (datagram[1] == natpmp_response_bit + 2) response.protocol = natpmp_protocol::tcp;
  else return std::nullopt;
  response.result_code = read_be16(datagram, 2);
  response.epoch_seconds = read_be32(datagram, 4);
  if (response.result_code != 0) return response;
  if (datagram.size() < 16) return std::nullopt;
  response.internal_port = read_be16(datagram, 8);
  response.external_port = read_be16(datagram, 10);
  response.lifetime_seconds = read_be32(datagram, 12);
  return response;
}

std::string natpmp_result_name(std::uint16_t code) {
  switch (static_cast<natpmp_result>(code)) {
    case natpmp_result::success: return "SUCCESS";
    case natpmp_result::unsupported_version: return "UNSUPPORTED_VERSION";
    case natpmp_result::not_authorized: return "NOT_AUTHORIZED";
    case natpmp_result::network_failure: return "NETWORK_FAILURE";
    case natpmp_result::out_of_resources: return "OUT_OF_RESOURCES";
    case natpmp_result::unsupported_opcode: return "UNSUPPORTED_OPCODE";
  }
  return "result " + std::to_string(code);
}

}  // namespace reachback::router
