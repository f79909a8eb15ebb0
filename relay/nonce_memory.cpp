// SPDX-License-Identifier: MIT
#include "relay/nonce_memory.hpp"

#include <algorithm>

namespace reachback::relay {

nonce_memory::nonce_memory(std::size_t capacity, clock::duration window)
    : capacity_(std::max<std::size_t>(capacity, 1)), window_(window) {
  // index_ holds views into ring_: it must never reallocate. Pages are
  // touched only as nonces arrive.
  ring_.reserve(capacity_);
}

bool nonce_memory::first_use(std::string_view nonce, clock::time_point now) {
  if (!protocol::valid_nonce(nonce)) {
    return false;
  }
  while (!index_.empty() && now - ring_[oldest_].seen >= window_) {
    forget_oldest();
  }
  if (index_.contains(nonce)) {
    return false;
  }
  if (index_.size() == capacity_) {
    forget_oldest();
  }
  // The newest slot is the one just past the newest entry, modulo the ring.
  const auto slot = (oldest_ + index_.size()) % capacity_;
  if (slot == ring_.size()) {
    ring_.emplace_back();
  }
  auto& e = ring_[slot];
  std::copy(nonce.begin(), nonce.end(), e.nonce.begin());
  e.seen = now;
  index_.insert(text(e));
  return true;
}

void nonce_memory::forget_oldest() {
  index_.erase(text(ring_[oldest_]));
  oldest_ = (oldest_ + 1) % capacity_;
}

}  // namespace reachback::relay
