// SPDX-License-Identifier: MIT
#include "tun_device.hpp"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <system_error>
#include <utility>

namespace reachback::lab {
namespace {

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error{errno, std::generic_category(), what};
}

/// Owns a descriptor until released.
class unique_fd {
 public:
  explicit unique_fd(int fd) noexcept : fd_{fd} {}
  ~unique_fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  unique_fd(unique_fd&& other) noexcept : fd_{std::exchange(other.fd_, -1)} {}
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  unique_fd& operator=(unique_fd&&) = delete;
  [[nodiscard]] int get() const noexcept { return fd_; }
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

unique_fd open_or_throw(const std::string& path, int flags) {
  unique_fd fd{::open(path.c_str(), flags | O_CLOEXEC)};
  if (fd.get() < 0) {
    throw_errno("open " + path);
  }
  return fd;
}

std::string netns_path(const std::string& netns) {
  return netns.find('/') == std::string::npos ? "/run/netns/" + netns : netns;
}

/// Moves the calling thread into a network namespace for its lifetime.
/// setns() is per thread, and the TUN device is created in whichever
/// namespace the thread is in at TUNSETIFF; the descriptor stays bound to
/// that device after the thread leaves.
class scoped_netns {
 public:
  explicit scoped_netns(const std::string& netns)
      : home_{open_or_throw("/proc/self/ns/net", O_RDONLY)} {
    const unique_fd target = open_or_throw(netns_path(netns), O_RDONLY);
    if (::setns(target.get(), CLONE_NEWNET) != 0) {
      throw_errno("setns into " + netns);
    }
  }
  ~scoped_netns() {
    // Failing to go home would leave the process in a lab namespace; there
    // is no sane way to continue.
    if (::setns(home_.get(), CLONE_NEWNET) != 0) {
      std::terminate();
    }
  }
  scoped_netns(const scoped_netns&) = delete;
  scoped_netns& operator=(const scoped_netns&) = delete;

 private:
  unique_fd home_;
};

}  // namespace

tun_device tun_device::create_in(const std::string& netns, const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    throw std::system_error{EINVAL, std::generic_category(), "interface name '" + name + "'"};
  }
  const scoped_netns inside{netns};
  unique_fd fd = open_or_throw("/dev/net/tun", O_RDWR | O_NONBLOCK);
  ifreq request{};
  request.ifr_flags = IFF_TUN | IFF_NO_PI;
  std::memcpy(request.ifr_name, name.data(), name.size());
  if (::ioctl(fd.get(), TUNSETIFF, &request) != 0) {
    throw_errno("TUNSETIFF " + name + " in " + netns);
  }
  return tun_device{fd.release(), name};
}

tun_device::tun_device(int fd, std::string name) noexcept : fd_{fd}, name_{std::move(name)} {}

tun_device::~tun_device() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

tun_device::tun_device(tun_device&& other) noexcept
    : fd_{std::exchange(other.fd_, -1)}, name_{std::move(other.name_)} {}

tun_device& tun_device::operator=(tun_device&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(other.fd_, -1);
    name_ = std::move(other.name_);
  }
  return *this;
}

}  // namespace reachback::lab
