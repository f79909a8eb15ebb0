// SPDX-License-Identifier: MIT
#include "client/platform/capture.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <functional>
#include <mutex>
#include <system_error>
#include <thread>

#include "client/platform/bpf_filter.hpp"
#include "client/platform/packet.hpp"
#include "client/platform/posix_io.hpp"

namespace reachback::client::platform {

namespace {

constexpr std::string_view needs_cap_net_raw =
    "packet capture needs CAP_NET_RAW: run probe-client as root, or grant it once with "
    "`sudo setcap cap_net_raw+ep \"$(command -v probe-client)\"`";
// A capture nobody finishes must not hold a raw socket for ever: the reader
// ends by itself after this long (a whole probe run takes seconds), and
// checks the clock at least every poll_interval.
constexpr auto max_capture_time = std::chrono::minutes(10);
constexpr int poll_interval_ms = 500;
// Packets read in one go before the stop signal is looked at again; bounds
// how long a flood can keep the reader from stopping.
constexpr int max_batch = 256;
// Batches drained at once: what was queued before finish() or peek().
constexpr int max_drain_batches = 16;

std::string unavailable_because(std::string_view what, const std::error_code& ec) {
  return std::string(what) + ": " + ec.message();
}

capture_evidence unavailable(const std::string& reason) {
  capture_evidence evidence;
  evidence.unavailable_reason = reason;
  return evidence;
}

// Opens the socket with protocol 0, which receives nothing, attaches the
// filter, and only then binds to every protocol on every interface: no
// unfiltered packet can slip in between.
unique_fd open_capture_socket(const ip_literal& relay, transport protocol, std::string& reason) {
  unique_fd fd(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    const auto ec = last_error();
    reason = (ec == std::errc::operation_not_permitted || ec == std::errc::permission_denied)
                 ? std::string(needs_cap_net_raw)
                 : unavailable_because("packet capture unavailable", ec);
    return fd;
  }
  auto program = relay_filter(relay, protocol);
  const sock_fprog filter{static_cast<unsigned short>(program.size()), program.data()};
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_ATTACH_FILTER, &filter, sizeof filter) != 0) {
    reason = unavailable_because("packet capture filter rejected", last_error());
    return unique_fd{};
  }
  sockaddr_ll everywhere{};
  everywhere.sll_family = AF_PACKET;
  everywhere.sll_protocol = htons(ETH_P_ALL);  // ETH_P_ALL: outgoing packets too
  everywhere.sll_ifindex = 0;                  // every interface
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&everywhere), sizeof everywhere) != 0) {
    reason = unavailable_because("packet capture bind failed", last_error());
    return unique_fd{};
  }
  return fd;
}

// What the reader thread and peek() share. relay and protocol are set
// before the reader starts and never change.
struct shared_tally {
  ip_literal relay;
  transport protocol = transport::tcp;
  std::mutex mutex;
  capture_tally tally;
};

// Reads what is queued without blocking; false once the queue is empty.
bool read_batch(int fd, shared_tally& shared) {
  const std::lock_guard lock(shared.mutex);
  auto& tally = shared.tally;
  for (int i = 0; i < max_batch; ++i) {
    std::array<std::uint8_t, capture_snap_length> buffer{};
    sockaddr_ll from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = ::recvfrom(fd, buffer.data(), buffer.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_length);
    if (n < 0) return errno == EINTR;
    // PACKET_HOST only: a promiscuous interface also shows packets for others.
    if (from.sll_pkttype != PACKET_OUTGOING && from.sll_pkttype != PACKET_HOST) continue;
    const auto direction = from.sll_pkttype == PACKET_OUTGOING ? packet_direction::outbound
                                                                : packet_direction::inbound;
    tally_captured(tally, std::span<const std::uint8_t>(buffer).first(static_cast<std::size_t>(n)), direction,
                   shared.relay, shared.protocol);
  }
  return true;
}

// Reads what the kernel has queued so far, bounded against a flood.
void drain(int fd, shared_tally& tally) {
  bool more = true;
  for (int batch = 0; more && batch < max_drain_batches; ++batch) {
    more = read_batch(fd, tally);
  }
}

// Runs on the reader thread until `stop` is signalled, then drains what the
// kernel queued before the stop: the answer to the last SYN is usually
// already in the socket when finish() is called, and must not be missed.
void read_loop(int fd, int stop, shared_tally& tally) {
  const auto give_up = std::chrono::steady_clock::now() + max_capture_time;
  while (std::chrono::steady_clock::now() < give_up) {
    std::array<pollfd, 2> watched{pollfd{fd, POLLIN, 0}, pollfd{stop, POLLIN, 0}};
    if (::poll(watched.data(), watched.size(), poll_interval_ms) < 0 && errno != EINTR) break;
    if (watched[1].revents != 0) break;
    if (watched[0].revents != 0) read_batch(fd, tally);
  }
  drain(fd, tally);
}

}  // namespace

struct packet_capture::state {
  unique_fd socket;
  unique_fd stop;
  std::thread reader;
  shared_tally seen;
  std::string unavailable_reason = "packet capture was not started";
  bool available = false;

  void stop_reader() {
    if (!reader.joinable()) return;
    const std::uint64_t one = 1;
    // An eventfd write of 8 bytes cannot block or be partial.
    [[maybe_unused]] const auto written = ::write(stop.get(), &one, sizeof one);
    reader.join();
  }
  ~state() { stop_reader(); }
};

packet_capture::packet_capture() : state_(std::make_unique<state>()) {}

packet_capture::~packet_capture() = default;

void packet_capture::start(const std::string& relay_address, transport protocol) {
  state_ = std::make_unique<state>();  // a restart forgets the previous run
  auto& s = *state_;
  const auto relay = parse_ip(relay_address);
  if (!relay) {
    s.unavailable_reason = "packet capture needs a numeric relay address, got \"" + relay_address + "\"";
    return;
  }
  s.seen.relay = *relay;
  s.seen.protocol = protocol;
  s.socket = open_capture_socket(*relay, protocol, s.unavailable_reason);
  if (!s.socket) return;
  s.stop = unique_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!s.stop) {
    s.unavailable_reason = unavailable_because("packet capture unavailable", last_error());
    return;
  }
  try {
    s.reader = std::thread(read_loop, s.socket.get(), s.stop.get(), std::ref(s.seen));
  } catch (const std::system_error& e) {
    s.unavailable_reason = unavailable_because("packet capture thread", e.code());
    return;
  }
  s.available = true;
  s.unavailable_reason.clear();
}

capture_evidence packet_capture::peek(std::uint16_t expected_port) {
  auto& s = *state_;
  if (!s.available) return unavailable(s.unavailable_reason);
  // Drains the queue here rather than trusting the reader thread to be
  // done with it: the caller asks because something later than those
  // packets (the relay's report of its handshake) just arrived.
  drain(s.socket.get(), s.seen);
  const std::lock_guard lock(s.seen.mutex);
  return summarize_capture(s.seen.tally, expected_port);
}

capture_evidence packet_capture::finish(std::uint16_t expected_port) {
  auto& s = *state_;
  if (!s.available) return unavailable(s.unavailable_reason);
  s.stop_reader();
  return summarize_capture(s.seen.tally, expected_port);
}

}  // namespace reachback::client::platform
