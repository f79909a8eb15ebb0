// SPDX-License-Identifier: MIT
#pragma once
// The optional Prometheus endpoint: plain HTTP/1.1 on its own listen address
// (keep it on loopback or a private network; it needs no token because it
// only reads counters). Each connection sends one request and gets one
// answer, then is closed. Requests are bounded in size, time and number, as
// everything else the relay faces.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/asio_compat.hpp"

namespace reachback::relay {

/// Bounds on what one scrape may cost the relay.
struct metrics_endpoint_limits {
  std::size_t max_request_bytes = 1024;       ///< a GET needs a few dozen
  std::chrono::milliseconds request_timeout{2000};  ///< to send the request head
  int max_connections = 8;                    ///< more are closed at once
};

/// The whole HTTP answer to `request_head` (up to the blank line): 200 with
/// `body` for GET /metrics (HEAD: without the body), 404 for another path,
/// 405 for another method, 400 when it is not an HTTP request line.
[[nodiscard]] std::string metrics_http_answer(std::string_view request_head,
                                              std::string_view body);

/// Serves `render()` (the exposition text, made per request) on one address.
class metrics_endpoint {
 public:
  /// Binds and listens on `listen` ("ADDR:PORT"); throws listen_error when
  /// it is malformed or cannot be bound.
  metrics_endpoint(const asio::any_io_executor& executor, const std::string& listen,
                   std::function<std::string()> render, metrics_endpoint_limits limits = {});
  ~metrics_endpoint();
  metrics_endpoint(const metrics_endpoint&) = delete;
  metrics_endpoint& operator=(const metrics_endpoint&) = delete;

  /// The bound address, with the port the kernel chose for port 0.
  [[nodiscard]] asio::ip::tcp::endpoint local_endpoint() const;
  /// Starts accepting scrapes.
  void start();
  /// Stops accepting; a scrape in progress ends on its own deadline.
  void stop();

  struct state;  ///< shared with the connections it serves

 private:
  std::shared_ptr<state> state_;
};

}  // namespace reachback::relay
