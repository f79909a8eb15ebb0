// SPDX-License-Identifier: MIT
// relay_floor: the least any relay must do for one verified session, and
// nothing else, as the floor that relay_load.sh measures probe-relay
// against. It answers relay_load's `verified` sessions as probe-relay does:
// accept, hello, welcome, probe_request, connect back to the client's
// address, greeting, proof, probe_result, the client's EOF, close. It does
// it with blocking system calls in one thread per concurrent session, canned
// frames, no timers, no limits, no logging, no checks and no JSON parsing,
// so its CPU per session is the kernel's part of a session plus almost
// nothing: what no work in the relay's user space can take away on this
// machine. Not a relay: it trusts what it is sent.
//
//   relay_floor --listen 127.0.0.1:PORT [--threads N]
//
// Prints "relay_floor: listening on ADDR:PORT" on stderr once it accepts,
// then serves until it is killed. Exit 2 for bad arguments, 1 when it
// cannot listen.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/big_endian.hpp"
#include "common/codec.hpp"
#include "common/messages.hpp"

namespace {

namespace protocol = reachback::protocol;

constexpr std::string_view placeholder_nonce = "00000000000000000000000000000000";

// The two frames the floor sends, encoded once. The probe_result carries
// placeholder_nonce at nonce_at, where each session writes its own nonce.
struct canned_frames {
  std::string welcome;
  std::string result;
  std::size_t nonce_at = 0;
};

canned_frames make_canned_frames() {
  protocol::welcome welcome;
  welcome.observed_address = "127.0.0.1";
  welcome.relay_version = "relay_floor";
  welcome.capabilities = {"connect_back"};
  protocol::probe_result result;
  result.nonce = placeholder_nonce;
  result.connect_back.outcome = reachback::connect_outcome::verified;
  canned_frames frames{protocol::encode(protocol::message{welcome}),
                       protocol::encode(protocol::message{result}), 0};
  frames.nonce_at = frames.result.find(placeholder_nonce);
  return frames;
}

// The text after `"key":` in a JSON object our encoder wrote, up to the next
// ',' or '}', without quotes; empty when the key is not there.
std::string_view json_value(std::string_view json, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\":";
  const auto at = json.find(quoted);
  if (at == std::string_view::npos) return {};
  auto value = json.substr(at + quoted.size());
  value = value.substr(0, value.find_first_of(",}"));
  if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
  return value;
}

using frame_buffer = std::array<std::uint8_t, 4096>;

// Reads one whole frame; its payload, or empty on EOF, an error or a frame
// bigger than the buffer.
std::string_view read_frame(int fd, frame_buffer& buffer) {
  std::size_t have = 0;
  for (;;) {
    if (have >= protocol::header_size) {
      const std::size_t length = reachback::read_be32(buffer, 4);
      if (protocol::header_size + length > buffer.size()) return {};
      if (have >= protocol::header_size + length) {
        return {reinterpret_cast<const char*>(buffer.data()) + protocol::header_size, length};
      }
    }
    const auto n = ::recv(fd, buffer.data() + have, buffer.size() - have, 0);
    if (n <= 0) return {};
    have += static_cast<std::size_t>(n);
  }
}

bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::uint16_t> port_number(std::string_view text) {
  std::uint16_t port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc{} && end == text.data() + text.size() && port != 0 ? std::optional(port)
                                                                            : std::nullopt;
}

// Connects to the agent, greets it and reads its proof; true when it answered.
bool connect_back(sockaddr_in agent, std::string_view nonce) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  std::array<char, 256> proof{};
  const bool answered = ::connect(fd, reinterpret_cast<const sockaddr*>(&agent), sizeof agent) == 0 &&
                        send_all(fd, protocol::greeting_line(nonce)) &&
                        ::recv(fd, proof.data(), proof.size(), 0) > 0;
  ::close(fd);
  return answered;
}

void serve_session(int control, sockaddr_in client, const canned_frames& frames) {
  frame_buffer buffer{};
  if (read_frame(control, buffer).empty() || !send_all(control, frames.welcome)) return;
  const auto request = read_frame(control, buffer);
  const auto port = port_number(json_value(request, "port"));
  const auto nonce = json_value(request, "nonce");
  if (!port || nonce.size() != placeholder_nonce.size()) return;
  client.sin_port = htons(*port);
  if (!connect_back(client, nonce)) return;
  std::string result = frames.result;
  std::copy(nonce.begin(), nonce.end(), result.begin() + static_cast<std::ptrdiff_t>(frames.nonce_at));
  if (!send_all(control, result)) return;
  static_cast<void>(::recv(control, buffer.data(), buffer.size(), 0));  // the client's EOF
}

[[noreturn]] void serve_forever(int listener, const canned_frames& frames) {
  for (;;) {
    sockaddr_in client{};
    socklen_t size = sizeof client;
    const int control = ::accept4(listener, reinterpret_cast<sockaddr*>(&client), &size, SOCK_CLOEXEC);
    if (control < 0 && (errno == EINTR || errno == ECONNABORTED)) continue;
    if (control < 0) {
      // Out of descriptors or worse: retrying would spin and count as the
      // floor's CPU, so the benchmark fails instead.
      std::fprintf(stderr, "relay_floor: accept: %s\n", std::strerror(errno));
      std::exit(1);
    }
    serve_session(control, client, frames);
    ::close(control);
  }
}

struct floor_options {
  sockaddr_in listen{};
  int threads = 64;
};

std::optional<sockaddr_in> parse_listen(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  const auto port = port_number(text.substr(colon + 1));
  if (!port || ::inet_pton(AF_INET, std::string(text.substr(0, colon)).c_str(), &address.sin_addr) != 1) {
    return std::nullopt;
  }
  address.sin_port = htons(*port);
  return address;
}

std::optional<floor_options> parse(const std::vector<std::string_view>& args) {
  floor_options opts;
  bool listen_given = false;
  if (args.size() % 2 != 0) return std::nullopt;
  for (std::size_t i = 0; i < args.size(); i += 2) {
    const auto value = args[i + 1];
    if (args[i] == "--listen") {
      const auto address = parse_listen(value);
      if (!address) return std::nullopt;
      opts.listen = *address;
      listen_given = true;
    } else if (args[i] == "--threads") {
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), opts.threads);
      if (ec != std::errc{} || end != value.data() + value.size() || opts.threads < 1) return std::nullopt;
    } else {
      return std::nullopt;
    }
  }
  return listen_given ? std::optional(opts) : std::nullopt;
}

int listen_on(const sockaddr_in& address) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int on = 1;
  if (fd < 0 || ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, SOMAXCONN) != 0) {
    return -1;
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  const auto opts = parse({argv + 1, argv + argc});
  if (!opts) {
    std::fprintf(stderr, "relay_floor: usage: relay_floor --listen ADDR:PORT [--threads N]\n");
    return 2;
  }
  const int listener = listen_on(opts->listen);
  if (listener < 0) {
    std::fprintf(stderr, "relay_floor: cannot listen: %s\n", std::strerror(errno));
    return 1;
  }
  const auto frames = make_canned_frames();
  std::vector<std::thread> workers;
  for (int i = 0; i < opts->threads; ++i) workers.emplace_back(serve_forever, listener, std::cref(frames));
  std::array<char, INET_ADDRSTRLEN> text{};
  ::inet_ntop(AF_INET, &opts->listen.sin_addr, text.data(), text.size());
  std::fprintf(stderr, "relay_floor: listening on %s:%u\n", text.data(), ntohs(opts->listen.sin_port));
  for (auto& worker : workers) worker.join();
}
