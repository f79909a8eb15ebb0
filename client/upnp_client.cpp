// SPDX-License-Identifier: MIT
#include "upnp_client.hpp"

#include <array>
#include <optional>
#include <string_view>

#include "client/router/pinhole.hpp"
#include "client/router/ssdp.hpp"

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;
using asio::ip::udp;

// An IGD:2 search is sent once, then once more after the first wait: a
// router on the LAN answers in milliseconds, or not at all.
constexpr std::chrono::milliseconds first_search_wait{600};
constexpr std::chrono::milliseconds second_search_wait{1'200};

asio::awaitable<void> until(upnp_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  co_await timer.async_wait(use_nothrow);
}

/// Connects, sends `request` and reads the response until it is complete,
/// the router closes, or the parser's byte bound is reached.
asio::awaitable<std::variant<router::http_response, upnp_failure>> exchange(router::http_url url, std::string request,
                                                                          std::string source_address) {
  const auto executor = co_await asio::this_coro::executor;
  std::error_code ec;
  const auto address = asio::ip::make_address(url.host, ec);
  // Routers are asked by address only: a LOCATION naming a host is never resolved.
  if (ec) co_return upnp_failure{"not an IP address: " + url.host};
  tcp::socket socket(executor);
  const tcp::endpoint to(address, url.port);
  if (!source_address.empty()) {
    const auto source = asio::ip::make_address(source_address, ec);
    if (!ec) socket.open(to.protocol(), ec);
    if (!ec) socket.bind(tcp::endpoint(source, 0), ec);
    if (ec) co_return upnp_failure{"cannot connect from " + source_address + ": " + ec.message()};
  }
  if (auto [e] = co_await socket.async_connect(to, use_nothrow); e) co_return upnp_failure{"connect: " + e.message()};
  if (auto [e, n] = co_await asio::async_write(socket, asio::buffer(request), use_nothrow); e)
    co_return upnp_failure{"send: " + e.message()};
  std::string received;
  std::array<char, 4096> chunk{};
  for (;;) {
    auto [e, n] = co_await socket.async_read_some(asio::buffer(chunk), use_nothrow);
    received.append(chunk.data(), n);
    const bool eof = e == asio::error::eof;
    if (e && !eof) co_return upnp_failure{"receive: " + e.message()};
    auto parsed = router::parse_http_response(received, eof);
    if (parsed.status == router::http_parse_status::complete) co_return std::move(parsed.response);
    if (parsed.status == router::http_parse_status::malformed) co_return upnp_failure{parsed.error};
    if (eof) co_return upnp_failure{"the answer ended early"};
  }
}

/// `exchange` before `deadline`.
asio::awaitable<std::variant<router::http_response, upnp_failure>> exchange_by(router::http_url url, std::string request,
                                                                             upnp_clock::time_point deadline,
                                                                             std::string source_address = {}) {
  auto result = co_await (exchange(std::move(url), std::move(request), std::move(source_address)) || until(deadline));
  if (result.index() == 1) co_return upnp_failure{"no answer before the deadline"};
  co_return std::move(std::get<0>(result));
}

}  // namespace

asio::awaitable<std::variant<router::http_response, upnp_failure>> http_get(router::http_url url,
                                                                            upnp_clock::time_point deadline) {
  auto request = router::http_get_request(url);
  co_return co_await exchange_by(std::move(url), std::move(request), deadline);
}

namespace {

/// The description at `location`, whatever services it lists.
asio::awaitable<std::variant<router::igd_description, upnp_failure>> fetch_any_description(
    router::http_url location, upnp_clock::time_point deadline) {
  auto got = co_await http_get(location, deadline);
  if (const auto* failed = std::get_if<upnp_failure>(&got)) co_return *failed;
  const auto& response = std::get<router::http_response>(got);
  if (response.status != 200)
    co_return upnp_failure{"description: HTTP " + std::to_string(response.status) + " " + response.reason};
  auto description = router::parse_igd_description(response.body, location);
  if (!description) co_return upnp_failure{"description: not a UPnP device description"};
  co_return std::move(*description);
}

/// The LOCATION of the first IGD:2 search answer from `router` on its own
/// address, or why there is none by `deadline`.
asio::awaitable<std::variant<router::http_url, upnp_failure>> search_igd2(udp::socket socket, udp::endpoint router,
                                                                         upnp_clock::time_point deadline) {
  const auto host = router.address().to_string();
  const auto request = router::msearch_request(router::igd2_search_target, "[" + host + "]:" +
                                               std::to_string(router::ssdp_port), 0);
  std::array<char, router::max_ssdp_datagram> datagram{};
  for (const auto wait : {first_search_wait, second_search_wait}) {
    if (auto [e, n] = co_await socket.async_send_to(asio::buffer(request), router, use_nothrow); e)
      co_return upnp_failure{"SSDP search: " + e.message()};
    const auto until_time = std::min(deadline, upnp_clock::now() + wait);
    for (;;) {
      udp::endpoint from;
      auto got = co_await (socket.async_receive_from(asio::buffer(datagram), from, use_nothrow) || until(until_time));
      if (got.index() == 1) break;
      const auto [e, n] = std::get<0>(got);
      if (e) co_return upnp_failure{"SSDP search: " + e.message()};
      if (from.address() != router.address()) continue;
      const auto answer = router::parse_ssdp_response(std::string_view(datagram.data(), n));
      if (!answer) continue;
      auto location = router::parse_http_url(answer->location);
      if (!location || location->host != host)
        co_return upnp_failure{"its search answer points elsewhere (" + answer->location + ")"};
      co_return std::move(*location);
    }
    if (upnp_clock::now() >= deadline) break;
  }
  co_return upnp_failure{"no answer to an IGD:2 search over IPv6 (asked twice)"};
}

}  // namespace

asio::awaitable<std::variant<router::igd_service, upnp_failure>> find_pinhole_service(
    std::string router_address, std::string source_address, upnp_clock::time_point deadline) {
  std::error_code ec;
  const auto address = asio::ip::make_address(router_address, ec);
  if (ec || !address.is_v6()) co_return upnp_failure{"not an IPv6 address: " + router_address};
  udp::socket socket(co_await asio::this_coro::executor);
  socket.open(udp::v6(), ec);
  if (!ec && !source_address.empty()) {
    const auto source = asio::ip::make_address(source_address, ec);
    if (!ec) socket.bind(udp::endpoint(source, 0), ec);
  }
  if (ec) co_return upnp_failure{"SSDP search from " + source_address + ": " + ec.message()};
  auto located = co_await search_igd2(std::move(socket), udp::endpoint(address, router::ssdp_port), deadline);
  if (auto* failed = std::get_if<upnp_failure>(&located)) co_return std::move(*failed);
  auto described = co_await fetch_any_description(std::get<router::http_url>(located), deadline);
  if (auto* failed = std::get_if<upnp_failure>(&described)) co_return std::move(*failed);
  const auto& description = std::get<router::igd_description>(described);
  if (description.pinhole_services.empty())
    co_return upnp_failure{"its description lists no WANIPv6FirewallControl service"};
  co_return description.pinhole_services.front();
}

asio::awaitable<std::variant<router::igd_description, upnp_failure>> fetch_description(
    router::http_url location, upnp_clock::time_point deadline) {
  auto got = co_await fetch_any_description(std::move(location), deadline);
  if (auto* failed = std::get_if<upnp_failure>(&got)) co_return std::move(*failed);
  auto description = std::get<router::igd_description>(std::move(got));
  if (description.wan_services.empty())
    co_return upnp_failure{"description: no WANIPConnection or WANPPPConnection service"};
  co_return description;
}

asio::awaitable<std::variant<router::soap_reply, upnp_failure>> soap_call(
    router::igd_service service, std::string action, soap_arguments arguments,
    upnp_clock::time_point deadline, std::string source_address) {
  const auto body = router::soap_request_body(service.service_type, action, arguments);
  auto request = router::http_post_request(service.control_url, router::soap_content_type,
                                           router::soap_action_header(service.service_type, action), body);
  auto got = co_await exchange_by(service.control_url, std::move(request), deadline, std::move(source_address));
  if (const auto* failed = std::get_if<upnp_failure>(&got)) co_return upnp_failure{action + ": " + failed->reason};
  const auto& response = std::get<router::http_response>(got);
  // A fault comes with HTTP 500 and a SOAP body that says why.
  auto reply = router::parse_soap_reply(response.body);
  if (!reply) co_return upnp_failure{action + ": HTTP " + std::to_string(response.status) + ", not a SOAP reply"};
  co_return std::move(*reply);
}

}  // namespace reachback::client
