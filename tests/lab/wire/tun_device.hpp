// SPDX-License-Identifier: MIT
#pragma once
// A TUN device created inside a named network namespace. The device lives as
// long as its file descriptor: closing it (or the process dying) removes it.

#include <string>

namespace reachback::lab {

/// An open, non-blocking TUN device (IFF_TUN | IFF_NO_PI): each read() gives
/// one IP packet, each write() injects one.
class tun_device {
 public:
  /// Creates the device `name` inside the network namespace `netns` (a name
  /// under /run/netns, or a path such as /proc/PID/ns/net) and returns the
  /// calling thread to the namespace it was in. Throws std::system_error.
  [[nodiscard]] static tun_device create_in(const std::string& netns, const std::string& name);

  ~tun_device();
  tun_device(tun_device&& other) noexcept;
  tun_device& operator=(tun_device&& other) noexcept;
  tun_device(const tun_device&) = delete;
  tun_device& operator=(const tun_device&) = delete;

  /// The descriptor to poll, read and write.
  [[nodiscard]] int fd() const noexcept { return fd_; }
  /// The interface name inside its namespace.
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  tun_device(int fd, std::string name) noexcept;

  int fd_ = -1;
  std::string name_;
};

}  // namespace reachback::lab
