// SPDX-License-Identifier: MIT
#include "port_mapper.hpp"

#include <array>
#include <span>
#include <utility>
#include <variant>

#include "client/router/natpmp.hpp"
#include "client/upnp_client.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;
using clock = std::chrono::steady_clock;

// NAT-PMP asks once, then once more after the first wait (RFC 6886 3.1
// starts at 250 ms; a lab or a busy router may want longer).
constexpr std::chrono::milliseconds natpmp_first_wait{600};
constexpr std::chrono::milliseconds natpmp_second_wait{1'200};

/// Runs `work` on an io_context of its own until it is done.
template <typename T>
T run_blocking(asio::awaitable<T> work) {
  asio::io_context ctx{1};
  std::optional<T> result;
  asio::co_spawn(ctx, std::move(work), [&](std::exception_ptr e, T value) {
    if (e) std::rethrow_exception(e);
    result = std::move(value);
  });
  ctx.run();
  return std::move(*result);
}

std::string fault_text(const std::string& action, const router::soap_reply& reply) {
  auto name = router::upnp_error_name(reply.error_code);
  if (name.rfind("error ", 0) == 0 && !reply.error_description.empty()) name = reply.error_description;
  auto text = action + ": " + std::to_string(reply.error_code) + " " + name;
  if (reply.error_code == 725) text += " (the router takes only permanent mappings: --lease 0)";
  return text;
}

std::variant<router::igd_service, mapper_failure> service_of(const mapping_spec& m) {
  auto url = router::parse_http_url(m.control_url);
  if (!url) return mapper_failure{"not an http:// control URL: " + m.control_url};
  return router::igd_service{m.service_type, std::move(*url)};
}

/// One SOAP action on `m`'s router: nullopt when it succeeded, else why not.
asio::awaitable<std::variant<router::soap_reply, mapper_failure>> call(mapping_spec m, std::string action,
                                                                       soap_arguments arguments) {
  auto service = service_of(m);
  if (auto* failed = std::get_if<mapper_failure>(&service)) co_return std::move(*failed);
  auto got = co_await soap_call(std::get<router::igd_service>(service), action, std::move(arguments),
                                upnp_clock::now() + mapper_deadline);
  if (auto* failed = std::get_if<upnp_failure>(&got)) co_return mapper_failure{failed->reason};
  co_return std::move(std::get<router::soap_reply>(got));
}

std::optional<mapper_failure> upnp_action(const mapping_spec& m, const std::string& action, soap_arguments arguments) {
  auto got = run_blocking(call(m, action, std::move(arguments)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  const auto& reply = std::get<router::soap_reply>(got);
  if (reply.fault) return mapper_failure{fault_text(action, reply), reply.error_code};
  return std::nullopt;
}

asio::awaitable<void> until(clock::time_point t) {
  asio::steady_timer timer(co_await asio::this_coro::executor, t);
  co_await timer.async_wait(use_nothrow);
}

/// Sends a map request to the router's NAT-PMP port, resends it once, and
/// returns the first answer from the router's own address.
asio::awaitable<std::variant<router::natpmp_map_response, mapper_failure>> natpmp_exchange(
    std::string router_address, std::array<std::uint8_t, 12> request) {
  std::error_code ec;
  const auto address = asio::ip::make_address(router_address, ec);
  if (ec || !address.is_v4()) co_return mapper_failure{"NAT-PMP: not an IPv4 address: " + router_address};
  const udp::endpoint to(address, router::natpmp_port);
  udp::socket socket(co_await asio::this_coro::executor);
  socket.open(udp::v4(), ec);
  if (ec) co_return mapper_failure{"NAT-PMP: socket: " + ec.message()};
  for (const auto wait : {natpmp_first_wait, natpmp_second_wait}) {
    if (auto [e, n] = co_await socket.async_send_to(asio::buffer(request), to, use_nothrow); e)
      co_return mapper_failure{"NAT-PMP: send: " + e.message()};
    const auto deadline = clock::now() + wait;
    for (;;) {
      std::array<std::uint8_t, 64> answer{};
      udp::endpoint from;
      auto got = co_await (socket.async_receive_from(asio::buffer(answer), from, use_nothrow) || until(deadline));
      if (got.index() == 1) break;  // resend, or give up
      auto [e, n] = std::get<0>(got);
      if (e) {
        // An ICMP port unreachable from a router without NAT-PMP.
        if (e == asio::error::connection_refused) co_return mapper_failure{"NAT-PMP: the router refused (port 5351 closed)"};
        co_return mapper_failure{"NAT-PMP: receive: " + e.message()};
      }
      if (from.address() != address) continue;
      const auto parsed = router::parse_natpmp_map_response(std::span<const std::uint8_t>(answer.data(), n));
      if (parsed && parsed->protocol == router::natpmp_protocol::tcp) co_return *parsed;
    }
  }
  co_return mapper_failure{"NAT-PMP: no answer from " + router_address + " (asked twice)"};
}

std::variant<router::natpmp_map_response, mapper_failure> natpmp_map(const mapping_spec& m,
                                                                     std::uint16_t suggested_external,
                                                                     std::uint32_t lifetime) {
  const auto request = router::natpmp_map_request(router::natpmp_protocol::tcp, m.internal_port, suggested_external, lifetime);
  auto got = run_blocking(natpmp_exchange(m.router_address, request));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  const auto& answer = std::get<router::natpmp_map_response>(got);
  if (answer.result_code != 0)
    return mapper_failure{"NAT-PMP: " + router::natpmp_result_name(answer.result_code) + " (result " +
                          std::to_string(answer.result_code) + ")"};
  return answer;
}

std::optional<mapper_failure> natpmp_delete(const mapping_spec& m) {
  auto got = natpmp_map(m, 0, 0);
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  return std::nullopt;
}

std::optional<mapper_failure> natpmp_add(const mapping_spec& m) {
  auto got = natpmp_map(m, m.external_port, m.lease_seconds);
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  const auto& answer = std::get<router::natpmp_map_response>(got);
  if (answer.internal_port == m.internal_port && answer.external_port == m.external_port) return std::nullopt;
  // Another external port is no use, and not what the user agreed to.
  auto reason = "NAT-PMP: the router mapped external port " + std::to_string(answer.external_port) + " instead of " +
                std::to_string(m.external_port) + " (another host may hold it)";
  if (const auto undo = natpmp_delete(m)) reason += "; deleting that mapping failed too: " + undo->reason;
  else reason += "; that mapping is deleted again";
  return mapper_failure{reason};
}

}  // namespace

std::optional<mapper_failure> add_mapping(const mapping_spec& m) {
  if (m.method == map_method::natpmp) return natpmp_add(m);
  return upnp_action(m, "AddPortMapping",
                     {{"NewRemoteHost", ""},
                      {"NewExternalPort", std::to_string(m.external_port)},
                      {"NewProtocol", m.protocol},
                      {"NewInternalPort", std::to_string(m.internal_port)},
                      {"NewInternalClient", m.internal_client},
                      {"NewEnabled", "1"},
                      {"NewPortMappingDescription", "reachback"},
                      {"NewLeaseDuration", std::to_string(m.lease_seconds)}});
}

std::optional<mapper_failure> delete_mapping(const mapping_spec& m) {
  if (m.method == map_method::natpmp) return natpmp_delete(m);
  return upnp_action(m, "DeletePortMapping",
                     {{"NewRemoteHost", ""}, {"NewExternalPort", std::to_string(m.external_port)}, {"NewProtocol", m.protocol}});
}

listed_entry read_mapping(const mapping_spec& m) {
  // Named first: g++ 12 cannot take a braced list of pairs as a coroutine's argument.
  soap_arguments entry_of{
      {"NewRemoteHost", ""}, {"NewExternalPort", std::to_string(m.external_port)}, {"NewProtocol", m.protocol}};
  auto got = run_blocking(call(m, "GetSpecificPortMappingEntry", std::move(entry_of)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return {std::nullopt, std::move(*failed)};
  const auto& reply = std::get<router::soap_reply>(got);
  if (reply.fault) {
    if (reply.error_code == 714) return {};
    return {std::nullopt, mapper_failure{fault_text("GetSpecificPortMappingEntry", reply), reply.error_code}};
  }
  auto entry = router::mapping_from_reply(reply, m.external_port, m.protocol);
  if (!entry) return {std::nullopt, mapper_failure{"GetSpecificPortMappingEntry: an answer without the entry's target"}};
  return {std::move(entry), std::nullopt};
}

bool points_as_recorded(const port_mapping& entry, const mapping_spec& m) {
  return entry.internal_client == m.internal_client && entry.internal_port == m.internal_port;
}

}  // namespace reachback::client
