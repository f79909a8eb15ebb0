// SPDX-License-Identifier: MIT
#include "client/agent_listener.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <set>

#include "client/platform/socket_options.hpp"
#include "common/asio_compat.hpp"
#include "common/messages.hpp"

namespace reachback::client {

namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;
using namespace asio::experimental::awaitable_operators;

// How long a connection may take to take the proof and close its side. The
// relay reads a few dozen bytes, so this only bounds a peer that stalls.
constexpr auto proof_linger = 2s;
// After a failed accept (EMFILE, ENOBUFS) wait before trying again instead of
// spinning; one bad moment must not stop the listener (STYLE 10).
constexpr auto accept_retry_delay = 100ms;

// Everything the coroutines share. It lives in the .cpp so the free
// coroutine functions can name it; agent_listener::state only wraps it.
struct listener_core {
  explicit listener_core(const asio::any_io_executor& executor)
      : acceptor(executor), retry_timer(executor), greeting_signal(executor, asio::steady_timer::time_point::max()) {}

  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  // Never expires: cancelled when the greeting arrives, to wake greeted().
  asio::steady_timer greeting_signal;
  agent_nonces nonces;
  // The greeting seen over each family, by ip_family.
  std::array<bool, 2> greeting_seen{};
  std::atomic<int> accepted{0};
  // Connections still being served, so close() can end them at once. Only
  // touched on the executor's thread, like every Asio object here.
  std::set<tcp::socket*> sessions;
  bool started = false;
  bool closed = false;
};

using listener_state = std::shared_ptr<listener_core>;

// Registers a session's socket for close() for as long as the session runs.
class session_guard {
 public:
  session_guard(listener_state shared, tcp::socket& socket)
      : shared_(std::move(shared)), socket_(&socket) {
    shared_->sessions.insert(socket_);
  }
  ~session_guard() { shared_->sessions.erase(socket_); }
  session_guard(const session_guard&) = delete;
  session_guard& operator=(const session_guard&) = delete;

 private:
  listener_state shared_;
  tcp::socket* socket_;
};

// Reads until the peer closes its side; whatever it sends is ignored.
asio::awaitable<void> drain_until_eof(tcp::socket& socket) {
  std::array<char, 256> sink{};
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(sink), use_nothrow);
    if (ec) co_return;
  }
}

// The greeting's first line at most: what a peer sends first, up to the
// greeting's length or its first newline.
asio::awaitable<std::string> read_first_line(tcp::socket& socket, std::size_t limit) {
  std::string received;
  std::array<char, 128> chunk{};
  while (received.size() < limit && received.find('\n') == std::string::npos) {
    const auto room = std::min(chunk.size(), limit - received.size());
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(chunk.data(), room), use_nothrow);
    received.append(chunk.data(), n);
    if (ec) break;
  }
  co_return received;
}

std::size_t family_index(ip_family f) { return f == ip_family::ipv4 ? 0 : 1; }

// Half-closes after the proof, so a peer that reads to EOF gets it at once;
// reading the greeting goes on meanwhile.
asio::awaitable<void> write_proof(tcp::socket& socket, const std::string& proof) {
  co_await asio::async_write(socket, asio::buffer(proof), use_nothrow);
  std::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> take_greeting(tcp::socket& socket, listener_state shared, const std::string& greeting,
                                    ip_family family) {
  const auto first = co_await read_first_line(socket, greeting.size());
  auto& seen = shared->greeting_seen[family_index(family)];
  if (!seen && greeting.starts_with(first) && first.ends_with('\n')) {
    seen = true;
    shared->greeting_signal.cancel();
  }
}

// Writes the proof for the peer's family and reads the greeting, then waits
// for the peer's FIN before closing: closing with unread input would send an
// RST, and an RST can make the peer's kernel discard the proof it has not
// read yet.
asio::awaitable<void> serve_proof(tcp::socket socket, listener_state shared) {
  const session_guard guard(shared, socket);
  std::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) co_return;  // reset before it was served: nobody to prove anything to
  const auto family = agent_nonces::family_of(peer.address());
  const auto& nonce = shared->nonces.for_peer(peer.address());
  const auto proof = protocol::proof_line(nonce);
  const auto greeting = protocol::greeting_line(nonce);
  co_await ((write_proof(socket, proof) && take_greeting(socket, shared, greeting, family)) ||
            expire_after(proof_linger));
  std::error_code ignored;
  co_await (drain_until_eof(socket) || expire_after(proof_linger));
  socket.close(ignored);
}

asio::awaitable<void> accept_loop(listener_state shared) {
  while (!shared->closed) {
    auto [ec, socket] = co_await shared->acceptor.async_accept(use_nothrow);
    if (shared->closed || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      shared->retry_timer.expires_after(accept_retry_delay);
      co_await shared->retry_timer.async_wait(use_nothrow);
      continue;
    }
    shared->accepted.fetch_add(1, std::memory_order_relaxed);
    const auto executor = socket.get_executor();
    asio::co_spawn(executor, serve_proof(std::move(socket), shared), rethrow_failure);
  }
}

// [::] with IPV6_V6ONLY off takes IPv4 as well; without IPv6 fall back to
// 0.0.0.0. SO_REUSEADDR as every server sets it, so TIME_WAIT does not block.
std::error_code open_on(tcp::acceptor& acceptor, const tcp& protocol, std::uint16_t port) {
  std::error_code ec;
  acceptor.open(protocol, ec);
  if (ec) return ec;
  if (protocol == tcp::v6()) acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) ec = platform::set_server_bind_options(acceptor);
  if (!ec) acceptor.bind(tcp::endpoint(protocol, port), ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    std::error_code ignored;
    acceptor.close(ignored);
  }
  return ec;
}

// Without IPv6 (ipv6.disable=1, or no IPv6 in the kernel) opening the socket
// fails; binding [::] itself needs no IPv6 address on any interface. Asio
// reports its own error category, so compare with asio::error, not std::errc.
bool ipv6_missing(const std::error_code& ec) {
  return ec == asio::error::address_family_not_supported;
}

}  // namespace

struct agent_listener::state : listener_core {
  using listener_core::listener_core;
};

agent_listener::agent_listener(const asio::any_io_executor& executor)
    : state_(std::make_shared<state>(executor)) {}

agent_listener::~agent_listener() {
  // close() throws only if the reactor refuses to cancel a timer, which it
  // never does for a timer it holds; a destructor must not throw either way.
  try {
    close();
  } catch (...) {  // nothing left to tell anyone
  }
}

std::error_code agent_listener::open(std::uint16_t port) {
  auto ec = open_on(state_->acceptor, tcp::v6(), port);
  if (ipv6_missing(ec)) ec = open_on(state_->acceptor, tcp::v4(), port);
  return ec;
}

void agent_listener::start(const std::string& nonce) { start(agent_nonces::same(nonce)); }

void agent_listener::start(const agent_nonces& nonces) {
  if (!state_->acceptor.is_open() || state_->closed || state_->started) return;
  state_->started = true;
  state_->nonces = nonces;
  asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_), rethrow_failure);
}

void agent_listener::close() {
  state_->closed = true;
  std::error_code ignored;
  state_->acceptor.close(ignored);
  state_->retry_timer.cancel();
  state_->greeting_signal.cancel();
  // Closing cancels each session's pending read or write; the session then
  // finishes on its own and unregisters.
  for (auto* socket : state_->sessions) socket->close(ignored);
}

asio::awaitable<bool> agent_listener::greeted(std::optional<ip_family> family) {
  // Keeps the state alive while suspended, whatever happens to *this.
  const auto shared = state_;
  const auto seen = [&] {
    const auto& s = shared->greeting_seen;
    return family ? s[family_index(*family)] : s[0] || s[1];
  };
  // The signal wakes every waiter at each greeting: wait again when it was
  // the other family's, unless this wait itself was cancelled.
  while (!seen() && !shared->closed) {
    co_await shared->greeting_signal.async_wait(use_nothrow);
    const auto cancellation = co_await asio::this_coro::cancellation_state;
    if (cancellation.cancelled() != asio::cancellation_type::none) break;
  }
  co_return seen();
}

int agent_listener::accepted() const noexcept {
  return state_->accepted.load(std::memory_order_relaxed);
}

}  // namespace reachback::client
