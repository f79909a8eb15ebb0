// SPDX-License-Identifier: MIT
#include "upnp_client.hpp"

#include <array>
#include <optional>
#include <string_view>

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;
using asio::ip::tcp;

asio::awaitable<void> until(upnp_clock::time_point deadline) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  co_await timer.async_wait(use_nothrow);
}

/// Connects, sends `request` and reads the response until it is complete,
/// the router closes, or the parser's byte bound is reached.
asio::awaitable<std::variant<router::http_response, upnp_failure>> exchange(router::http_url url, std::string request) {
  const auto executor = co_await asio::this_coro::executor;
  std::error_code ec;
  const auto address = asio::ip::make_address(url.host, ec);
  // Routers are asked by address only: a LOCATION naming a host is never resolved.
  if (ec) co_return upnp_failure{"not an IP address: " + url.host};
  tcp::socket socket(executor);
  const tcp::endpoint to(address, url.port);
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
                                                                             upnp_clock::time_point deadline) {
  auto result = co_await (exchange(std::move(url), std::move(request)) || until(deadline));
  if (result.index() == 1) co_return upnp_failure{"no answer before the deadline"};
  co_return std::move(std::get<0>(result));
}

}  // namespace

asio::awaitable<std::variant<router::http_response, upnp_failure>> http_get(router::http_url url,
                                                                            upnp_clock::time_point deadline) {
  auto request = router::http_get_request(url);
  co_return co_await exchange_by(std::move(url), std::move(request), deadline);
}

asio::awaitable<std::variant<router::igd_description, upnp_failure>> fetch_description(
    router::http_url location, upnp_clock::time_point deadline) {
  auto got = co_await http_get(location, deadline);
  if (const auto* failed = std::get_if<upnp_failure>(&got)) co_return *failed;
  const auto& response = std::get<router::http_response>(got);
  if (response.status != 200)
    co_return upnp_failure{"description: HTTP " + std::to_string(response.status) + " " + response.reason};
  auto description = router::parse_igd_description(response.body, location);
  if (!description) co_return upnp_failure{"description: not a UPnP device description"};
  if (description->wan_services.empty())
    co_return upnp_failure{"description: no WANIPConnection or WANPPPConnection service"};
  co_return std::move(*description);
}

asio::awaitable<std::variant<router::soap_reply, upnp_failure>> soap_call(
    router::igd_service service, std::string action, soap_arguments arguments,
    upnp_clock::time_point deadline) {
  const auto body = router::soap_request_body(service.service_type, action, arguments);
  auto request = router::http_post_request(service.control_url, router::soap_content_type,
                                           router::soap_action_header(service.service_type, action), body);
  auto got = co_await exchange_by(service.control_url, std::move(request), deadline);
  if (const auto* failed = std::get_if<upnp_failure>(&got)) co_return upnp_failure{action + ": " + failed->reason};
  const auto& response = std::get<router::http_response>(got);
  // A fault comes with HTTP 500 and a SOAP body that says why.
  auto reply = router::parse_soap_reply(response.body);
  if (!reply) co_return upnp_failure{action + ": HTTP " + std::to_string(response.status) + ", not a SOAP reply"};
  co_return std::move(*reply);
}

}  // namespace reachback::client
