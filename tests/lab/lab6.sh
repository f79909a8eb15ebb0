#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# IPv6 in the network lab. lab.sh sources this file and calls lab6_node for
# every node and lab6_up after each topology is built; it defines lab6_*
# functions and no commands.
#
#   lab6_pinhole ROUTER PORT [tcp|udp] [ADDR]
#                                   ROUTER's inbound IPv6 filter lets new
#                                   connections to ADDR (the laptop) PORT in
#   lab6_router_reject ROUTER       ROUTER rejects new inbound IPv6 with
#                                   ICMPv6 admin-prohibited instead of dropping
#   lab6_host_firewall MODE PORT [NODE]
#                                   none|drop|reset|icmp-admin|icmp-port, IPv6
#   lab6_serve_banner NODE PORT TEXT
#                                   a socat listener on [::]:PORT for both
#                                   families that sends TEXT\r\n
#   lab6_upnp_pinholes ROUTER       ROUTER's inbound IPv6 filter lets in what
#                                   miniupnpd's pinholes allow (lab_upnp --ipv6)
#   lab6_upnp_pinhole_rules ROUTER  the pinholes miniupnpd wrote, one a line
#
# In the laptop and the desk, the name relay.test (RFC 6761) resolves to
# both of the relay's addresses, as a relay's DNS name with A and AAAA
# records does: their /etc/hosts, through ip netns exec's per-namespace
# files, /etc/netns/<namespace>/hosts. lab_down removes them (lab6_down),
# and lab_reap_stale those of dead runs (lab6_reap_stale).
#
# IPv6 is routed end to end: no NAT anywhere, so the relay dials the
# laptop's own address and every router answers from its own address. One
# /64 per link from the documentation prefix 2001:db8::/32; the ISP
# delegates 2001:db8:1000::/56 to the hub (or the single home router), which
# gives its LAN 2001:db8:1000::/64 and routes 2001:db8:1000:1::/64 to the
# room router. The home routers (hub, room, home) filter inbound IPv6 as
# home routers do (RFC 6092): replies and ICMPv6 errors of outbound flows
# pass, echo requests pass, anything else new from the WAN is dropped. In
# the cgnat and ispgw topologies only the relay and the internet router's
# relay side have IPv6 addresses; the home has link-local ones: a home
# whose ISP gives it no IPv6.
#
# Addresses are usable at once: duplicate address detection is off
# (accept_dad=0, nodad), and no node sends or accepts router advertisements
# or solicitations, so nothing configures itself behind the lab's back.

# shellcheck disable=SC2034 # read by scenarios6.sh and selftest6.sh
readonly LAB_RELAY_V6=2001:db8:113::10
# The packet mark that says "one of miniupnpd's pinholes accepts this"
# (lab6_upnp_pinholes).
readonly LAB6_PINHOLE_MARK=0x6b
readonly LAB_INET_RELAY_SIDE_V6=2001:db8:113::1
readonly LAB_INET_HOME_SIDE_V6=2001:db8:100::1
# The hub's (single: the home router's) WAN address.
readonly LAB_PUBLIC_V6=2001:db8:100::2
# shellcheck disable=SC2034
readonly LAB_HOME_PREFIX_V6=2001:db8:1000::/56
readonly LAB_HUB_LAN_V6=2001:db8:1000::1
readonly LAB_ROOM_WAN_V6=2001:db8:1000::2
readonly LAB_ROOM_PREFIX_V6=2001:db8:1000:1::/64
readonly LAB_HOME_LAN_V6=2001:db8:1000:1::1
readonly LAB_LAPTOP_V6=2001:db8:1000:1::23
readonly LAB_DESK_V6=2001:db8:1000:1::24
readonly LAB_RELAY_NAME=relay.test
# Where ip netns exec finds a namespace's own /etc files.
LAB6_NETNS_ETC=${LAB6_NETNS_ETC:-/etc/netns}

# IPv6 on, before the node's interfaces exist, so each inherits "default".
# Only routers forward (lab6_router); hosts get no forwarding either.
lab6_node() {
  local node=$1 conf
  local -a settings=()
  for conf in all default; do
    settings+=("net.ipv6.conf.$conf.disable_ipv6=0" "net.ipv6.conf.$conf.accept_dad=0"
      "net.ipv6.conf.$conf.accept_ra=0" "net.ipv6.conf.$conf.router_solicitations=0"
      "net.ipv6.conf.$conf.forwarding=0")
  done
  lab_exec "$node" sysctl -qw "${settings[@]}" >/dev/null ||
    lab_die "cannot turn IPv6 on in $node"
}

# lab6_addr NODE DEV ADDR: ADDR/64 on DEV, usable at once (no DAD).
lab6_addr() {
  ip -n "$(lab_ns "$1")" -6 addr add "$3/64" dev "$2" nodad ||
    lab_die "cannot add $3/64 to $1/$2"
}

lab6_route() {
  local node=$1
  shift
  ip -n "$(lab_ns "$node")" -6 route add "$@" || lab_die "$node: ip -6 route add $* failed"
}

# A router that forwards IPv6 and filters nothing (the internet router).
lab6_router() {
  lab_exec "$1" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
}

# A home router: forwards IPv6 without NAT, with the usual stateful inbound
# filter. The hop limit is checked before the forward hook, so the router
# still answers time exceeded for probes its filter would drop.
lab6_home_router() {
  local node=$1
  lab6_router "$node"
  lab_exec "$node" nft -f - <<'EOF' || lab_die "IPv6 filter rules for $node were rejected"
table ip6 lab6 {
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname != "wan" accept
    icmpv6 type echo-request accept
  }
}
EOF
}

lab6_require_router() {
  lab_is_node "$1" || lab_die "no node '$1' in the $LAB_TOPOLOGY topology (nodes: ${LAB_NODES[*]})"
  lab_exec "$1" nft list table ip6 lab6 >/dev/null 2>&1 ||
    lab_die "'$1' is not a home router with an IPv6 filter"
}

# relay - inet: the relay has IPv6 in every topology, whatever the home has.
lab6_up_relay_side() {
  lab6_addr relay eth0 "$LAB_RELAY_V6"
  lab6_addr inet rl0 "$LAB_INET_RELAY_SIDE_V6"
  lab6_route relay default via "$LAB_INET_RELAY_SIDE_V6"
  lab6_router inet
}

# inet - HOME_NODE, whose WAN holds LAB_PUBLIC_V6 and which holds the
# delegated /56.
lab6_up_internet() {
  local home=$1
  lab6_addr inet up0 "$LAB_INET_HOME_SIDE_V6"
  lab6_addr "$home" wan "$LAB_PUBLIC_V6"
  lab6_route inet "$LAB_HOME_PREFIX_V6" via "$LAB_PUBLIC_V6"
  lab6_route "$home" default via "$LAB_INET_HOME_SIDE_V6"
  lab6_home_router "$home"
}

# hub - room: the hub's LAN, and the room's /64 routed to the room router.
lab6_up_room() {
  lab6_addr hub lan "$LAB_HUB_LAN_V6"
  lab6_addr room wan "$LAB_ROOM_WAN_V6"
  lab6_route hub "$LAB_ROOM_PREFIX_V6" via "$LAB_ROOM_WAN_V6"
  lab6_route room default via "$LAB_HUB_LAN_V6"
  lab6_home_router room
  lab6_up_lan room
}

# The LAN bridge of ROUTER, the laptop and the desk.
lab6_up_lan() {
  local router=$1 node
  # Neighbour solicitations are multicast: flood them rather than rely on
  # MLD snooping, which has no querier here.
  ip -n "$(lab_ns "$router")" link set lan type bridge mcast_snooping 0
  if [[ -e /proc/sys/net/bridge/bridge-nf-call-ip6tables ]]; then
    # Bridged LAN traffic must not go through the router's IPv6 hooks.
    lab_exec "$router" sysctl -qw net.bridge.bridge-nf-call-ip6tables=0 >/dev/null 2>&1 || true
  fi
  lab6_addr "$router" lan "$LAB_HOME_LAN_V6"
  lab6_addr laptop eth0 "$LAB_LAPTOP_V6"
  lab6_addr desk eth0 "$LAB_DESK_V6"
  for node in laptop desk; do
    lab6_route "$node" default via "$LAB_HOME_LAN_V6"
  done
}

# lab6_relay_name NODE: relay.test resolves to both relay addresses in NODE.
lab6_relay_name() {
  local dir
  dir="$LAB6_NETNS_ETC/$(lab_ns "$1")"
  mkdir -p "$dir" || lab_die "cannot create $dir"
  printf '%s\n' "127.0.0.1 localhost" "::1 localhost" "$LAB_RELAY_ADDR $LAB_RELAY_NAME" \
    "$LAB_RELAY_V6 $LAB_RELAY_NAME" >"$dir/hosts"
}

lab6_down() {
  local node
  for node in "${LAB_NODES[@]}"; do
    rm -rf -- "${LAB6_NETNS_ETC:?}/$(lab_ns "$node")"
  done
}

# The /etc/netns directories of lab runs whose script no longer exists.
lab6_reap_stale() {
  local dir pid
  for dir in "$LAB6_NETNS_ETC"/rbl*-*; do
    [[ -d $dir && ${dir##*/} =~ ^rbl([0-9]+)- ]] || continue
    pid=${BASH_REMATCH[1]}
    if [[ $pid != "$$" ]] && ! kill -0 "$pid" 2>/dev/null; then
      rm -rf -- "$dir"
    fi
  done
}

# lab6_up TOPOLOGY: IPv6 addresses, routes and filters on the topology
# lab_up has just built; relay.test for the LAN's hosts in every topology
# (in a home without IPv6, the AAAA record is there and no global address
# to use it from, as in real life).
lab6_up() {
  lab6_relay_name laptop
  lab6_relay_name desk
  lab6_up_relay_side
  case $1 in
    double)
      lab6_up_internet hub
      lab6_up_room
      ;;
    single)
      lab6_up_internet home
      lab6_up_lan home
      ;;
    *)
      lab_log "IPv6: relay $LAB_RELAY_V6; the $1 home has none (link-local only)"
      return 0
      ;;
  esac
  lab_log "IPv6: relay $LAB_RELAY_V6, laptop $LAB_LAPTOP_V6, routed without NAT"
}

# ---------------------------------------------------------------- configuration

lab6_check_port() {
  [[ $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le 65535 ]] || lab_die "$1: bad port '$2'"
}

# lab6_pinhole ROUTER PORT [tcp|udp] [ADDR]: ROUTER lets new inbound
# connections (UDP: datagrams) to ADDR (default the laptop) PORT through,
# as a user's "allow" rule or a PCP/UPnP pinhole does.
lab6_pinhole() {
  local router=$1 port=$2 proto=${3:-tcp} addr=${4:-$LAB_LAPTOP_V6}
  lab6_require_router "$router"
  lab6_check_port lab6_pinhole "$port"
  [[ $proto == tcp || $proto == udp ]] || lab_die "lab6_pinhole: protocol '$proto' is not tcp or udp"
  lab_exec "$router" nft insert rule ip6 lab6 forward iifname wan ip6 daddr "$addr" \
    "$proto" dport "$port" accept || lab_die "lab6_pinhole: rule rejected"
  lab_log "$router: IPv6 pinhole $proto $port -> $addr"
}

# lab6_upnp_pinholes ROUTER: ROUTER's inbound IPv6 filter lets in what
# miniupnpd's pinholes allow. miniupnpd 2.3.1 (nftables) writes a pinhole
# as a rule of chain miniupnpd in table inet filter (lab_upnp_tables):
#   iif "wan" th dport 3000 @nh,192,128 0x2001...0023 @nh,48,8 0x6 accept
# That accept ends only the inet table's own chain; table ip6 lab6 would
# still drop the packet. So a chain of the inet table that runs just before
# lab6's marks the IPv6 packets from the WAN, jumps to miniupnpd's chain and
# clears the mark when no pinhole accepted; lab6's filter accepts the mark.
lab6_upnp_pinholes() {
  local router=$1
  lab6_require_router "$router"
  lab_exec "$router" nft -f - <<EOF || lab_die "the pinhole chain for $router was rejected"
table inet filter {
  chain lab6_pinholes {
    type filter hook forward priority filter - 1; policy accept;
    meta nfproto ipv6 iifname "wan" meta mark set $LAB6_PINHOLE_MARK jump miniupnpd
    meta nfproto ipv6 iifname "wan" meta mark set 0
  }
}
EOF
  lab_exec "$router" nft insert rule ip6 lab6 forward meta mark "$LAB6_PINHOLE_MARK" accept ||
    lab_die "lab6_upnp_pinholes: $router's filter rejected the pinhole rule"
}

# lab6_upnp_pinhole_rules ROUTER: the pinholes miniupnpd wrote on ROUTER,
# sorted, one a line: "pinhole iif ... @nh,192,128 0x... accept"; nothing
# when there are none (or no miniupnpd chain).
lab6_upnp_pinhole_rules() {
  lab_exec "$1" nft list chain inet filter miniupnpd 2>/dev/null |
    awk '/@nh,192,128/ { $1 = $1; print "pinhole " $0 }' | sort
}

# lab6_router_reject ROUTER: what ROUTER's inbound IPv6 filter does not let
# through gets ICMPv6 admin-prohibited (destination unreachable, code 1)
# from the router's own address, instead of silence.
lab6_router_reject() {
  local router=$1
  lab6_require_router "$router"
  lab_exec "$router" nft add rule ip6 lab6 forward iifname wan \
    reject with icmpv6 type admin-prohibited || lab_die "lab6_router_reject: rule rejected"
  lab_log "$router rejects new inbound IPv6 (admin-prohibited)"
}

# lab6_host_firewall MODE PORT [NODE]: NODE's (default laptop) own IPv6
# firewall on tcp PORT, as lab_host_firewall for IPv4. Loopback is always
# allowed.
lab6_host_firewall() {
  local mode=$1 port=$2 node=${3:-laptop} action
  case $mode in
    none) return 0 ;;
    drop) action="drop" ;;
    reset) action="reject with tcp reset" ;;
    icmp-admin) action="reject with icmpv6 type admin-prohibited" ;;
    icmp-port) action="reject with icmpv6 type port-unreachable" ;;
    *) lab_die "lab6_host_firewall: mode '$mode' is not none, drop, reset, icmp-admin or icmp-port" ;;
  esac
  lab6_check_port lab6_host_firewall "$port"
  lab_exec "$node" nft -f - <<EOF || lab_die "IPv6 host firewall rules for $node were rejected"
table ip6 hostfw6 {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "lo" accept
    tcp dport $port $action
  }
}
EOF
  lab_log "$node IPv6 host firewall: tcp $port $mode"
}

# lab6_serve_udp NODE PORT [TEXT]: lab_serve_udp on a dual-stack socket,
# so IPv6 datagrams are answered too.
lab6_serve_udp() {
  lab_serve_udp_family 6 "$@"
}

# lab6_serve_banner NODE PORT TEXT: every connection, over either family,
# gets TEXT\r\n, then EOF.
lab6_serve_banner() {
  local node=$1 port=$2 text=$3 file
  lab_require_commands socat ss
  file="$LAB_DIR/banner6-$node-$port"
  printf '%s\r\n' "$text" >"$file"
  lab_spawn "$node" "banner6-$node-$port" socat "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=0" \
    "SYSTEM:cat $file"
  lab_wait_listening "$node" "$port"
  lab_log "$node: serves '$text' on tcp [::]:$port (both families)"
}
