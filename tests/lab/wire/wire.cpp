// SPDX-License-Identifier: MIT
// reachback-lab-wire: joins two network namespaces with a pair of TUN
// devices and carries packets between them after a fixed one-way delay,
// dropping a configurable share. The lab's stand-in for netem, which this
// kernel lacks. Runs until SIGTERM/SIGINT/SIGHUP or until the lab script
// that started it dies.

#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <span>
#include <system_error>

#include "common/cli_compat.hpp"

#include "delay_line.hpp"
#include "tun_device.hpp"

namespace {

using reachback::lab::delay_limits;
using reachback::lab::delay_line;
using reachback::lab::tun_device;
using clock_type = delay_line::clock;

struct wire_options {
  std::string ns_a;
  std::string dev_a;
  std::string ns_b;
  std::string dev_b;
  double delay_ms = 0;
  double loss_percent = 0;
  std::uint64_t seed = 0;
  std::size_t max_packets = delay_limits{}.max_packets;
  std::size_t max_bytes = delay_limits{}.max_bytes;
};

/// Decides, packet by packet, whether the wire loses it.
class loss_model {
 public:
  loss_model(double percent, std::uint64_t seed)
      : rng_{seed != 0 ? seed : std::random_device{}()}, drop_{percent / 100.0} {}
  bool lose() { return drop_(rng_); }

 private:
  std::mt19937_64 rng_;
  std::bernoulli_distribution drop_;
};

/// One direction of the wire: packets read from `from` wait in `line`, then
/// are written to `to`.
struct direction {
  const tun_device& from;
  const tun_device& to;
  delay_line line;
  std::uint64_t lost = 0;
  std::uint64_t write_errors = 0;
};

// Reading is bounded per wake-up so a flood in one direction cannot starve
// the other or the signal descriptor.
constexpr int max_reads_per_wakeup = 64;

/// Blocks the stop signals and returns a descriptor that reports them.
int stop_signal_fd() {
  sigset_t stop{};
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGHUP);
  if (sigprocmask(SIG_BLOCK, &stop, nullptr) != 0) {
    throw std::system_error{errno, std::generic_category(), "sigprocmask"};
  }
  const int fd = signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) {
    throw std::system_error{errno, std::generic_category(), "signalfd"};
  }
  return fd;
}

/// Asks for SIGTERM when the parent dies; false when it already has.
bool follow_parent(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
    throw std::system_error{errno, std::generic_category(), "prctl(PR_SET_PDEATHSIG)"};
  }
  return getppid() == parent;
}

void drain(direction& d, loss_model& loss, clock_type::time_point now) {
  static std::array<std::byte, 65536> buffer{};
  for (int i = 0; i < max_reads_per_wakeup; ++i) {
    const ssize_t n = read(d.from.fd(), buffer.data(), buffer.size());
    if (n <= 0) {
      return;  // EAGAIN, or the device went down: nothing more to read now
    }
    if (loss.lose()) {
      ++d.lost;
      continue;
    }
    d.line.push(std::span{buffer.data(), static_cast<std::size_t>(n)}, now);
  }
}

void deliver(direction& d, clock_type::time_point now) {
  while (auto packet = d.line.pop_due(now)) {
    // A full or downed device refuses the packet; a real wire loses it too.
    if (write(d.to.fd(), packet->data(), packet->size()) < 0) {
      ++d.write_errors;
    }
  }
}

/// How long ppoll may sleep: until the earliest due packet, or forever.
std::optional<timespec> sleep_budget(const direction& ab, const direction& ba,
                                     clock_type::time_point now) {
  std::optional<clock_type::time_point> due = ab.line.next_due();
  if (const auto other = ba.line.next_due(); other && (!due || *other < *due)) {
    due = other;
  }
  if (!due) {
    return std::nullopt;
  }
  const auto wait = std::max(clock_type::duration::zero(), *due - now);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
  return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

void report(const char* name, const direction& d) {
  const auto& c = d.line.counters();
  std::fprintf(stderr,
               "reachback-lab-wire: %s delivered=%llu lost=%llu overflow=%llu write_errors=%llu\n",
               name, static_cast<unsigned long long>(c.delivered),
               static_cast<unsigned long long>(d.lost), static_cast<unsigned long long>(c.overflow),
               static_cast<unsigned long long>(d.write_errors));
}

/// A TUN descriptor whose device was unregistered polls as an error forever.
bool device_gone(const pollfd& p) { return (p.revents & (POLLERR | POLLHUP | POLLNVAL)) != 0; }

void pump(direction& ab, direction& ba, loss_model& loss, int signal_fd) {
  std::array<pollfd, 3> fds{{{ab.from.fd(), POLLIN, 0}, {ba.from.fd(), POLLIN, 0},
                              {signal_fd, POLLIN, 0}}};
  for (;;) {
    auto now = clock_type::now();
    deliver(ab, now);
    deliver(ba, now);
    const auto budget = sleep_budget(ab, ba, now);
    if (ppoll(fds.data(), fds.size(), budget ? &*budget : nullptr, nullptr) < 0 && errno != EINTR) {
      throw std::system_error{errno, std::generic_category(), "ppoll"};
    }
    if ((fds[2].revents & POLLIN) != 0 || device_gone(fds[0]) || device_gone(fds[1])) {
      return;
    }
    now = clock_type::now();
    if ((fds[0].revents & POLLIN) != 0) {
      drain(ab, loss, now);
    }
    if ((fds[1].revents & POLLIN) != 0) {
      drain(ba, loss, now);
    }
  }
}

int run(const wire_options& o, pid_t parent) {
  const int signal_fd = stop_signal_fd();
  if (!follow_parent(parent)) {
    return 0;
  }
  const tun_device a = tun_device::create_in(o.ns_a, o.dev_a);
  const tun_device b = tun_device::create_in(o.ns_b, o.dev_b);
  const auto delay = std::chrono::duration_cast<clock_type::duration>(
      std::chrono::duration<double, std::milli>{o.delay_ms});
  const delay_limits limits{o.max_packets, o.max_bytes};
  direction ab{a, b, delay_line{delay, limits}};
  direction ba{b, a, delay_line{delay, limits}};
  loss_model loss{o.loss_percent, o.seed};
  std::printf("reachback-lab-wire: ready %s/%s <-> %s/%s delay=%gms loss=%g%%\n", o.ns_a.c_str(),
              o.dev_a.c_str(), o.ns_b.c_str(), o.dev_b.c_str(), o.delay_ms, o.loss_percent);
  std::fflush(stdout);
  pump(ab, ba, loss, signal_fd);
  report("a->b", ab);
  report("b->a", ba);
  close(signal_fd);
  return 0;
}

void setup_cli(CLI::App& app, wire_options& o) {
  app.add_option("--ns-a", o.ns_a, "Namespace of end A (name under /run/netns, or a path)")
      ->required();
  app.add_option("--dev-a", o.dev_a, "TUN device to create in namespace A")->required();
  app.add_option("--ns-b", o.ns_b, "Namespace of end B")->required();
  app.add_option("--dev-b", o.dev_b, "TUN device to create in namespace B")->required();
  app.add_option("--delay-ms", o.delay_ms, "One-way delay, each direction")
      ->check(CLI::Range(0.0, 10000.0))
      ->capture_default_str();
  app.add_option("--loss", o.loss_percent, "Percent of packets lost, each direction")
      ->check(CLI::Range(0.0, 100.0))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the loss model (0: random)")->capture_default_str();
  app.add_option("--max-packets", o.max_packets, "Packets waiting per direction, at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20U))
      ->capture_default_str();
  app.add_option("--max-bytes", o.max_bytes, "Bytes waiting per direction, at most")
      ->check(CLI::Range(std::size_t{65536}, std::size_t{1} << 30U))
      ->capture_default_str();
}

}  // namespace

int main(int argc, char** argv) {
  // Taken first: the parent that PR_SET_PDEATHSIG must follow is this one.
  const pid_t parent = getppid();
  CLI::App app{"Joins two network namespaces with TUN devices and a delaying, lossy wire"};
  wire_options options;
  setup_cli(app, options);
  CLI11_PARSE(app, argc, argv);
  try {
    return run(options, parent);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reachback-lab-wire: %s\n", e.what());
    return 1;
  }
}
