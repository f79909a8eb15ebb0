// SPDX-License-Identifier: MIT
#include "port_mapper.hpp"

#include <array>
#include <functional>
#include <random>
#include <span>
#include <utility>
#include <variant>
#include <vector>

#include "client/router/natpmp.hpp"
#include "client/router/pcp.hpp"
#include "client/router/pinhole.hpp"
#include "client/router/soap.hpp"
#include "client/upnp_client.hpp"
#include "common/asio_compat.hpp"

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;
using asio::ip::udp;
using clock = std::chrono::steady_clock;

// NAT-PMP and PCP ask once, then once more after the first wait. RFC 6886
// 3.1 starts at 250 ms and RFC 6887 8.1.1 at 3 s; a router on the LAN
// answers in milliseconds, a busy one may want longer than 250 ms, and both
// waits together stay within mapper_deadline.
constexpr std::chrono::milliseconds first_wait{600};
constexpr std::chrono::milliseconds second_wait{1'200};
static_assert(first_wait + second_wait <= mapper_deadline);

std::string fault_text(const std::string& action, const router::soap_reply& reply, bool pinhole = false) {
  auto name = pinhole ? router::pinhole_error_name(reply.error_code) : router::upnp_error_name(reply.error_code);
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

/// One SOAP action on `m`'s router: its reply, or why there is none. A
/// pinhole's is asked from the address it opens the port to.
asio::awaitable<std::variant<router::soap_reply, mapper_failure>> call(mapping_spec m, std::string action,
                                                                       soap_arguments arguments) {
  auto service = service_of(m);
  if (auto* failed = std::get_if<mapper_failure>(&service)) co_return std::move(*failed);
  const auto source = m.kind == change_kind::pinhole ? m.internal_client : std::string();
  auto got = co_await soap_call(std::get<router::igd_service>(service), action, std::move(arguments),
                                upnp_clock::now() + mapper_deadline, source);
  if (auto* failed = std::get_if<upnp_failure>(&got)) co_return mapper_failure{failed->reason};
  co_return std::move(std::get<router::soap_reply>(got));
}

/// `action`'s successful reply, or why there is none.
std::variant<router::soap_reply, mapper_failure> upnp_reply(const mapping_spec& m, const std::string& action,
                                                            soap_arguments arguments) {
  auto got = run_blocking(call(m, action, std::move(arguments)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  auto& reply = std::get<router::soap_reply>(got);
  if (reply.fault)
    return mapper_failure{fault_text(action, reply, m.kind == change_kind::pinhole), reply.error_code};
  return std::move(reply);
}

std::optional<mapper_failure> upnp_action(const mapping_spec& m, const std::string& action, soap_arguments arguments) {
  auto got = upnp_reply(m, action, std::move(arguments));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  return std::nullopt;
}

add_outcome pinhole_add(const mapping_spec& m) {
  const router::pinhole_request request{m.internal_client, m.internal_port, m.protocol, m.lease_seconds};
  auto got = upnp_reply(m, "AddPinhole", router::add_pinhole_arguments(request));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return {std::move(*failed), {}, {}};
  const auto id = router::pinhole_id_from_reply(std::get<router::soap_reply>(got));
  if (!id) return {mapper_failure{"AddPinhole: an answer without a UniqueID 0 to 65535"}, {}, {}};
  return {std::nullopt, {}, id};
}

std::optional<mapper_failure> pinhole_delete(const mapping_spec& m) {
  if (!m.pinhole_id) return mapper_failure{"DeletePinhole: the pinhole's UniqueID was never recorded"};
  return upnp_action(m, "DeletePinhole", router::pinhole_id_arguments(*m.pinhole_id));
}

using datagram = std::vector<std::uint8_t>;

/// One request to a router's port 5351 (NAT-PMP and PCP).
struct datagram_exchange {
  std::string protocol;        ///< "NAT-PMP" or "PCP", for messages
  std::string router_address;  ///< IPv4
  std::string source_address;  ///< the address to send from; "" lets the routing table choose
  datagram request;
  /// Whether a datagram from the router is the answer; others are ignored.
  std::function<bool(std::span<const std::uint8_t>)> is_answer;
};

/// Opens `socket` to send from x.source_address, or from where the routing
/// table says; the failure's text if it cannot.
std::optional<std::string> open_for(udp::socket& socket, const datagram_exchange& x) {
  std::error_code ec;
  socket.open(udp::v4(), ec);
  if (ec) return "socket: " + ec.message();
  if (x.source_address.empty()) return std::nullopt;
  const auto source = asio::ip::make_address(x.source_address, ec);
  if (!ec) socket.bind(udp::endpoint(source, 0), ec);
  if (ec) return "cannot send from " + x.source_address + ": " + ec.message();
  return std::nullopt;
}

struct no_answer_yet {};

/// The first answer from `router` before `deadline`, or no_answer_yet, or
/// the text of a failure to receive.
asio::awaitable<std::variant<datagram, no_answer_yet, std::string>> first_answer(udp::socket& socket,
                                                                                const datagram_exchange& x,
                                                                                const asio::ip::address& router,
                                                                                clock::time_point deadline) {
  for (;;) {
    datagram answer(router::max_pcp_message);
    udp::endpoint from;
    auto got = co_await (socket.async_receive_from(asio::buffer(answer), from, use_nothrow) || expire_at(deadline));
    if (got.index() == 1) co_return no_answer_yet{};
    auto [e, n] = std::get<0>(got);
    // An ICMP port unreachable from a router without NAT-PMP or PCP.
    if (e == asio::error::connection_refused) co_return std::string("the router refused (port 5351 closed)");
    if (e) co_return "receive: " + e.message();
    answer.resize(n);
    if (from.address() == router && x.is_answer(answer)) co_return std::move(answer);
  }
}

/// Sends the request, resends it once, and returns the first answer from
/// the router's own address. `x` by value: the coroutine outlives the
/// statement that starts it.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
asio::awaitable<std::variant<datagram, mapper_failure>> exchange(datagram_exchange x) {
  const auto fail = [&](const std::string& why) { return mapper_failure{x.protocol + ": " + why}; };
  std::error_code ec;
  const auto address = asio::ip::make_address(x.router_address, ec);
  if (ec || !address.is_v4()) co_return fail("not an IPv4 address: " + x.router_address);
  udp::socket socket(co_await asio::this_coro::executor);
  if (const auto failed = open_for(socket, x)) co_return fail(*failed);
  const udp::endpoint to(address, router::natpmp_port);
  for (const auto wait : {first_wait, second_wait}) {
    if (auto [e, n] = co_await socket.async_send_to(asio::buffer(x.request), to, use_nothrow); e)
      co_return fail("send: " + e.message());
    auto got = co_await first_answer(socket, x, address, clock::now() + wait);
    if (auto* answer = std::get_if<datagram>(&got)) co_return std::move(*answer);
    if (auto* failed = std::get_if<std::string>(&got)) co_return fail(*failed);
  }
  co_return fail("no answer from " + x.router_address + " (asked twice)");
}

std::variant<router::natpmp_map_response, mapper_failure> natpmp_map(const mapping_spec& m,
                                                                     std::uint16_t suggested_external,
                                                                     std::uint32_t lifetime) {
  const auto protocol = router::natpmp_protocol_of(m.protocol);
  const auto request = router::natpmp_map_request(protocol, m.internal_port, suggested_external, lifetime);
  datagram_exchange x{"NAT-PMP", m.router_address, "", datagram(request.begin(), request.end()),
                      [protocol](std::span<const std::uint8_t> d) {
                        const auto parsed = router::parse_natpmp_map_response(d);
                        return parsed && parsed->protocol == protocol;
                      }};
  auto got = run_blocking(exchange(std::move(x)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  const auto answer = *router::parse_natpmp_map_response(std::get<datagram>(got));
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

/// A mapping of another external port than asked is no use, and not what
/// the user agreed to: the caller has deleted it again (`undo` says how that went).
mapper_failure other_port_failure(const std::string& protocol, std::uint16_t assigned, const mapping_spec& m,
                                  const std::optional<mapper_failure>& undo) {
  auto reason = protocol + ": the router mapped external port " + std::to_string(assigned) + " instead of " +
                std::to_string(m.external_port) + " (another host may hold it)";
  if (undo) reason += "; deleting that mapping failed too: " + undo->reason;
  else reason += "; that mapping is deleted again";
  return mapper_failure{reason};
}

add_outcome natpmp_add(const mapping_spec& m) {
  auto got = natpmp_map(m, m.external_port, m.lease_seconds);
  if (auto* failed = std::get_if<mapper_failure>(&got)) return {std::move(*failed), {}, {}};
  const auto& answer = std::get<router::natpmp_map_response>(got);
  if (answer.internal_port == m.internal_port && answer.external_port == m.external_port) return {};
  return {other_port_failure("NAT-PMP", answer.external_port, m, natpmp_delete(m)), {}, {}};
}

/// A PCP MAP for `m` with `lifetime` (0 deletes), sent from `m.internal_client`:
/// the server's successful answer, or why there is none.
std::variant<router::pcp_response, mapper_failure> pcp_map(const mapping_spec& m, std::uint32_t lifetime) {
  router::pcp_map_request_args args;
  args.client_address = m.internal_client;
  args.nonce = m.nonce;
  args.protocol = router::pcp_protocol_of(m.protocol);
  args.internal_port = m.internal_port;
  args.suggested_external_port = m.external_port;
  args.lifetime_seconds = lifetime;
  const auto request = router::pcp_map_request(args);
  if (!request) return mapper_failure{"PCP: not an IP address to map to: \"" + m.internal_client + "\""};
  datagram_exchange x{"PCP", m.router_address, m.internal_client, datagram(request->begin(), request->end()),
                      [m](std::span<const std::uint8_t> d) {
                        // A NAT-PMP-only server answers a PCP request with its own version 0.
                        if (router::is_natpmp_answer(d)) return true;
                        const auto parsed = router::parse_pcp_response(d);
                        return parsed && answers_pcp_map(*parsed, m);
                      }};
  auto got = run_blocking(exchange(std::move(x)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  const auto& answer_bytes = std::get<datagram>(got);
  if (router::is_natpmp_answer(answer_bytes)) return mapper_failure{"PCP: the router speaks only NAT-PMP"};
  auto answer = *router::parse_pcp_response(answer_bytes);
  if (answer.result_code == static_cast<std::uint8_t>(router::pcp_result::success)) return answer;
  auto reason = "PCP: " + router::pcp_result_name(answer.result_code) + " (result " +
                std::to_string(answer.result_code) + ")";
  if (answer.result_code == static_cast<std::uint8_t>(router::pcp_result::address_mismatch))
    reason += ": the router saw the request come from another address than " + m.internal_client +
              " (a NAT in between?)";
  return mapper_failure{reason};
}

std::optional<mapper_failure> pcp_delete(const mapping_spec& m) {
  auto got = pcp_map(m, 0);
  if (auto* failed = std::get_if<mapper_failure>(&got)) return std::move(*failed);
  return std::nullopt;
}

add_outcome pcp_add(const mapping_spec& m) {
  auto got = pcp_map(m, m.lease_seconds);
  if (auto* failed = std::get_if<mapper_failure>(&got)) return {std::move(*failed), {}, {}};
  const auto& answer = std::get<router::pcp_response>(got);
  // answers_pcp_map let through only a success that carries the MAP fields.
  const auto& fields = *answer.map;
  if (fields.external_port != m.external_port)
    return {other_port_failure("PCP", fields.external_port, m, pcp_delete(m)), {}, {}};
  return {std::nullopt, fields.external_address, {}};
}

}  // namespace

pinhole_offer find_pinhole_offer(const mapping_spec& m) {
  pinhole_offer offer;
  auto found = run_blocking(find_pinhole_service(m.router_address, m.internal_client, upnp_clock::now() + mapper_deadline));
  if (auto* failed = std::get_if<upnp_failure>(&found)) {
    offer.not_found = std::move(failed->reason);
    return offer;
  }
  const auto& service = std::get<router::igd_service>(found);
  offer.control_url = router::to_string(service.control_url);
  offer.service_type = service.service_type;
  auto asked = m;
  asked.control_url = offer.control_url;
  asked.service_type = offer.service_type;
  // Optional: a router without it still answers AddPinhole, which says why not.
  auto got = upnp_reply(asked, "GetFirewallStatus", {});
  if (const auto* reply = std::get_if<router::soap_reply>(&got)) offer.status = router::firewall_status_from_reply(*reply);
  return offer;
}

add_outcome add_mapping(const mapping_spec& m) {
  if (m.kind == change_kind::pinhole) return pinhole_add(m);
  if (m.method == map_method::natpmp) return natpmp_add(m);
  if (m.method == map_method::pcp) return pcp_add(m);
  port_mapping entry;
  entry.protocol = router::upnp_protocol(m.protocol);
  entry.external_port = m.external_port;
  entry.internal_client = m.internal_client;
  entry.internal_port = m.internal_port;
  entry.description = "reachback";
  entry.lease_seconds = m.lease_seconds;
  return {upnp_action(m, "AddPortMapping", router::add_port_mapping_arguments(entry)), {}, {}};
}

std::optional<mapper_failure> delete_mapping(const mapping_spec& m) {
  if (m.kind == change_kind::pinhole) return pinhole_delete(m);
  if (m.method == map_method::natpmp) return natpmp_delete(m);
  if (m.method == map_method::pcp) return pcp_delete(m);
  return upnp_action(m, "DeletePortMapping", router::port_mapping_key(m.external_port, m.protocol));
}

listed_entry read_mapping(const mapping_spec& m) {
  auto got =
      run_blocking(call(m, "GetSpecificPortMappingEntry", router::port_mapping_key(m.external_port, m.protocol)));
  if (auto* failed = std::get_if<mapper_failure>(&got)) return {std::nullopt, std::move(*failed)};
  const auto& reply = std::get<router::soap_reply>(got);
  if (reply.fault) {
    if (reply.error_code == 714) return {};
    return {std::nullopt, mapper_failure{fault_text("GetSpecificPortMappingEntry", reply), reply.error_code}};
  }
  auto entry = router::specific_mapping_from_reply(reply, m.external_port, m.protocol);
  if (!entry)
    return {std::nullopt, mapper_failure{"GetSpecificPortMappingEntry: an answer without the entry's target, or for "
                                         "another port or protocol than asked"}};
  return {std::move(entry), std::nullopt};
}

router::pcp_nonce random_pcp_nonce() {
  std::random_device random;
  router::pcp_nonce nonce{};
  for (std::size_t i = 0; i < nonce.size(); i += 4) {
    const auto word = random();
    for (std::size_t b = 0; b < 4; ++b) nonce[i + b] = static_cast<std::uint8_t>(word >> (8 * b));
  }
  return nonce;
}

bool answers_pcp_map(const router::pcp_response& answer, const mapping_spec& m) {
  if (answer.opcode != static_cast<std::uint8_t>(router::pcp_opcode::map)) return false;
  const bool success = answer.result_code == static_cast<std::uint8_t>(router::pcp_result::success);
  if (!answer.map) return !success;
  return answer.map->nonce == m.nonce && answer.map->protocol == router::pcp_protocol_of(m.protocol) &&
         answer.map->internal_port == m.internal_port;
}

bool points_as_recorded(const port_mapping& entry, const mapping_spec& m) {
  return entry.internal_client == m.internal_client && entry.internal_port == m.internal_port;
}

}  // namespace reachback::client
