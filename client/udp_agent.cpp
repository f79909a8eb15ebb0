// SPDX-License-Identifier: MIT
#include "client/udp_agent.hpp"

#include <array>
#include <exception>

#include "client/platform/socket_options.hpp"
#include "common/messages.hpp"

namespace reachback::client {

namespace {

using asio::ip::udp;

// The probe line is 53 bytes; a larger buffer only tells a longer datagram
// (which is not the probe) from a truncated one.
constexpr std::size_t receive_buffer = 512;

struct agent_core {
  explicit agent_core(const asio::any_io_executor& executor) : socket(executor) {}

  udp::socket socket;
  agent_nonces nonces;
  int replies = 0;
  bool started = false;
  bool closed = false;
};

using agent_state = std::shared_ptr<agent_core>;

asio::awaitable<void> answer_loop(agent_state shared) {
  std::array<char, receive_buffer> buffer{};
  for (int read = 0; read < udp_agent::max_datagrams && !shared->closed; ++read) {
    udp::endpoint source;
    auto [ec, n] = co_await shared->socket.async_receive_from(asio::buffer(buffer), source, use_nothrow);
    if (shared->closed || ec == asio::error::operation_aborted) co_return;
    // Linux reports an ICMP error for an earlier send on the next receive;
    // it says nothing about this datagram, so read on.
    if (ec) continue;
    if (shared->replies >= udp_agent::max_replies) continue;
    const auto reply = udp_agent_reply(std::string_view(buffer.data(), n), shared->nonces.for_peer(source.address()));
    if (!reply) continue;
    ++shared->replies;
    co_await shared->socket.async_send_to(asio::buffer(*reply), source, use_nothrow);
  }
}

// [::] with IPV6_V6ONLY off takes IPv4 as well; without IPv6 fall back to 0.0.0.0.
std::error_code open_on(udp::socket& socket, const udp& protocol, std::uint16_t port) {
  std::error_code ec;
  socket.open(protocol, ec);
  if (ec) return ec;
  if (protocol == udp::v6()) socket.set_option(asio::ip::v6_only(false), ec);
  if (!ec) ec = platform::set_datagram_bind_options(socket);
  if (!ec) socket.bind(udp::endpoint(protocol, port), ec);
  if (ec) {
    std::error_code ignored;
    socket.close(ignored);
  }
  return ec;
}

}  // namespace

std::optional<std::string> udp_agent_reply(std::string_view datagram, std::string_view nonce) {
  if (nonce.empty() || datagram != protocol::udp_probe_line(nonce)) return std::nullopt;
  return protocol::proof_line(nonce);
}

struct udp_agent::state : agent_core {
  using agent_core::agent_core;
};

udp_agent::udp_agent(const asio::any_io_executor& executor) : state_(std::make_shared<state>(executor)) {}

udp_agent::~udp_agent() { close(); }

std::error_code udp_agent::open(std::uint16_t port) {
  auto ec = open_on(state_->socket, udp::v6(), port);
  if (ec == asio::error::address_family_not_supported) ec = open_on(state_->socket, udp::v4(), port);
  return ec;
}

void udp_agent::start(const std::string& nonce) { start(agent_nonces::same(nonce)); }

void udp_agent::start(const agent_nonces& nonces) {
  if (!state_->socket.is_open() || state_->closed || state_->started) return;
  state_->started = true;
  state_->nonces = nonces;
  asio::co_spawn(state_->socket.get_executor(), answer_loop(state_), rethrow_failure);
}

void udp_agent::close() {
  state_->closed = true;
  std::error_code ignored;
  state_->socket.close(ignored);
}

int udp_agent::replies() const noexcept { return state_->replies; }

}  // namespace reachback::client
