// SPDX-License-Identifier: MIT
#include "client/platform/path.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>
// iphlpapi.h before icmpapi.h, as the IP Helper documentation requires.
#include <iphlpapi.h>
#include <icmpapi.h>
#include <netioapi.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client/platform/ip_literal.hpp"
#include "client/platform/path_collate.hpp"
#include "client/platform/route_table.hpp"
#include "client/platform/win32_handle_windows.hpp"
#include "client/platform/winsock_windows.hpp"
#include "common/address.hpp"

namespace reachback::client::platform {

namespace {

using steady = std::chrono::steady_clock;

static_assert(ip_status::success == IP_SUCCESS);
static_assert(ip_status::dest_net_unreachable == IP_DEST_NET_UNREACHABLE);
static_assert(ip_status::dest_host_unreachable == IP_DEST_HOST_UNREACHABLE);
static_assert(ip_status::dest_prot_unreachable == IP_DEST_PROT_UNREACHABLE);
static_assert(ip_status::dest_port_unreachable == IP_DEST_PORT_UNREACHABLE);
static_assert(ip_status::req_timed_out == IP_REQ_TIMED_OUT);
static_assert(ip_status::ttl_expired_transit == IP_TTL_EXPIRED_TRANSIT);
static_assert(ip_status::ttl_expired_reassembly == IP_TTL_EXPIRED_REASSEM);
static_assert(ip_status::dest_unreachable == IP_DEST_UNREACHABLE);
static_assert(ip_status::dest_scope_mismatch == IP_DEST_SCOPE_MISMATCH);

constexpr std::string_view probe_payload = "reachback-path";
// An echo reply carries the payload back and an ICMP error quotes the
// dropped datagram; Windows also puts an IO_STATUS_BLOCK after the replies.
constexpr std::size_t reply_buffer_size = 1024;
// Each request's event is signalled by Windows at its own timeout; this is
// only slack for the driver's timer before a request is given up on.
constexpr std::chrono::milliseconds completion_grace{250};
// The longest hop timeout passed to Windows; path_options never comes close.
constexpr std::chrono::milliseconds max_hop_timeout{60'000};
// Any port: connect() on a UDP socket sends nothing.
constexpr u_short any_port = 33434;

struct icmp_closer {
  void operator()(HANDLE handle) const noexcept { ::IcmpCloseHandle(handle); }
};
using unique_icmp = std::unique_ptr<void, icmp_closer>;

// The head of ICMP_ECHO_REPLY and of ICMP_ECHO_REPLY32 (which a 64-bit
// process gets from IcmpParseReplies): the same three fields either way.
struct echo_reply_head {
  IPAddr address;
  ULONG status;
  ULONG round_trip_time;
};

// ICMPV6_ECHO_REPLY as Windows writes it. The SDK's ipexport.h packs
// IPV6_ADDRESS_EX to 1 byte (26 bytes, the address at offset 6); mingw-w64's
// copy of the header does not (28 bytes, the address at offset 8), so its
// struct would read every IPv6 hop two bytes off. The reply itself is not
// packed: Status follows at offset 28.
#pragma pack(push, 1)
struct ipv6_address_ex {
  USHORT port;
  ULONG flowinfo;
  std::uint8_t address[16];
  ULONG scope_id;
};
#pragma pack(pop)
struct echo6_reply {
  ipv6_address_ex address;
  ULONG status;
  unsigned int round_trip_time;
};
static_assert(sizeof(ipv6_address_ex) == 26 && offsetof(ipv6_address_ex, address) == 6,
              "IPV6_ADDRESS_EX as the Windows SDK lays it out");
static_assert(offsetof(echo6_reply, status) == 28 && offsetof(echo6_reply, round_trip_time) == 32,
              "ICMPV6_ECHO_REPLY as the Windows SDK lays it out");

// One echo request in flight. It lives on the heap and is never moved:
// Windows writes the answer into `reply` and signals `done` when it arrives
// or times out, after IcmpSendEcho2 has returned.
struct echo_request {
  int ttl = 0;
  unique_handle done;
  IP_OPTION_INFORMATION options{};
  std::array<char, probe_payload.size()> payload{};
  alignas(std::max_align_t) std::array<unsigned char, reply_buffer_size> reply{};
};
using echo_requests = std::vector<std::unique_ptr<echo_request>>;

unique_icmp open_icmp(int family) {
  const HANDLE handle = family == AF_INET ? ::IcmpCreateFile() : ::Icmp6CreateFile();
  if (handle == INVALID_HANDLE_VALUE) return unique_icmp{};
  return unique_icmp{handle};
}

DWORD start_echo(HANDLE icmp, const ip_literal& target, echo_request& request, DWORD timeout_ms) {
  const auto payload_size = static_cast<WORD>(request.payload.size());
  const auto reply_size = static_cast<DWORD>(request.reply.size());
  if (target.family == AF_INET) {
    IPAddr destination = 0;
    std::memcpy(&destination, target.bytes.data(), sizeof destination);
    return ::IcmpSendEcho2(icmp, request.done.get(), nullptr, nullptr, destination,
                           request.payload.data(), payload_size, &request.options,
                           request.reply.data(), reply_size, timeout_ms);
  }
  sockaddr_in6 source{};  // in6addr_any: the stack picks, as for any send
  source.sin6_family = AF_INET6;
  sockaddr_in6 destination{};
  destination.sin6_family = AF_INET6;
  std::memcpy(&destination.sin6_addr, target.bytes.data(), sizeof destination.sin6_addr);
  return ::Icmp6SendEcho2(icmp, request.done.get(), nullptr, nullptr, &source, &destination,
                          request.payload.data(), payload_size, &request.options,
                          request.reply.data(), reply_size, timeout_ms);
}

// Sends one echo with `ttl` without waiting for it; nullptr when it could
// not go out (e.g. no route at all: nothing will come back).
std::unique_ptr<echo_request> send_echo(HANDLE icmp, const ip_literal& target, int ttl,
                                        DWORD timeout_ms) {
  auto request = std::make_unique<echo_request>();
  request->ttl = ttl;
  request->done.reset(::CreateEventW(nullptr, TRUE, FALSE, nullptr));
  if (!request->done) return nullptr;
  request->options.Ttl = static_cast<UCHAR>(ttl);
  std::copy(probe_payload.begin(), probe_payload.end(), request->payload.begin());
  const DWORD result = start_echo(icmp, target, *request, timeout_ms);
  const DWORD error = ::GetLastError();
  // The documentation says ERROR_IO_PENDING is returned; Windows returns 0
  // and sets it as the last error. Either way the answer comes later.
  if (result == ERROR_IO_PENDING || (result == 0 && error == ERROR_IO_PENDING)) return request;
  if (result == 0) return nullptr;
  // A count of replies: it completed at once, and nothing will signal.
  ::SetEvent(request->done.get());
  return request;
}

bool wait_for(const echo_request& request, steady::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now());
  const auto wait_ms =
      static_cast<DWORD>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
  return ::WaitForSingleObject(request.done.get(), wait_ms) == WAIT_OBJECT_0;
}

// The parse functions may return 0 for an ICMP error, with its status in
// GetLastError(), and still leave the reply (address, status) in the
// buffer. A request that timed out leaves the buffer zeroed, and its
// unspecified address names no hop.
std::uint32_t status_of(DWORD parsed, ULONG reply_status, DWORD parse_error) {
  return parsed > 0 || reply_status != IP_SUCCESS ? reply_status : parse_error;
}

echo_answer read_answer(echo_request& request, int family) {
  echo_answer answer;
  answer.ttl = request.ttl;
  const auto size = static_cast<DWORD>(request.reply.size());
  if (family == AF_INET) {
    const DWORD parsed = ::IcmpParseReplies(request.reply.data(), size);
    const DWORD parse_error = parsed == 0 ? ::GetLastError() : ERROR_SUCCESS;
    echo_reply_head head{};
    std::memcpy(&head, request.reply.data(), sizeof head);
    std::array<std::uint8_t, 4> raw{};
    std::memcpy(raw.data(), &head.address, raw.size());
    answer.status = status_of(parsed, head.status, parse_error);
    answer.from = to_string(*ip_from_bytes(AF_INET, raw));
    answer.rtt_ms = head.round_trip_time;
    return answer;
  }
  const DWORD parsed = ::Icmp6ParseReplies(request.reply.data(), size);
  const DWORD parse_error = parsed == 0 ? ::GetLastError() : ERROR_SUCCESS;
  echo6_reply head{};
  std::memcpy(&head, request.reply.data(), sizeof head);
  std::array<std::uint8_t, 16> raw{};
  std::memcpy(raw.data(), head.address.address, raw.size());
  answer.status = status_of(parsed, head.status, parse_error);
  answer.from = to_string(*ip_from_bytes(AF_INET6, raw));
  answer.rtt_ms = head.round_trip_time;
  return answer;
}

// Windows may still write into a request after its deadline. Closing the
// ICMP handle cancels what is pending; a request that has still not
// completed is leaked rather than freed under the driver's feet.
void release_pending(unique_icmp icmp, echo_requests pending) {
  icmp.reset();
  const auto deadline = steady::now() + completion_grace;
  for (auto& request : pending) {
    if (!wait_for(*request, deadline)) static_cast<void>(request.release());
  }
}

// Round one sends every TTL at once; later rounds ask only the TTLs that
// stayed silent (routers rate-limit ICMP), so a walk costs at most
// max_ttl * probes_per_hop echoes and about probes_per_hop * hop_timeout.
// `this_host` tells this host's own failures from a router's answers.
std::vector<probe_reply> walk(const ip_literal& target, const path_options& options,
                              const std::vector<std::string>& this_host) {
  // Wine has no Icmp6CreateFile: an IPv6 walk there has no hops.
  auto icmp = open_icmp(target.family);
  if (!icmp) return {};
  const int max_ttl = std::clamp(options.max_ttl, 1, 255);
  const int rounds = std::max(options.probes_per_hop, 1);
  const auto hop_timeout =
      std::clamp(options.hop_timeout, std::chrono::milliseconds{1}, max_hop_timeout);
  const auto target_text = to_string(target);
  std::vector<probe_reply> replies;
  echo_requests pending;
  for (int round = 0; round < rounds; ++round) {
    const auto ttls = silent_ttls(replies, target_text, max_ttl);
    if (ttls.empty()) break;
    echo_requests in_flight;
    for (const int ttl : ttls) {
      auto request = send_echo(icmp.get(), target, ttl, static_cast<DWORD>(hop_timeout.count()));
      if (request) in_flight.push_back(std::move(request));
    }
    const auto deadline = steady::now() + hop_timeout + completion_grace;
    for (auto& request : in_flight) {
      if (!wait_for(*request, deadline)) {
        pending.push_back(std::move(request));
      } else if (auto reply = probe_reply_of(read_answer(*request, target.family), target_text,
                                             this_host)) {
        if (options.heard) options.heard(*reply);
        replies.push_back(std::move(*reply));
      }
    }
  }
  release_pending(std::move(icmp), std::move(pending));
  return replies;
}

std::optional<ip_literal> ip_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return ip_from_bytes(AF_INET,
                         std::span(reinterpret_cast<const std::uint8_t*>(&v4->sin_addr), 4));
  }
  if (address->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(address);
    return ip_from_bytes(AF_INET6,
                         std::span(reinterpret_cast<const std::uint8_t*>(&v6->sin6_addr), 16));
  }
  return std::nullopt;
}

std::string text_of(const SOCKADDR_INET& address) {
  const auto ip = ip_of(reinterpret_cast<const sockaddr*>(&address));
  return ip ? to_string(*ip) : std::string{};
}

// The address Windows picks toward the target: connect() a UDP socket
// (nothing is sent) and ask which local address it got. GetBestRoute2
// would say the same, but Wine does not implement it.
std::string source_address_toward(const ip_literal& target) {
  if (!winsock_started()) return {};
  const unique_socket s(::socket(target.family, SOCK_DGRAM, IPPROTO_UDP));
  if (!s) return {};
  sockaddr_storage destination{};
  int length = 0;
  if (target.family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&destination);
    v4->sin_family = AF_INET;
    v4->sin_port = ::htons(any_port);
    std::memcpy(&v4->sin_addr, target.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&destination);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = ::htons(any_port);
    std::memcpy(&v6->sin6_addr, target.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  }
  if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&destination), length) != 0) return {};
  sockaddr_storage local{};
  int local_length = sizeof local;
  if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&local), &local_length) != 0) return {};
  const auto ip = ip_of(reinterpret_cast<const sockaddr*>(&local));
  return ip ? to_string(*ip) : std::string{};
}

// What GetAdaptersAddresses tells: the adapters, every unicast address of
// every adapter (to recognise this host's own ICMP errors), and each
// interface's metrics (GetIpInterfaceEntry would give them too, but Wine 8
// aborts the process on it).
struct interface_metrics {
  ULONG64 luid = 0;
  ULONG v4 = 0;
  ULONG v6 = 0;
};
struct adapters_snapshot {
  std::vector<adapter_row> adapters;
  std::vector<std::string> every_unicast;
  std::vector<interface_metrics> metrics;
};

// The list can grow between the sizing call and the real one: a few tries.
std::vector<unsigned char> adapter_addresses_buffer() {
  constexpr ULONG flags = GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST |
                          GAA_FLAG_SKIP_DNS_SERVER | GAA_FLAG_SKIP_FRIENDLY_NAME;
  ULONG size = 16 * 1024;
  for (int attempt = 0; attempt < 4; ++attempt) {
    // operator new aligns for any fundamental type, as IP_ADAPTER_ADDRESSES needs.
    std::vector<unsigned char> buffer(size);
    const ULONG result = ::GetAdaptersAddresses(
        AF_UNSPEC, flags, nullptr, reinterpret_cast<IP_ADAPTER_ADDRESSES*>(buffer.data()), &size);
    if (result == ERROR_SUCCESS) return buffer;
    if (result != ERROR_BUFFER_OVERFLOW) return {};
  }
  return {};
}

adapters_snapshot read_adapters() {
  adapters_snapshot snapshot;
  auto buffer = adapter_addresses_buffer();
  if (buffer.empty()) return snapshot;
  for (auto* a = reinterpret_cast<const IP_ADAPTER_ADDRESSES*>(buffer.data()); a != nullptr;
       a = a->Next) {
    adapter_row row;
    row.up = a->OperStatus == IfOperStatusUp;
    row.loopback = a->IfType == IF_TYPE_SOFTWARE_LOOPBACK;
    for (auto* u = a->FirstUnicastAddress; u != nullptr; u = u->Next) {
      if (const auto ip = ip_of(u->Address.lpSockaddr)) row.unicast.push_back(to_string(*ip));
    }
    snapshot.every_unicast.insert(snapshot.every_unicast.end(), row.unicast.begin(),
                                  row.unicast.end());
    snapshot.metrics.push_back({a->Luid.Value, a->Ipv4Metric, a->Ipv6Metric});
    snapshot.adapters.push_back(std::move(row));
  }
  return snapshot;
}

ULONG interface_metric_of(const std::vector<interface_metrics>& metrics, ULONG64 luid,
                          ip_version version) {
  const auto found = std::find_if(metrics.begin(), metrics.end(),
                                  [luid](const interface_metrics& m) { return m.luid == luid; });
  if (found == metrics.end()) return 0;
  return version == ip_version::v4 ? found->v4 : found->v6;
}

struct mib_table_free {
  void operator()(MIB_IPFORWARD_TABLE2* table) const noexcept { ::FreeMibTable(table); }
};

std::vector<route_row> forward_table(ip_version version,
                                     const std::vector<interface_metrics>& metrics) {
  MIB_IPFORWARD_TABLE2* raw = nullptr;
  const ADDRESS_FAMILY family = version == ip_version::v4 ? AF_INET : AF_INET6;
  if (::GetIpForwardTable2(family, &raw) != NO_ERROR || raw == nullptr) return {};
  const std::unique_ptr<MIB_IPFORWARD_TABLE2, mib_table_free> table(raw);
  std::vector<route_row> rows;
  const std::span entries(table->Table, table->NumEntries);
  for (const auto& entry : entries) {
    rows.push_back({text_of(entry.DestinationPrefix.Prefix),
                    entry.DestinationPrefix.PrefixLength,
                    text_of(entry.NextHop),
                    entry.Metric,
                    interface_metric_of(metrics, entry.InterfaceLuid.Value, version)});
  }
  return rows;
}

}  // namespace

first_hop first_hop_toward(const std::string& relay_address) {
  const auto target = parse_ip(relay_address);
  if (!target) return {};
  const auto version = target->family == AF_INET ? ip_version::v4 : ip_version::v6;
  return {default_gateway(forward_table(version, read_adapters().metrics), version), source_address_toward(*target)};
}

path_evidence trace_path(const std::string& relay_address, const path_options& options) {
  path_evidence evidence;
  const auto target = parse_ip(relay_address);
  if (!target) return evidence;
  const auto target_text = to_string(*target);
  const auto version = target->family == AF_INET ? ip_version::v4 : ip_version::v6;
  const auto snapshot = read_adapters();
  evidence.host_addresses = host_addresses_of(snapshot.adapters);
  if (classify_address(target_text) == address_class::loopback) {
    // The relay is this host: no router lies between, so nothing is sent.
    // Linux's walk ends the same way, at TTL 1 with the relay's answer.
    evidence.reached_relay = true;
  } else {
    const auto result = collate_walk(walk(*target, options, snapshot.every_unicast), target_text);
    evidence.hops = result.hops;
    evidence.reached_relay = result.reached;
  }
  evidence.source_address = source_address_toward(*target);
  evidence.default_gateway = default_gateway(forward_table(version, snapshot.metrics), version);
  return evidence;
}

}  // namespace reachback::client::platform
