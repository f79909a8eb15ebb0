// SPDX-License-Identifier: MIT
#include "relay/server.hpp"

#include <csignal>
#include <exception>
#include <optional>
#include <string>

#include "common/asio_compat.hpp"

#include "relay/fast_open.hpp"
#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/metrics_endpoint.hpp"
#include "relay/saved_syn.hpp"
#include "relay/session.hpp"
#include "relay/sweep_plan.hpp"

namespace reachback::relay {

namespace detail {

struct listener {
  explicit listener(const asio::any_io_executor& executor) : acceptor(executor) {}
  asio::ip::tcp::acceptor acceptor;
  bool saves_syn = false;  ///< TCP_SAVE_SYN is on: sessions learn client_hops
};

}  // namespace detail

namespace {

using detail::listener;

constexpr std::chrono::milliseconds accept_retry_pause{100};

// Logs what escaped a session or an accept loop; the relay keeps running.
auto report_failure(std::shared_ptr<relay_shared> shared, std::string what) {
  return [shared = std::move(shared), what = std::move(what)](const std::exception_ptr& e) {
    if (!e) {
      return;
    }
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      shared->log("probe-relay: " + what + " failed: " + x.what());
    }
  };
}

session_origin inspect(asio::ip::tcp::socket& socket, bool saves_syn) {
  if (!saves_syn) {
    return {};
  }
  return {.client_hops = client_hops(read_saved_syn(socket.native_handle())), .syn_ttl = true};
}

// nullptr when `address` is IPv6 and the host has no IPv6 at all: a
// default config must still start on an IPv4-only machine.
std::shared_ptr<listener> open_listener(const asio::any_io_executor& executor,
                                        const std::string& address, const log_sink& log) {
  const auto endpoint = parse_listen_endpoint(address);
  if (!endpoint) {
    throw listen_error("invalid listen address '" + address + "' (expected ADDR:PORT)");
  }
  auto l = std::make_shared<listener>(executor);
  asio::error_code ec;
  l->acceptor.open(endpoint->protocol(), ec);
  if (ec == asio::error::address_family_not_supported && endpoint->address().is_v6()) {
    log("probe-relay: no IPv6 on this host; not listening on " + address);
    return nullptr;
  }
  if (!ec && endpoint->address().is_v6()) {
    // The v4 acceptor takes IPv4; v4-mapped peers here would be duplicates.
    l->acceptor.set_option(asio::ip::v6_only(true), ec);
  }
  if (!ec) {
    l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    // Without TCP_SAVE_SYN the relay still works; it just cannot count hops.
    l->saves_syn = !enable_save_syn(l->acceptor.native_handle());
    l->acceptor.bind(*endpoint, ec);
  }
  if (!ec) {
    l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (!ec) {
    // Optional like the saved SYN: without it a session takes one round
    // trip longer, nothing more.
    if (const auto no_fast_open = enable_fast_open(l->acceptor.native_handle())) {
      log("probe-relay: no TCP Fast Open on " + address + ": " + no_fast_open.message());
    }
  }
  if (ec) {
    throw listen_error("cannot listen on " + address + ": " + ec.message());
  }
  return l;
}

asio::awaitable<void> accept_loop(std::shared_ptr<listener> l,
                                  std::shared_ptr<relay_shared> shared) {
  asio::error_code unknown;
  const auto where = endpoint_text(l->acceptor.local_endpoint(unknown));
  for (;;) {
    auto [ec, socket] = co_await l->acceptor.async_accept(use_nothrow);
    if (!l->acceptor.is_open() || ec == asio::error::operation_aborted) {
      co_return;  // stop() closed the acceptor
    }
    if (ec) {
      // EMFILE and friends pass; one bad moment must not stop the relay.
      shared->log("probe-relay: accept on " + where + " failed: " + ec.message());
      co_await expire_after(accept_retry_pause);
      continue;
    }
    const auto origin = inspect(socket, l->saves_syn);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_session(std::move(socket), shared, origin),
                   report_failure(shared, "session"));
  }
}

}  // namespace

server::server(asio::any_io_executor executor, config::relay_config config, log_sink log)
    : executor_(std::move(executor)),
      shared_(std::make_shared<relay_shared>(std::move(config), std::move(log))) {
  for (const auto& note : bounding_notes(shared_->config.sweep)) {
    shared_->log("probe-relay: " + note);
  }
  for (const auto& address : shared_->config.listen) {
    if (auto l = open_listener(executor_, address, shared_->log)) {
      listeners_.push_back(std::move(l));
    }
  }
  if (listeners_.empty()) {
    throw listen_error("no address to listen on");
  }
  if (!shared_->config.metrics_listen.empty()) {
    metrics_ = std::make_unique<metrics_endpoint>(
        executor_, shared_->config.metrics_listen, [shared = shared_] {
          return shared->metrics.prometheus_text(shared->limiter.sessions());
        });
  }
}

server::~server() { stop(); }

std::optional<asio::ip::tcp::endpoint> server::metrics_endpoint_address() const {
  return metrics_ ? std::optional(metrics_->local_endpoint()) : std::nullopt;
}

std::vector<asio::ip::tcp::endpoint> server::local_endpoints() const {
  std::vector<asio::ip::tcp::endpoint> endpoints;
  for (const auto& l : listeners_) {
    asio::error_code ec;
    const auto endpoint = l->acceptor.local_endpoint(ec);
    if (!ec) {
      endpoints.push_back(endpoint);
    }
  }
  return endpoints;
}

void server::start() {
  for (const auto& l : listeners_) {
    asio::co_spawn(executor_, accept_loop(l, shared_), report_failure(shared_, "accept loop"));
  }
  if (metrics_) {
    metrics_->start();
  }
}

void server::stop() {
  for (const auto& l : listeners_) {
    asio::error_code ignored;
    l->acceptor.close(ignored);
  }
  if (metrics_) {
    metrics_->stop();
  }
}

int server::sessions() const noexcept { return shared_->limiter.sessions(); }

int run_relay(const config::relay_config& config, const log_sink& log) {
  asio::io_context ctx{1};
  std::optional<server> relay;
  try {
    relay.emplace(ctx.get_executor(), config, log);
  } catch (const listen_error& e) {
    log(std::string("probe-relay: ") + e.what());
    return 1;
  }
  relay->start();
  // The signal set opens asio's signal pipe: done before the lines below,
  // which tell whoever waits for them that every descriptor of a quiet
  // relay is already open.
  asio::signal_set signals(ctx, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code& ec, int) {
    if (!ec) {
      log("probe-relay: stopping; " + std::to_string(relay->sessions()) +
          " open sessions finish on their own");
      relay->stop();
    }
  });
  for (const auto& endpoint : relay->local_endpoints()) {
    log("probe-relay: listening on " + endpoint_text(endpoint));
  }
  if (const auto metrics = relay->metrics_endpoint_address()) {
    log("probe-relay: serving metrics on http://" + endpoint_text(*metrics) + "/metrics");
  }
  ctx.run();
  return 0;
}

}  // namespace reachback::relay
