// SPDX-License-Identifier: MIT
#pragma once
// The nonces the relay has probed with lately, so that one is never used
// twice: a replayed probe_request must not verify again. Fixed capacity:
// the oldest nonce is forgotten first, when it leaves the window or when
// room is needed. Pure: time comes in as an argument.

#include <array>
#include <chrono>
#include <cstddef>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "common/codec.hpp"

namespace reachback::relay {

class nonce_memory {
 public:
  using clock = std::chrono::steady_clock;
  /// A nonce is refused again for this long (PROTOCOL.md, Nonces).
  static constexpr std::chrono::minutes default_window{10};
  /// At most this many nonces are kept: about 5 MiB. 20 probes a minute
  /// from every one of the 256 sessions still fit 10 minutes' worth.
  static constexpr std::size_t default_capacity = 65'536;

  explicit nonce_memory(std::size_t capacity = default_capacity,
                        clock::duration window = default_window);
  nonce_memory(const nonce_memory&) = delete;
  nonce_memory& operator=(const nonce_memory&) = delete;

  /// Remembers `nonce` at `now` and returns true, unless it was remembered
  /// within the window: then false, and nothing changes. A nonce that is not
  /// protocol::valid_nonce is never fresh.
  [[nodiscard]] bool first_use(std::string_view nonce, clock::time_point now);

  /// Nonces remembered now; never more than the capacity.
  [[nodiscard]] std::size_t size() const noexcept { return index_.size(); }

 private:
  struct entry {
    std::array<char, protocol::nonce_digits> nonce{};
    clock::time_point seen;
  };

  void forget_oldest();
  [[nodiscard]] std::string_view text(const entry& e) const noexcept {
    return {e.nonce.data(), e.nonce.size()};
  }

  std::size_t capacity_;
  clock::duration window_;
  std::vector<entry> ring_;  ///< grows to capacity_ once, then wraps
  std::size_t oldest_ = 0;   ///< index in ring_ of the oldest remembered nonce
  /// Views into ring_'s entries; an entry leaves here before it is reused.
  std::unordered_set<std::string_view> index_;
};

}  // namespace reachback::relay
