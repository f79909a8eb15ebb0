// SPDX-License-Identifier: MIT
#pragma once
// The relay server: one acceptor per listen address (IPv4 and IPv6, the v6
// one v6-only), one session per accepted connection, all on one executor.
//
// In-process use (what the tests do):
//   asio::io_context ctx{1};
//   reachback::relay::server relay(ctx.get_executor(), config, log);
//   relay.start();          // relay.local_endpoints() has the bound ports
//   ctx.run();              // relay.stop() closes the acceptors
// From the command line: probe-relay [--config FILE] [--listen ADDR:PORT]...

#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

#include "common/asio_compat.hpp"

#include "config/relay_config.hpp"
#include "relay/session_log.hpp"

namespace reachback::relay {

struct relay_shared;
class metrics_endpoint;
namespace detail {
struct listener;
}  // namespace detail

/// A listen address that is malformed or cannot be bound; what() names it.
class listen_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class server {
 public:
  /// Binds and listens on every address in `config.listen`, and on
  /// `config.metrics_listen` when set. Throws listen_error for the first one
  /// that fails, except that an IPv6 address in `config.listen` on a host
  /// without IPv6 is skipped with a log line.
  server(asio::any_io_executor executor, config::relay_config config, log_sink log);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The bound addresses, with the ports the kernel chose for port 0.
  [[nodiscard]] std::vector<asio::ip::tcp::endpoint> local_endpoints() const;
  /// The Prometheus endpoint's bound address, when config.metrics_listen is set.
  [[nodiscard]] std::optional<asio::ip::tcp::endpoint> metrics_endpoint_address() const;
  /// Starts accepting. Sessions run on the server's executor.
  void start();
  /// Closes the acceptors; open sessions end on their own deadlines.
  void stop();
  /// Sessions open now.
  [[nodiscard]] int sessions() const noexcept;

 private:
  asio::any_io_executor executor_;
  std::shared_ptr<relay_shared> shared_;
  std::vector<std::shared_ptr<detail::listener>> listeners_;
  std::unique_ptr<metrics_endpoint> metrics_;  ///< when config.metrics_listen is set
};

/// Runs a relay on one thread until SIGINT or SIGTERM: prints
/// "probe-relay: listening on ADDR:PORT" per acceptor, then one line per
/// session. Returns 0 after a signal, 1 when an address cannot be bound.
[[nodiscard]] int run_relay(const config::relay_config& config, const log_sink& log);

}  // namespace reachback::relay
