// SPDX-License-Identifier: MIT
#include "relay/probe_classify.hpp"

#include <array>
#include <cerrno>
#include <string>

#include "common/asio_compat.hpp"

namespace reachback::relay {
namespace {

constexpr int icmp4_time_exceeded = 11;
constexpr int icmp6_time_exceeded = 3;

bool is_refused(const std::error_code& ec) noexcept {
  return ec == std::errc::connection_refused;
}

const queued_error* icmp_entry(const probe_attempt& attempt) noexcept {
  return attempt.queued && attempt.queued->from_icmp() ? &*attempt.queued : nullptr;
}

struct local_errno {
  int error;
  std::string_view cause;
};

// Each is the relay's own shortage: no packet left, or none could.
constexpr std::array<local_errno, 7> local_errnos = {{
    {EMFILE, "out of file descriptors (EMFILE)"},
    {ENFILE, "the system is out of file descriptors (ENFILE)"},
    {EADDRNOTAVAIL, "out of local ports or addresses (EADDRNOTAVAIL)"},
    {EADDRINUSE, "out of local ports (EADDRINUSE)"},
    {EAGAIN, "out of local ports or socket buffers (EAGAIN)"},
    {ENOBUFS, "out of socket buffers (ENOBUFS)"},
    {ENOMEM, "out of memory (ENOMEM)"},
}};

// An errno value. Asio reports system calls' errors in a category of its
// own ("asio.system"), whose conditions do not all map to std::errc (EMFILE
// does not), so the number is what counts.
bool is_errno(const std::error_code& ec) noexcept {
  return ec.category() == std::system_category() || ec.category() == std::generic_category() ||
         ec.category() == asio::error::get_system_category();
}

}  // namespace

std::optional<std::string> local_cause(const std::error_code& ec) {
  if (!is_errno(ec)) return std::nullopt;
  for (const auto& local : local_errnos) {
    if (ec.value() == local.error) return std::string(local.cause);
  }
  return std::nullopt;
}

std::optional<local_failure> local_failure_of(const probe_attempt& attempt,
                                              std::string_view part) {
  if (auto cause = local_cause(attempt.error)) return local_failure{std::string(part) + ": " + *cause};
  if (attempt.open_failed) {
    return local_failure{std::string(part) + ": cannot open a socket: " + attempt.error.message()};
  }
  return std::nullopt;
}

bool is_time_exceeded(const queued_error& e) noexcept {
  return e.type == (e.is_icmp6() ? icmp6_time_exceeded : icmp4_time_exceeded);
}

icmp_info to_icmp_info(const queued_error& e) {
  return icmp_info{.type = e.type, .code = e.code, .from = e.offender};
}

sweep_hop classify_sweep_probe(const probe_attempt& attempt, int ttl, std::string_view dialed,
                               sweep_reply answered_as) {
  sweep_hop hop;
  hop.ttl = ttl;
  hop.rtt_ms = attempt.elapsed_ms;
  hop.attempts = 1;
  if (const auto* icmp = icmp_entry(attempt)) {
    // Checked first: an ICMP port unreachable also fails connect() with
    // ECONNREFUSED, yet it is a router's or host's ICMP, not a TCP reset.
    hop.reply = is_time_exceeded(*icmp) ? sweep_reply::time_exceeded : sweep_reply::unreachable;
    hop.from = icmp->offender;
    hop.icmp = to_icmp_info(*icmp);
    hop.reply_ttl = icmp->arrival_ttl;
  } else if (attempt.connected) {
    hop.reply = answered_as;
    hop.from = std::string(dialed);
  } else if (is_refused(attempt.error)) {
    hop.reply = sweep_reply::rst;
    hop.from = std::string(dialed);
  } else if (attempt.timed_out) {
    hop.reply = sweep_reply::silence;
  } else {
    // No route: this relay cannot reach the target at all.
    hop.reply = sweep_reply::unreachable;
  }
  return hop;
}

connect_failure classify_connect_failure(const probe_attempt& attempt) {
  if (const auto* icmp = icmp_entry(attempt)) {
    return {connect_outcome::unreachable, to_icmp_info(*icmp)};
  }
  if (is_refused(attempt.error)) {
    return {connect_outcome::refused, std::nullopt};
  }
  if (attempt.timed_out) {
    return {connect_outcome::timeout, std::nullopt};
  }
  return {connect_outcome::unreachable, std::nullopt};
}

}  // namespace reachback::relay
