// SPDX-License-Identifier: MIT
// fake-peer: a scripted TCP listener (or UDP socket) for the end-to-end
// tests. It plays the roles a real user meets: a process holding a port, a
// server with a banner, an HTTP server where a relay should be, a relay of
// another protocol version, a relay from before UDP probes, a relay that
// drops mid-session, and a UDP program holding a port or echoing datagrams.
//
//   fake-peer --bind ADDR --port N --mode MODE
// Prints "listening <port>" on stdout once it accepts and "accepted" for each
// connection, then serves until killed
// or until stdin closes, so a test's death never leaves it behind.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

/// What the peer does with each connection.
enum class mode {
  hold,          ///< accept and say nothing
  banner,        ///< send a banner at once, then hold
  http,          ///< answer the first bytes with an HTTP error
  wrong_version, ///< answer with a reachback frame of protocol version 2
  drop,          ///< read the first bytes, then close
  half_frame,    ///< read, answer with half a frame, then close
  tcp_only_relay, ///< answer the hello with a welcome that lacks "udp_probe", then hold
  udp_hold,      ///< bind a UDP socket and read nothing
  udp_echo,      ///< bind a UDP socket and send each datagram back to its source
};

bool is_udp(mode what) { return what == mode::udp_hold || what == mode::udp_echo; }

struct settings {
  std::string address = "0.0.0.0";
  int port = 0;
  mode what = mode::hold;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "fake-peer: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(2);
}

bool parse_mode(std::string_view name, mode& out) {
  static constexpr std::pair<std::string_view, mode> names[] = {
      {"hold", mode::hold}, {"banner", mode::banner},           {"http", mode::http},
      {"drop", mode::drop}, {"wrong-version", mode::wrong_version}, {"half-frame", mode::half_frame},
      {"tcp-only-relay", mode::tcp_only_relay}, {"udp-hold", mode::udp_hold}, {"udp-echo", mode::udp_echo}};
  for (const auto& [n, m] : names) {
    if (n == name) {
      out = m;
      return true;
    }
  }
  return false;
}

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--bind") s.address = value;
    else if (flag == "--port") s.port = std::atoi(value);
    else if (flag == "--mode" && parse_mode(value, s.what)) continue;
    else {
      std::fprintf(stderr, "fake-peer: bad argument %s\n", argv[i]);
      std::exit(2);
    }
  }
  return s;
}

int listen_on(const settings& s) {
  const bool v6 = s.address.find(':') != std::string::npos;
  const bool udp = is_udp(s.what);
  const int fd = socket(v6 ? AF_INET6 : AF_INET, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  const int one = 1;
  if (!udp) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(s.port));
    if (inet_pton(AF_INET6, s.address.c_str(), &a->sin6_addr) != 1) die("bad address " + s.address);
    length = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(s.port));
    if (inet_pton(AF_INET, s.address.c_str(), &a->sin_addr) != 1) die("bad address " + s.address);
    length = sizeof *a;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) die("bind " + s.address);
  if (!udp && listen(fd, 64) != 0) die("listen");
  length = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  const auto port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                             : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  std::printf("listening %u\n", static_cast<unsigned>(port));
  std::fflush(stdout);
  return fd;
}

void send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// A welcome from a relay that probes TCP alone (PROTOCOL.md, welcome).
constexpr std::string_view tcp_only_welcome =
    R"({"observed_address":"127.0.0.1","observed_port":1,"relay_version":"0.8.0",)"
    R"("capabilities":["connect_back","ttl_sweep"]})";

/// Writes one frame: "RB", version 1, `type`, the payload's length (32-bit
/// big-endian) and the payload.
void send_frame(int fd, unsigned char type, std::string_view payload) {
  std::string frame = "RB";
  frame += static_cast<char>(1);
  frame += static_cast<char>(type);
  for (int shift = 24; shift >= 0; shift -= 8) frame += static_cast<char>((payload.size() >> shift) & 0xff);
  frame += payload;
  send_all(fd, frame);
}

/// Waits up to two seconds for the peer's first bytes.
bool await_bytes(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 2000) <= 0) return false;
  char buffer[512];
  return recv(fd, buffer, sizeof buffer, 0) > 0;
}

/// Handles one connection; returns whether to keep it open.
bool serve(int fd, mode what) {
  using namespace std::string_view_literals;
  switch (what) {
    case mode::hold: return true;
    case mode::banner: send_all(fd, "SSH-2.0-fake-peer\r\n"); return true;
    case mode::http:
      if (await_bytes(fd)) send_all(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
      return false;
    case mode::wrong_version:
      if (await_bytes(fd)) send_all(fd, "RB\x02\x02\x00\x00\x00\x02{}"sv);
      return false;
    case mode::drop: await_bytes(fd); return false;
    case mode::half_frame:
      if (await_bytes(fd)) send_all(fd, "RB\x01\x02\x00\x00\x01\x00{\"observed"sv);
      return false;
    case mode::tcp_only_relay:
      if (await_bytes(fd)) send_frame(fd, 2, tcp_only_welcome);
      return true;
    case mode::udp_hold:
    case mode::udp_echo: return false;
  }
  return false;
}

/// Echoes one datagram to its source, and says so.
void echo_datagram(int fd) {
  char buffer[2048];
  sockaddr_storage from{};
  socklen_t length = sizeof from;
  const auto n = recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
  if (n < 0) return;
  sendto(fd, buffer, static_cast<std::size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), length);
  std::printf("echoed\n");
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const auto s = parse(argc, argv);
  const int listener = listen_on(s);
  // Serve until stdin closes (the test ended) or a signal kills us.
  for (;;) {
    pollfd fds[2] = {{listener, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) die("poll");
    if (fds[1].revents != 0) {
      char c;
      if (read(STDIN_FILENO, &c, 1) <= 0) return 0;
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    if (s.what == mode::udp_echo) {
      echo_datagram(listener);
      continue;
    }
    if (s.what == mode::udp_hold) continue;
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    // Tests read this to prove who was (not) dialed.
    std::printf("accepted\n");
    std::fflush(stdout);
    if (!serve(fd, s.what)) close(fd);
  }
}
