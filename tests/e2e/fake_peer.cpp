// SPDX-License-Identifier: MIT
// fake-peer: a scripted TCP listener for the end-to-end tests. It plays the
// roles a real user meets: a process holding a port, a server with a banner,
// an HTTP server where a relay should be, a relay of another protocol
// version, and a relay that drops mid-session.
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
};

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
      {"drop", mode::drop}, {"wrong-version", mode::wrong_version}, {"half-frame", mode::half_frame}};
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
  const int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
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
  if (listen(fd, 64) != 0) die("listen");
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
  }
  return false;
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
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    // Tests read this to prove who was (not) dialed.
    std::printf("accepted\n");
    std::fflush(stdout);
    if (!serve(fd, s.what)) close(fd);
  }
}
