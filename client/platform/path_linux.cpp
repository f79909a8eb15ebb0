// SPDX-License-Identifier: MIT
#include "client/platform/path.hpp"

#include <ifaddrs.h>
#include <linux/errqueue.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "client/platform/path_collate.hpp"
#include "client/platform/posix_io.hpp"
#include "client/platform/proc_net_route.hpp"
#include "common/icmp_error_queue.hpp"

namespace reachback::client::platform {

namespace {

using steady = std::chrono::steady_clock;

// Like traceroute: UDP to a port nobody listens on, so the relay itself
// answers with ICMP port unreachable. Each probe gets the next port.
constexpr std::uint16_t first_probe_port = 33434;
constexpr std::string_view probe_payload = "reachback-path";

// The per-family socket options and ICMP numbers; the walk is the same.
struct icmp_family {
  int level;
  int hops_option;
  int recverr_option;
  std::uint8_t origin;
  std::uint8_t time_exceeded;
  std::uint8_t unreachable;
};
constexpr icmp_family icmp_v4{IPPROTO_IP,        IP_TTL,           IP_RECVERR,
                              SO_EE_ORIGIN_ICMP, ICMP_TIME_EXCEEDED, ICMP_DEST_UNREACH};
constexpr icmp_family icmp_v6{IPPROTO_IPV6,       IPV6_UNICAST_HOPS,   IPV6_RECVERR,
                              SO_EE_ORIGIN_ICMP6, ICMP6_TIME_EXCEEDED, ICMP6_DST_UNREACH};

const icmp_family& icmp_for(const ip_literal& target) {
  return target.family == AF_INET ? icmp_v4 : icmp_v6;
}

// One socket per probe: an ICMP error also sets the socket's pending error,
// which would fail the next send on a reused socket.
struct probe {
  int ttl = 0;
  unique_fd fd;
  steady::time_point sent;
  bool answered = false;
};

std::optional<probe> send_probe(const ip_literal& target, int ttl, std::uint16_t port) {
  const auto& icmp = icmp_for(target);
  unique_fd fd(::socket(target.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd || set_int_option(fd.get(), icmp.level, icmp.hops_option, ttl) ||
      set_int_option(fd.get(), icmp.level, icmp.recverr_option, 1)) {
    return std::nullopt;
  }
  const auto destination = make_socket_address(target, port);
  const auto sent = steady::now();
  if (::sendto(fd.get(), probe_payload.data(), probe_payload.size(), 0, destination.get(),
               destination.length) < 0) {
    return std::nullopt;  // e.g. no route at all: nothing will come back
  }
  return probe{ttl, std::move(fd), sent};
}

std::optional<probe_outcome> outcome_of(const queued_error& error, const icmp_family& icmp) {
  if (error.origin != icmp.origin) return std::nullopt;  // local errors say nothing of the path
  if (error.type == icmp.time_exceeded) return probe_outcome::time_exceeded;
  if (error.type == icmp.unreachable) return probe_outcome::unreachable;
  return std::nullopt;
}

// The reply an error-queue entry stands for: an ICMP error of the probe's
// family, with an offender to name the hop.
std::optional<probe_reply> reply_from(const queued_error& error, const probe& sent,
                                      const icmp_family& icmp) {
  const auto outcome = outcome_of(error, icmp);
  if (!outcome || error.offender.empty()) return std::nullopt;
  const std::chrono::duration<double, std::milli> rtt = steady::now() - sent.sent;
  return probe_reply{sent.ttl, error.offender, *outcome, rtt.count()};
}

// Reads every queued error of one probe socket.
void drain_errors(probe& sent, const icmp_family& icmp, const path_options& options,
                  std::vector<probe_reply>& replies) {
  for (auto read = read_error_queue(sent.fd.get()); read.received;
       read = read_error_queue(sent.fd.get())) {
    if (!read.entry) continue;
    if (auto reply = reply_from(*read.entry, sent, icmp)) {
      if (options.heard) options.heard(*reply);
      replies.push_back(std::move(*reply));
      sent.answered = true;
    }
  }
  // Clear the pending socket error, so poll() stops reporting POLLERR.
  int pending = 0;
  socklen_t length = sizeof pending;
  ::getsockopt(sent.fd.get(), SOL_SOCKET, SO_ERROR, &pending, &length);
}

bool walk_complete(const std::vector<probe_reply>& replies, const std::string& target,
                   int max_ttl) {
  return walk_end(replies, target) && silent_ttls(replies, target, max_ttl).empty();
}

// Waits for ICMP errors on every unanswered probe until the walk is complete
// or `deadline` passes. Each poll() either consumes an error or times out.
void collect_replies(std::vector<probe>& probes, const ip_literal& target, const path_options& options,
                     int max_ttl, steady::time_point deadline, std::vector<probe_reply>& replies) {
  const auto target_text = to_string(target);
  const auto& icmp = icmp_for(target);
  while (!walk_complete(replies, target_text, max_ttl)) {
    std::vector<pollfd> waiting;
    std::vector<probe*> owners;
    for (auto& p : probes) {
      if (p.answered) continue;
      waiting.push_back(pollfd{p.fd.get(), 0, 0});  // POLLERR is always reported
      owners.push_back(&p);
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now());
    if (waiting.empty() || left.count() <= 0) return;
    const int ready = ::poll(waiting.data(), waiting.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return;
    for (std::size_t i = 0; i < waiting.size(); ++i) {
      if (waiting[i].revents != 0) drain_errors(*owners[i], icmp, options, replies);
    }
  }
}

// Round one sends every TTL at once; later rounds ask only the TTLs that
// stayed silent (routers rate-limit ICMP), so a walk costs at most
// max_ttl * probes_per_hop datagrams and probes_per_hop * hop_timeout.
std::vector<probe_reply> walk(const ip_literal& target, const path_options& options) {
  const int max_ttl = std::clamp(options.max_ttl, 1, 255);
  const int rounds = std::max(options.probes_per_hop, 1);
  const auto target_text = to_string(target);
  std::vector<probe_reply> replies;
  std::vector<probe> probes;
  std::uint16_t next_port = first_probe_port;
  for (int round = 0; round < rounds; ++round) {
    std::vector<int> ttls = silent_ttls(replies, target_text, max_ttl);
    if (walk_complete(replies, target_text, max_ttl) || ttls.empty()) break;
    for (int ttl : ttls) {
      if (auto sent = send_probe(target, ttl, next_port++)) probes.push_back(std::move(*sent));
    }
    collect_replies(probes, target, options, max_ttl, steady::now() + options.hop_timeout, replies);
  }
  return replies;
}

// The address the kernel picks toward the target: connect() a UDP socket
// (nothing is sent) and ask which local address it got.
std::string source_address_toward(const ip_literal& target) {
  const unique_fd fd(::socket(target.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return {};
  const auto destination = make_socket_address(target, first_probe_port);
  if (::connect(fd.get(), destination.get(), destination.length) != 0) return {};
  socket_address local;
  local.length = sizeof local.storage;
  if (::getsockname(fd.get(), local.get(), &local.length) != 0) return {};
  const auto split = split_socket_address(local.get());
  return split ? to_string(split->first) : std::string{};
}

std::optional<std::string> default_gateway_for(const ip_literal& target) {
  if (target.family == AF_INET) {
    return default_gateway_v4(read_small_file("/proc/net/route").value_or(""));
  }
  return default_gateway_v6(read_small_file("/proc/net/ipv6_route").value_or(""));
}

// Addresses on interfaces that are up, without loopback, and without IPv6
// link-local ones: no relay can ever see those as a source.
std::vector<std::string> host_addresses() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return {};
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  std::vector<std::string> addresses;
  for (const auto* i = list.get(); i != nullptr; i = i->ifa_next) {
    if ((i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const auto split = split_socket_address(i->ifa_addr);
    if (!split || is_link_local_v6(split->first)) continue;
    auto text = to_string(split->first);
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
      addresses.push_back(std::move(text));
    }
  }
  return addresses;
}

}  // namespace

first_hop first_hop_toward(const std::string& relay_address) {
  const auto target = parse_ip(relay_address);
  if (!target) return {};
  return {default_gateway_for(*target), source_address_toward(*target)};
}

path_evidence trace_path(const std::string& relay_address, const path_options& options) {
  path_evidence evidence;
  const auto target = parse_ip(relay_address);
  if (!target) return evidence;
  const auto result = collate_walk(walk(*target, options), to_string(*target));
  evidence.hops = result.hops;
  evidence.reached_relay = result.reached;
  const auto first = first_hop_toward(relay_address);
  evidence.source_address = first.source_address;
  evidence.default_gateway = first.gateway;
  evidence.host_addresses = host_addresses();
  return evidence;
}

}  // namespace reachback::client::platform
