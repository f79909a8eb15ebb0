// SPDX-License-Identifier: MIT
#include "progress.hpp"

#include <ostream>

namespace reachback::client {

progress_line::progress_line(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}

progress_line::~progress_line() { clear(); }

void progress_line::stage(const std::string& text) {
  if (!enabled_) return;
  out_ << "\r\x1b[K… " << text << std::flush;
  drawn_ = true;
}

void progress_line::clear() {
  if (!drawn_) return;
  out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace reachback::client
