// SPDX-License-Identifier: MIT
#pragma once
// Evidence values: everything the client and the relay observe, as plain data.
// Gatherers (client/, relay/) produce these; the verdict engine consumes them.
// Nothing here does I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace reachback {

/// The operating system the client ran on: each fix uses its commands.
enum class host_os { linux_host, windows_host, macos_host };

/// What the local bind test found for the port.
enum class bind_state { free, held, loopback_only, forbidden };

/// The IP families in which the port is held: a `[::]` listener with
/// IPV6_V6ONLY (or one bound to an IPv6 address) leaves IPv4 free, and a
/// `0.0.0.0` listener leaves IPv6 free.
enum class held_families { unknown, ipv4_only, ipv6_only, both };

/// A service running inside a process (Windows' svchost.exe hosts many).
struct hosted_service {
  std::string name;          ///< service name, e.g. "iphlpsvc"
  std::string display_name;  ///< e.g. "IP Helper"
  bool operator==(const hosted_service&) const = default;
};

/// One process holding the port.
struct port_owner {
  int pid = 0;                         ///< 0 when the socket's owner could not be seen
  std::string name;                    ///< process name (comm, or the image name on Windows)
  std::string cmdline;                 ///< full command line, spaces between arguments
  std::string unit;                    ///< systemd unit or Windows service, or "" when none
  std::string container;               ///< container id for docker-proxy, or ""
  std::vector<std::string> addresses;  ///< listening addresses, "0.0.0.0:3000", "[::1]:3000"
  std::string image_path;              ///< the executable's full path, or ""
  /// The process is protected: its name and path could not be read.
  bool access_denied = false;
  /// Every service running in this process (Windows service hosts).
  std::vector<hosted_service> services;
  /// http.sys URL registrations that hold the port (Windows pid 4, "System"),
  /// each with the processes that registered it: "HTTP://*:80/ (registered
  /// by w3wp.exe (pid 5120))".
  std::vector<std::string> urls;
  bool operator==(const port_owner&) const = default;
};

/// A `netsh interface portproxy` rule (Windows): the IP Helper service
/// listens on the listen side and relays to the connect side.
struct portproxy_rule {
  std::string kind;            ///< "v4tov4", "v4tov6", "v6tov4" or "v6tov6"
  std::string listen_address;  ///< as stored: "0.0.0.0", "*", "::", "192.168.1.5"
  std::uint16_t listen_port = 0;
  std::string connect_address;
  std::uint16_t connect_port = 0;
  bool operator==(const portproxy_rule&) const = default;
};

/// A range of ports the OS keeps from every program (Windows' excluded port
/// ranges: Hyper-V, WinNAT, WSL2 and Docker Desktop take them at boot).
struct excluded_port_range {
  int ip_version = 4;  ///< 4 or 6
  std::uint16_t first = 0;
  std::uint16_t last = 0;
  bool administered = false;  ///< added by an administrator ('*' in netsh)
  bool operator==(const excluded_port_range&) const = default;
};

/// Evidence that could not be gathered, why, and how to get it. A local
/// failure is never a network result: the report says what is missing.
struct missing_evidence {
  std::string what;  ///< e.g. "portproxy rules"
  std::string why;   ///< e.g. "registry key unreadable: access denied"
  bool operator==(const missing_evidence&) const = default;
};

/// A known port squatter that matched one of the owners (see config/squatters.toml).
struct squatter_match {
  std::string id;           ///< table key, e.g. "iphlpsvc"
  std::string description;  ///< what it is and why it holds the port
  std::vector<std::string> fix;  ///< steps, with {port} already substituted
  bool operator==(const squatter_match&) const = default;
};

/// The local half of the diagnosis: who, if anyone, holds the port.
struct local_port_evidence {
  std::uint16_t port = 0;
  bind_state state = bind_state::free;
  /// Where the port is held; unknown when it is free or the bind tests and
  /// the listening addresses cannot tell.
  held_families held_in = held_families::unknown;
  std::vector<port_owner> owners;
  /// Sockets on the port whose process could not be read (not root).
  bool owners_hidden = false;
  std::optional<squatter_match> squatter;
  /// portproxy rules that listen on this port (Windows).
  std::vector<portproxy_rule> portproxy;
  /// --service with a portproxy rule: whether the rule's target accepted a
  /// connection from this host; nullopt when not tried.
  std::optional<bool> proxy_target_accepts;
  /// The excluded port range that holds the port (Windows).
  std::optional<excluded_port_range> excluded;
  /// Local evidence that could not be read, and why.
  std::vector<missing_evidence> missing;
  bool operator==(const local_port_evidence&) const = default;
};

/// The transport probed (CLI: TCP by default, --udp).
enum class transport { tcp, udp };

/// How the client treats the port (CLI: default, --listen, --service).
enum class probe_mode { automatic, listen, service };

/// Outcome of the relay's connect-back to the public address. `connected`
/// is the handshake alone: the relay reports it at once, then who answered
/// (verified or foreign) in a probe_answer; the client settles it.
enum class connect_outcome { verified, foreign, refused, unreachable, timeout, not_run, connected };

struct icmp_info {
  int type = 0;
  int code = 0;
  std::string from;  ///< source address of the ICMP error
  bool operator==(const icmp_info&) const = default;
};

struct connect_back_result {
  connect_outcome outcome = connect_outcome::not_run;
  std::string dialed_address;    ///< always the control connection's source
  std::uint16_t port = 0;
  std::uint16_t source_port = 0; ///< relay's local port of the connect-back
  double connect_ms = 0;         ///< SYN to SYN-ACK/RST/ICMP
  double total_ms = 0;           ///< including the wait for the proof or banner
  int attempts = 0;
  std::string banner;            ///< up to 256 bytes a foreign peer sent
  bool silent = false;           ///< foreign peer sent nothing
  std::optional<icmp_info> icmp; ///< for `unreachable`
  /// TTL of the ICMP error on arrival at the relay, which places the hop
  /// that sent it. Only UDP probes report it.
  std::optional<int> reply_ttl;
  /// The client settled without waiting for a foreign peer's banner, which
  /// could only have named it (client/settle_connect_back.hpp). Never on
  /// the wire.
  bool banner_skipped = false;
  bool operator==(const connect_back_result&) const = default;
};

/// What came back for one TTL of the relay's sweep. udp_reply is a UDP
/// sweep's datagram back from the target: like syn_ack, the target answered.
enum class sweep_reply { time_exceeded, rst, syn_ack, unreachable, silence, udp_reply };

struct sweep_hop {
  int ttl = 0;
  sweep_reply reply = sweep_reply::silence;
  std::string from;             ///< ICMP source, or the target for RST/SYN-ACK/UDP reply
  std::optional<icmp_info> icmp;
  /// TTL of the ICMP error on arrival at the relay. A NAT rewrites the
  /// source of errors from routers behind it to its public address; this
  /// value still tells those routers apart.
  std::optional<int> reply_ttl;
  double rtt_ms = 0;
  int attempts = 0;
  bool operator==(const sweep_hop&) const = default;
};

/// The relay's TTL-limited walk toward the public address and port.
struct ttl_sweep {
  std::vector<sweep_hop> hops;  ///< one per TTL, from 1
  /// TTL at which the public address itself answers or handles the probe.
  std::optional<int> public_distance;
  bool operator==(const ttl_sweep&) const = default;
};

/// How an address ranks on the way out of a home network.
enum class address_class { loopback, private_net, carrier_nat, public_net, unknown };

struct path_hop {
  int ttl = 0;
  std::optional<std::string> address;  ///< nullopt: no reply at this TTL
  address_class cls = address_class::unknown;
  double rtt_ms = 0;
  bool operator==(const path_hop&) const = default;
};

/// The client's own view of the route toward the relay.
struct path_evidence {
  std::vector<path_hop> hops;           ///< routers only, from TTL 1
  bool reached_relay = false;           ///< the walk ended at the relay
  std::string source_address;           ///< this host's address on the path
  std::optional<std::string> default_gateway;
  std::vector<std::string> host_addresses;
  bool operator==(const path_evidence&) const = default;
};

/// What this host answered to the relay's probes, seen with a packet
/// capture: for TCP a SYN-ACK or a reset; for UDP a datagram back from the
/// port (udp_reply) or ICMP port unreachable.
enum class host_answer { syn_ack, rst, none, udp_reply, port_unreachable };

struct capture_evidence {
  bool available = false;
  std::string unavailable_reason;        ///< why, and how to enable it
  /// A relay probe reached this host: a SYN, or for UDP a datagram
  /// (JSON keeps the first name, "syn_seen").
  bool probe_seen = false;
  std::optional<std::uint16_t> arrived_port;  ///< destination port it arrived on
  host_answer answer = host_answer::none;
  int probe_count = 0;                   ///< relay probes seen (JSON "syn_count")
  bool operator==(const capture_evidence&) const = default;
};

/// A firewall profile, as Windows Defender Firewall names them.
enum class firewall_profile { domain, private_profile, public_profile };

/// The host firewall's answer for an inbound TCP SYN from an internet
/// address to the port, for the program that listens.
enum class firewall_decision { allowed, blocked, firewall_off, unknown };

/// Why the host firewall blocks, when it does.
enum class firewall_block_reason {
  none,
  no_allow_rule,       ///< default inbound action is block, and no rule allows the port
  profile_mismatch,    ///< an allow rule exists, but not for the active profile
  other_program,       ///< an allow rule exists, but for another program
  block_rule,          ///< a block rule overrides the allow
  local_subnet_only,   ///< the allow rule admits only nearby remote addresses
  block_all_inbound,   ///< "block all incoming connections" is on
};

/// The host firewall's rules and log, read from the OS (Windows Defender
/// Firewall). On Linux the packet capture answers the same question.
struct host_firewall_evidence {
  bool available = false;
  std::string unavailable_reason;  ///< why, and how to get it
  std::vector<firewall_profile> active_profiles;
  std::string network_name;        ///< the connected network, e.g. "Wi-Fi 2"
  firewall_decision decision = firewall_decision::unknown;
  firewall_block_reason reason = firewall_block_reason::none;
  std::string rule;    ///< the rule that decided, or the nearest miss
  std::string detail;  ///< one line: why that rule decided or missed
  /// The firewall logs dropped packets, and where.
  bool logging_dropped = false;
  std::string log_path;
  /// A DROP of the relay's SYN to the port is in the log; nullopt when the
  /// log was not read (logging off or unreadable: see log_unavailable_reason).
  std::optional<bool> log_shows_drop;
  std::string log_unavailable_reason;
  bool operator==(const host_firewall_evidence&) const = default;
};

/// The relay's control probe: one SYN (one retry) to a second port of the
/// same public address, picked at random from the dynamic range. It tells
/// a drop of this port only (an ISP block, a per-port rule) from a router
/// that drops every unsolicited packet.
struct control_probe_result {
  std::uint16_t port = 0;
  /// refused, unreachable, timeout or connected (nothing is sent on it).
  connect_outcome outcome = connect_outcome::not_run;
  std::optional<icmp_info> icmp;  ///< for `unreachable`
  double connect_ms = 0;
  int attempts = 0;
  bool operator==(const control_probe_result&) const = default;
};

/// How a router answered: the source of each router fact.
enum class router_protocol { upnp_igd1, upnp_igd2, nat_pmp, pcp };

/// A port mapping as a router lists it.
struct port_mapping {
  std::string protocol = "TCP";     ///< "TCP" or "UDP"
  std::uint16_t external_port = 0;
  std::string internal_client;      ///< the address the router forwards to
  std::uint16_t internal_port = 0;
  bool enabled = true;
  std::string description;
  std::uint32_t lease_seconds = 0;  ///< 0: permanent
  std::string remote_host;          ///< "" for any remote host
  bool operator==(const port_mapping&) const = default;
};

/// A router fact and the protocol that told it.
struct router_text_fact {
  std::string value;
  router_protocol source = router_protocol::upnp_igd1;
  bool operator==(const router_text_fact&) const = default;
};

/// What a router on this host's path said about itself and the port, asked
/// by UPnP IGD, NAT-PMP and PCP. A listed mapping is strong evidence; no
/// listed mapping is weak, because consumer routers often leave forwards
/// made by hand in their web UI out of the UPnP table.
struct router_evidence {
  /// The address asked: the default gateway or a private hop of the path.
  std::string address;
  std::vector<router_protocol> answered;  ///< empty: no protocol answered
  std::string friendly_name;  ///< from the UPnP device description
  std::string manufacturer;
  std::string model_name;
  /// The router's own WAN address as it reports it; an empty value means
  /// it answered with none (miniupnpd does so behind another NAT).
  std::optional<router_text_fact> external_address;
  /// UPnP GetStatusInfo: whether the router calls its WAN connected.
  std::optional<bool> wan_connected;
  /// The router's mapping table (or its entry for the port) was read.
  bool mappings_read = false;
  /// This port's mapping for the probed protocol (evidence::protocol), when
  /// the router lists one; another protocol's mapping of the port is not it.
  std::optional<port_mapping> mapping;
  std::optional<router_protocol> mapping_source;
  /// Where its UPnP WAN connection service answers: the control URL and
  /// service type, which `--fix` sends its mappings to; "" without UPnP.
  std::string upnp_control_url;
  std::string upnp_service_type;
  /// What could not be asked or read, and why.
  std::vector<missing_evidence> missing;
  bool operator==(const router_evidence&) const = default;
};

/// What connecting from this host to its own public address and port gave:
/// whether the NAT holding that address loops a connection from inside the
/// LAN back in (NAT loopback, "hairpin").
enum class hairpin_outcome {
  looped_back,  ///< probe-client's own listener answered with the proof for the nonce
  other_peer,   ///< something accepted, but not probe-client's listener (no proof)
  connected,    ///< something accepted; no listener of ours was there to prove who (--service)
  refused,      ///< a reset
  unreachable,  ///< host or network unreachable
  timeout,      ///< no answer within the deadline
  failed,       ///< the connection could not be tried from this host (a local failure)
};

/// The hairpin test: one connection, from this host, with a short deadline.
struct hairpin_evidence {
  hairpin_outcome outcome = hairpin_outcome::failed;
  std::string target;    ///< "198.51.100.2:3000"
  double elapsed_ms = 0;
  std::string error;     ///< the OS's words, for unreachable and failed
  bool operator==(const hairpin_evidence&) const = default;
};

/// Everything the verdict engine reasons from.
struct evidence {
  std::uint16_t port = 0;
  transport protocol = transport::tcp;
  host_os os = host_os::linux_host;
  probe_mode mode = probe_mode::automatic;
  local_port_evidence local;
  /// The client ran its own listener that proves the nonce.
  bool agent_listening = false;
  std::string relay;            ///< HOST:PORT as given
  std::string relay_address;    ///< resolved address of the relay
  std::string public_address;   ///< as the relay saw the control connection
  /// Routers between this host and the relay, from the TTL of the client's
  /// SYN as the relay received it (TCP_SAVED_SYN), when available.
  std::optional<int> client_hops;
  connect_back_result connect_back;
  std::optional<ttl_sweep> sweep;
  std::optional<path_evidence> path;
  capture_evidence capture;
  /// The host firewall's own evaluation, where the OS offers one.
  std::optional<host_firewall_evidence> firewall;
  /// The relay's control probe to a second port; nullopt when not run.
  std::optional<control_probe_result> control_probe;
  /// The control connection's round trip as the relay measured it, from
  /// which it set its waits.
  std::optional<double> relay_rtt_ms;
  /// The routers asked about themselves and the port, gateway first;
  /// nullopt when not asked (--no-routers).
  std::optional<std::vector<router_evidence>> routers;
  /// The hairpin test, made after the verdict and only when the port is
  /// reachable from the internet; nullopt when not made.
  std::optional<hairpin_evidence> hairpin;
  bool operator==(const evidence&) const = default;
};

}  // namespace reachback
