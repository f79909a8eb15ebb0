// SPDX-License-Identifier: MIT
#pragma once
// Test support for driving an in-process relay over loopback: the relay and
// its io_context, a scripted control client, and local servers for the
// relay to dial. Every wait is bounded; nothing sleeps to synchronise.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/asio_compat.hpp"
#include "relay/server.hpp"

#include "common/messages.hpp"
#include "config/relay_config.hpp"

namespace reachback::relay::test {

using asio::ip::tcp;
using namespace std::chrono_literals;

/// A valid nonce (32 lowercase hex digits).
inline const std::string test_nonce = "0123456789abcdef0123456789abcdef";

/// The n-th of distinct valid nonces, for a test that probes one relay
/// more than once: the relay refuses a nonce it has probed with.
[[nodiscard]] std::string numbered_nonce(int n);

/// 127.0.0.1:0 and deadlines short enough for failure paths to finish fast.
[[nodiscard]] config::relay_config loopback_config();

/// An in-process relay and the io_context it runs on.
class loopback_relay {
 public:
  explicit loopback_relay(config::relay_config config = loopback_config());
  loopback_relay(const loopback_relay&) = delete;
  loopback_relay& operator=(const loopback_relay&) = delete;

  /// The io_context the relay, the clients and the targets share.
  [[nodiscard]] asio::io_context& context() noexcept { return ctx_; }
  /// The relay's first listening endpoint.
  [[nodiscard]] tcp::endpoint endpoint() const;
  /// The Prometheus endpoint, when the config asked for one.
  [[nodiscard]] std::optional<tcp::endpoint> metrics_endpoint() const;
  /// Sessions the relay holds open now.
  [[nodiscard]] int sessions() const noexcept { return server_.sessions(); }
  /// Every line the relay logged so far.
  [[nodiscard]] const std::vector<std::string>& log() const noexcept { return *log_; }

  /// Runs until `body` finishes or `limit` passes; rethrows what it threw.
  /// False when it did not finish in time.
  [[nodiscard]] bool run(asio::awaitable<void> body, std::chrono::milliseconds limit = 5s);
  /// Runs until `done()` holds or `limit` passes; returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s);
  /// Until the relay has logged `lines` lines in all.
  bool wait_for_log_lines(std::size_t lines, std::chrono::milliseconds limit = 3s);

 private:
  asio::io_context ctx_{1};
  std::shared_ptr<std::vector<std::string>> log_;
  server server_;
};

/// Connects to `relay`, binding to `source` first when given.
[[nodiscard]] asio::awaitable<tcp::socket> connect_to(
    tcp::endpoint relay, std::optional<asio::ip::address> source = std::nullopt);

/// Writes raw bytes.
asio::awaitable<void> send_bytes(tcp::socket& socket, std::string bytes);

/// The next message; nullopt at EOF, on an error, a bad frame or after `limit`.
[[nodiscard]] asio::awaitable<std::optional<protocol::message>> receive(
    tcp::socket& socket, std::string& input, std::chrono::milliseconds limit = 3s);

/// Whether the peer closes (EOF or reset) within `limit`; discards its bytes.
[[nodiscard]] asio::awaitable<bool> peer_closes(tcp::socket& socket,
                                                std::chrono::milliseconds limit = 3s);

/// What a scripted client saw.
struct transcript {
  std::vector<std::optional<protocol::message>> replies;  ///< one per frame sent
  bool closed_by_relay = false;  ///< the relay closed after its last reply
  std::chrono::milliseconds last_reply_after{0};  ///< since the connect
};

/// The replies as one line for a failure message: "welcome, error: TEXT,
/// none", and whether the relay closed.
[[nodiscard]] std::string describe(const transcript& t);

/// Connects (from `source` when given) and sends each frame, reading one
/// reply after each (waiting up to `reply_limit`); stops at the first error
/// frame or missing reply and then checks that the relay closes.
asio::awaitable<void> talk(tcp::endpoint relay, std::vector<std::string> frames, transcript& out,
                           std::optional<asio::ip::address> source = std::nullopt,
                           std::chrono::milliseconds reply_limit = 3s);

/// Frames. probe_frame and early_probe_frame ask for no control probe.
/// The relay refuses a nonce it has probed with: a test that probes one
/// relay twice passes another nonce the second time.
[[nodiscard]] std::string hello_frame(std::optional<std::string> token = std::nullopt);
[[nodiscard]] std::string probe_frame(std::uint16_t port, bool sweep,
                                      const std::string& nonce = test_nonce);
/// A probe_request asking for the early result and the agent's greeting.
[[nodiscard]] std::string early_probe_frame(std::uint16_t port);
/// A UDP probe_request that also sets greet, early_result and control,
/// which UDP ignores.
[[nodiscard]] std::string udp_probe_frame(std::uint16_t port, bool sweep);

/// The message as T, or nullptr.
template <typename T>
[[nodiscard]] const T* as(const std::optional<protocol::message>& msg) {
  return msg ? std::get_if<T>(&*msg) : nullptr;
}

/// A local server for the relay to dial: greets each connection with
/// `greeting` (nothing when empty) and holds it open until stopped.
class target_listener {
 public:
  target_listener(asio::io_context& ctx, std::string greeting,
                  asio::ip::address address = asio::ip::make_address("127.0.0.1"),
                  std::uint16_t port = 0);
  ~target_listener();
  target_listener(const target_listener&) = delete;
  target_listener& operator=(const target_listener&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  /// Connections accepted so far (connect-back and sweep probes alike).
  [[nodiscard]] int accepted() const noexcept;
  /// The first bytes each connection sent, concatenated.
  [[nodiscard]] const std::string& heard() const noexcept;
  void stop();

  struct state;

 private:
  std::shared_ptr<state> state_;
};

/// A loopback port that refuses connections for as long as this lives.
/// It stays bound without listening: a port merely closed after a lookup
/// could be taken meanwhile by a parallel test, or picked by the kernel as
/// the source port of a connect to it (a TCP self-connect).
class closed_port {
 public:
  explicit closed_port(asio::io_context& ctx);
  [[nodiscard]] std::uint16_t number() const;

 private:
  tcp::acceptor holder_;
};

/// What a udp_target sends back for one datagram it received.
struct udp_replies {
  std::optional<std::string> from_target;      ///< from the probed port itself
  std::optional<std::string> from_other_port;  ///< from another port of the same address
};

/// A loopback UDP socket for the relay's UDP probe. For the n-th datagram
/// it receives (from 1) it sends back what `answer` says, to the sender.
class udp_target {
 public:
  using responder = std::function<udp_replies(int n, const std::string& payload)>;
  udp_target(asio::io_context& ctx, responder answer);
  ~udp_target();
  udp_target(const udp_target&) = delete;
  udp_target& operator=(const udp_target&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  /// Every datagram received so far, and who sent each.
  [[nodiscard]] const std::vector<std::string>& heard() const noexcept;
  [[nodiscard]] const std::vector<asio::ip::udp::endpoint>& senders() const noexcept;

  struct state;

 private:
  std::shared_ptr<state> state_;
};

/// A loopback UDP port where the kernel answers ICMP port unreachable for as
/// long as this lives: the socket holding it is connected to another peer,
/// so it takes no datagram from the relay, and no other test gets the port.
class closed_udp_port {
 public:
  explicit closed_udp_port(asio::io_context& ctx);
  [[nodiscard]] std::uint16_t number() const;

 private:
  asio::ip::udp::socket holder_;
};

}  // namespace reachback::relay::test
