// SPDX-License-Identifier: MIT
#include "proxy_target.hpp"

#include "common/asio_compat.hpp"

namespace reachback::client {
namespace {

using namespace asio::experimental::awaitable_operators;

asio::awaitable<bool> connects(asio::ip::tcp::endpoint target, std::chrono::milliseconds timeout) {
  const auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  asio::steady_timer timer(executor, timeout);
  auto first = co_await (socket.async_connect(target, use_nothrow) || timer.async_wait(use_nothrow));
  co_return first.index() == 0 && !std::get<0>(std::get<0>(first));
}

/// Whether the rule listens on one address that is not `target`: only
/// then can a connection to `target` not reach the proxy itself.
bool listen_is_specific(const portproxy_rule& rule, const asio::ip::address& target) {
  std::error_code ec;
  const auto listen = asio::ip::make_address(rule.listen_address, ec);
  return !ec && !listen.is_unspecified() && listen != target;
}

}  // namespace

std::optional<bool> proxy_target_accepts(const local_port_evidence& local, probe_mode mode,
                                         std::chrono::milliseconds timeout) {
  if (mode != probe_mode::service || local.portproxy.empty()) return std::nullopt;
  const auto& rule = local.portproxy.front();
  std::error_code ec;
  const auto address = asio::ip::make_address(rule.connect_address, ec);
  // A host name as target: portproxy resolves it itself; a numeric check
  // would be a guess, so the evidence stays open.
  if (ec) return std::nullopt;
  // A target on this host's own port may be answered by the proxy's own
  // listener (0.0.0.0:3000 takes 127.0.0.1:3000 unless a server bound that
  // address itself): an accept would prove nothing.
  if (rule.connect_port == rule.listen_port && !listen_is_specific(rule, address))
    return std::nullopt;
  return run_blocking(connects({address, rule.connect_port}, timeout));
}

}  // namespace reachback::client
