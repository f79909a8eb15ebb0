// SPDX-License-Identifier: MIT
#include "relay/metrics_endpoint.hpp"

#include <utility>

#include "relay/io_timeouts.hpp"
#include "relay/listen_address.hpp"
#include "relay/server.hpp"

namespace reachback::relay {

struct metrics_endpoint::state {
  state(const asio::any_io_executor& executor, std::function<std::string()> render_body,
        metrics_endpoint_limits bounds)
      : acceptor(executor), render(std::move(render_body)), limits(bounds) {}
  asio::ip::tcp::acceptor acceptor;
  std::function<std::string()> render;
  metrics_endpoint_limits limits;
  int connections = 0;
};

namespace {

using namespace asio::experimental::awaitable_operators;

constexpr std::string_view head_end = "\r\n\r\n";
constexpr std::string_view exposition_type = "text/plain; version=0.0.4; charset=utf-8";

std::string answer(std::string_view status, std::string_view extra_headers,
                   std::string_view content_type, std::string_view body, bool with_body) {
  std::string out = "HTTP/1.1 ";
  out.append(status).append("\r\nContent-Type: ").append(content_type);
  out.append("\r\nContent-Length: ").append(std::to_string(body.size()));
  out.append("\r\nConnection: close\r\n").append(extra_headers).append("\r\n");
  if (with_body) {
    out.append(body);
  }
  return out;
}

std::string plain(std::string_view status, std::string_view extra_headers = {}) {
  return answer(status, extra_headers, "text/plain; charset=utf-8",
                std::string(status.substr(4)) + "\n", true);
}

// Holds one connection's place in the count until the scrape ends.
struct connection_slot {
  explicit connection_slot(metrics_endpoint::state& s) : owner(s) { ++owner.connections; }
  ~connection_slot() { --owner.connections; }
  connection_slot(const connection_slot&) = delete;
  connection_slot& operator=(const connection_slot&) = delete;
  metrics_endpoint::state& owner;
};

// The request head, or empty when it did not come whole within the bounds.
asio::awaitable<std::string> read_head(asio::ip::tcp::socket& socket,
                                       const metrics_endpoint_limits& limits) {
  std::string head;
  auto buffer = asio::dynamic_buffer(head, limits.max_request_bytes);
  const auto outcome =
      co_await (asio::async_read_until(socket, buffer, head_end, use_nothrow) ||
                expire_after(limits.request_timeout));
  if (outcome.index() != 0 || std::get<0>(std::get<0>(outcome))) {
    co_return std::string();
  }
  co_return head;
}

asio::awaitable<void> serve_scrape(asio::ip::tcp::socket socket,
                                   std::shared_ptr<metrics_endpoint::state> s) {
  const connection_slot slot(*s);
  const auto head = co_await read_head(socket, s->limits);
  const auto reply = head.empty() ? plain("400 Bad Request")
                                  : metrics_http_answer(head, s->render());
  (void)co_await write_all(socket, reply, s->limits.request_timeout);
  asio::error_code ignored;
  socket.shutdown(asio::socket_base::shutdown_both, ignored);
}

asio::awaitable<void> accept_scrapes(std::shared_ptr<metrics_endpoint::state> s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(use_nothrow);
    if (!s->acceptor.is_open() || ec == asio::error::operation_aborted) {
      co_return;
    }
    if (ec) {
      co_await expire_after(std::chrono::milliseconds{100});
      continue;
    }
    if (s->connections >= s->limits.max_connections) {
      continue;  // the socket closes as it goes out of scope
    }
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_scrape(std::move(socket), s), asio::detached);
  }
}

}  // namespace

std::string metrics_http_answer(std::string_view request_head, std::string_view body) {
  const auto line_end = request_head.find("\r\n");
  const auto line = request_head.substr(0, line_end);
  const auto first_space = line.find(' ');
  const auto second_space = line.find(' ', first_space + 1);
  if (line_end == std::string_view::npos || first_space == std::string_view::npos ||
      second_space == std::string_view::npos || !line.substr(second_space + 1).starts_with("HTTP/1.")) {
    return plain("400 Bad Request");
  }
  const auto method = line.substr(0, first_space);
  const auto target = line.substr(first_space + 1, second_space - first_space - 1);
  if (method != "GET" && method != "HEAD") {
    return plain("405 Method Not Allowed", "Allow: GET, HEAD\r\n");
  }
  if (target != "/metrics") {
    return plain("404 Not Found");
  }
  return answer("200 OK", {}, exposition_type, body, method == "GET");
}

metrics_endpoint::metrics_endpoint(const asio::any_io_executor& executor, const std::string& listen,
                                   std::function<std::string()> render,
                                   metrics_endpoint_limits limits)
    : state_(std::make_shared<state>(executor, std::move(render), limits)) {
  const auto endpoint = parse_listen_endpoint(listen);
  if (!endpoint) {
    throw listen_error("invalid metrics listen address '" + listen + "' (expected ADDR:PORT)");
  }
  asio::error_code ec;
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint->protocol(), ec);
  if (!ec) {
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec) {
    acceptor.bind(*endpoint, ec);
  }
  if (!ec) {
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw listen_error("cannot serve metrics on " + listen + ": " + ec.message());
  }
}

metrics_endpoint::~metrics_endpoint() { stop(); }

asio::ip::tcp::endpoint metrics_endpoint::local_endpoint() const {
  asio::error_code ignored;
  return state_->acceptor.local_endpoint(ignored);
}

void metrics_endpoint::start() {
  asio::co_spawn(state_->acceptor.get_executor(), accept_scrapes(state_), asio::detached);
}

void metrics_endpoint::stop() {
  asio::error_code ignored;
  state_->acceptor.close(ignored);
}

}  // namespace reachback::relay
