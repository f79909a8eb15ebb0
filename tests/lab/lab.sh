#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The reachback network lab: the network of a typical home, built inside this
# machine from network namespaces, veth pairs (or delaying TUN wires) and
# nftables. Source this file; it defines lab_* functions and no commands.
#
#   lab_init                        per-run prefix, log dir, teardown traps
#   lab_up TOPOLOGY [--delay MS] [--wire-loss PCT]
#                                   double | single | cgnat | ispgw
#   lab_forward ROUTER PORT TARGET[:TPORT] [--proto P] [--loopback]
#                                   P: tcp (default), udp or both
#   lab_router_input ROUTER accept|drop|reject [--proto P]
#                                   new WAN input to the router itself
#   lab_router_filter ROUTER PORT drop|reject
#   lab_host_firewall MODE PORT [NODE] [--proto P]
#                                   none|drop|reset|icmp-admin|icmp-port
#   lab_loss PCT                    random loss on the internet links
#   lab_isp_block PORT [drop|reject]
#                                   the internet router filters PORT toward the home
#   lab_router_no_icmp ROUTER       ROUTER sends no ICMP errors of its own
#   lab_upnp [--no-upnp] [--ipv6] ROUTER strict|lenient [EXT_IP]
#                                   miniupnpd (UPnP IGD, NAT-PMP, PCP; with
#                                   --ipv6 also IPv6 pinholes) on ROUTER
#   lab_upnp_map NODE ROUTER PORT TARGET[:TPORT]
#                                   NODE maps PORT on ROUTER through UPnP
#   lab_upnp_table ROUTER           ROUTER's UPnP mappings, as its LAN sees them
#   lab_hold_port NODE PORT [ADDR]  a socat listener that holds the port
#   lab_hold_port_v6only NODE PORT  a socat listener on [::]:PORT, IPv6 only
#   lab_serve_banner NODE PORT TEXT a socat listener that sends TEXT\r\n
#   lab_serve_udp NODE PORT [TEXT]  a socat UDP server: echoes, or answers TEXT\n
#   lab_spawn NODE NAME CMD...      a background process inside NODE
#   lab_exec NODE CMD...            a command inside NODE
#   lab_down                        kills everything and deletes namespaces
#   lab6_*                          IPv6: see lab6.sh
#
# Safety: the lab never touches the machine's own network namespace. Every
# veth is created inside a lab namespace with its peer created directly in
# another (`ip -n A link add ... peer ... netns B`); no address, route,
# bridge or NAT is ever added to the root namespace, and lab_up checks that
# afterwards. Namespaces are named rbl<pid>-<node>, so parallel runs never
# collide and leftovers of a killed run are recognisable (lab_reap_stale).
#
# Call lab_init and lab_up from the main shell, not from $(...) or a pipe:
# the wires follow their parent process (PR_SET_PDEATHSIG) and teardown runs
# from the main shell's EXIT trap.

# Addresses of the topologies. Only these are used anywhere in the lab.
readonly LAB_RELAY_ADDR=203.0.113.10
readonly LAB_INET_RELAY_SIDE=203.0.113.1
readonly LAB_INET_HOME_SIDE=198.51.100.1
readonly LAB_PUBLIC_ADDR=198.51.100.2
# The ISP's gateway in the ispgw topology: private addresses on both sides,
# in front of a hub whose WAN still holds the public address.
readonly LAB_INET_GW_SIDE=10.255.0.1
readonly LAB_GW_UP=10.255.0.2
readonly LAB_GW_DOWN=10.0.0.1
readonly LAB_CGN_LAN=100.64.0.1
readonly LAB_CGN_HUB=100.64.0.2
readonly LAB_HUB_LAN=192.168.0.1
readonly LAB_ROOM_WAN=192.168.0.2
readonly LAB_HOME_LAN=192.168.1.1
readonly LAB_LAPTOP=192.168.1.23
readonly LAB_DESK=192.168.1.24
# shellcheck disable=SC2034 # used by scenarios.sh and selftest.sh
# The room router's WAN address before the hub's DHCP gave it another one:
# no node holds it (hub-stale-forward).
readonly LAB_ROOM_OLD_WAN=192.168.0.3
# What a lenient miniupnpd declares as its external address (ext_ip). Only
# a configured string: no lab namespace routes it anywhere (the internet
# router has no route for it) and nothing in the lab sends to it.
readonly LAB_UPNP_EXT_IP=11.22.33.44
readonly LAB_UPNP_HTTP_PORT=5000
# shellcheck disable=SC2034 # miniupnpd's fixed NAT-PMP and PCP port, for selftest.sh
readonly LAB_UPNP_PMP_PORT=5351

# IPv6: its addresses, routes, filters and primitives (lab6_*).
# shellcheck source=SCRIPTDIR/lab6.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab6.sh"

# Bounds of every wait in the lab, in tenths of a second.
LAB_WAIT_TENTHS=${LAB_WAIT_TENTHS:-100}

LAB_PREFIX=""
LAB_DIR=""
LAB_TOPOLOGY=""
LAB_NODES=()
LAB_WIRE_PIDS=()
LAB_SPAWNED_PIDS=()
LAB_WIRE_BIN=${LAB_WIRE_BIN:-}
LAB_MINIUPNPD=${LAB_MINIUPNPD:-/usr/sbin/miniupnpd}
# Routers running miniupnpd, and each one's mode (strict or lenient).
LAB_UPNP_ROUTERS=()
declare -A LAB_UPNP_MODE=()
LAB_KEEP_LOGS=${LAB_KEEP_LOGS:-0}
LAB_TORN_DOWN=0

# ---------------------------------------------------------------- basics

lab_die() {
  echo "lab: $*" >&2
  exit 1
}

lab_log() {
  if [[ ${LAB_QUIET:-0} != 1 ]]; then
    echo "lab: $*" >&2
  fi
}

# Namespace name of a node.
lab_ns() {
  echo "${LAB_PREFIX}$1"
}

lab_exec() {
  local node=$1
  shift
  ip netns exec "$(lab_ns "$node")" "$@"
}

lab_require_commands() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 ||
      lab_die "'$cmd' is missing: run deploy/install-deps.sh (or apt-get install the package providing it)"
  done
}

# Polls CMD... every tenth of a second, at most LAB_WAIT_TENTHS times.
lab_wait_for() {
  local what=$1
  shift
  local i
  for ((i = 0; i < LAB_WAIT_TENTHS; i++)); do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  lab_die "timed out after $((LAB_WAIT_TENTHS / 10)) s waiting for $what"
}

# Succeeds when FILE contains PATTERN (a fixed string).
lab_log_has() {
  grep -qF -- "$2" "$1" 2>/dev/null
}

# Succeeds while PID runs (an exited child stays a zombie until waited for,
# and kill -0 still succeeds on a zombie).
lab_alive() {
  [[ -r /proc/$1/status ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# Waits until FILE contains PATTERN; fails early when PID has exited.
lab_wait_log() {
  local file=$1 pattern=$2 pid=$3 what=$4
  local i
  for ((i = 0; i < LAB_WAIT_TENTHS; i++)); do
    if lab_log_has "$file" "$pattern"; then
      return 0
    fi
    if ! lab_alive "$pid"; then
      sed 's/^/  | /' "$file" >&2 || true
      lab_die "$what exited before saying '$pattern'"
    fi
    sleep 0.1
  done
  sed 's/^/  | /' "$file" >&2 || true
  lab_die "timed out after $((LAB_WAIT_TENTHS / 10)) s waiting for $what to say '$pattern'"
}

# ---------------------------------------------------------------- lifecycle

lab_init() {
  [[ $(id -u) == 0 ]] || lab_die "needs root (it creates network namespaces); run it with sudo"
  lab_require_commands ip nft sysctl timeout
  [[ -z $LAB_PREFIX ]] || lab_die "lab_init called twice"
  LAB_PREFIX="rbl$$-"
  LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/rbl$$.XXXXXX")
  trap 'lab_down' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  lab_reap_stale
}

# Deletes namespaces (and kills their processes) left by lab runs whose
# script no longer exists, e.g. after kill -9. Only rbl<pid>- names.
lab_reap_stale() {
  local ns pid
  while read -r ns _; do
    [[ $ns =~ ^rbl([0-9]+)- ]] || continue
    pid=${BASH_REMATCH[1]}
    if [[ $pid != "$$" ]] && ! kill -0 "$pid" 2>/dev/null; then
      lab_log "removing stale namespace $ns"
      lab_kill_ns_processes "$ns"
      ip netns del "$ns" 2>/dev/null || true
    fi
  done < <(ip netns list 2>/dev/null)
  lab6_reap_stale
  lab_reap_stale_upnp
}

# Kills miniupnpd processes of dead lab runs that no namespace holds any
# more (their namespace deleted under them). Each one's config file lies in
# its run's log dir, rbl<pid>.XXXXXX: only those, and only when <pid> is gone.
lab_reap_stale_upnp() {
  local proc pid exe owner
  local -a args
  for proc in /proc/[0-9]*; do
    exe=$(readlink "$proc/exe" 2>/dev/null) || continue
    [[ ${exe##*/} == miniupnpd ]] || continue
    mapfile -d '' -t args <"$proc/cmdline" 2>/dev/null || continue
    [[ ${#args[@]} -ge 3 && ${args[1]} == -f && ${args[2]} =~ /rbl([0-9]+)\.[^/]+/upnp-[a-z]+\.conf$ ]] ||
      continue
    owner=${BASH_REMATCH[1]}
    pid=${proc#/proc/}
    if [[ $owner != "$$" ]] && ! kill -0 "$owner" 2>/dev/null; then
      lab_log "killing stale miniupnpd $pid (${args[2]})"
      kill "$pid" 2>/dev/null || true
    fi
  done
}

lab_kill_ns_processes() {
  local ns=$1 pids i
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  [[ -n $pids ]] || return 0
  # shellcheck disable=SC2086 # one pid per word
  kill $pids 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [[ -n $pids ]] || return 0
    sleep 0.1
  done
  # shellcheck disable=SC2086
  kill -9 $pids 2>/dev/null || true
}

lab_down() {
  local status=$? pid node i
  [[ $LAB_TORN_DOWN == 0 && -n $LAB_PREFIX ]] || return "$status"
  LAB_TORN_DOWN=1
  set +e
  # First every process inside the lab (relay, client, socat, tcpdump).
  for node in "${LAB_NODES[@]}"; do
    lab_kill_ns_processes "$(lab_ns "$node")"
  done
  # Then the wires (which run in the root namespace but hold the lab's
  # namespaces alive through their TUN devices) and anything else spawned.
  for pid in "${LAB_WIRE_PIDS[@]}" "${LAB_SPAWNED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${LAB_WIRE_PIDS[@]}" "${LAB_SPAWNED_PIDS[@]}"; do
    for ((i = 0; i < 20; i++)); do
      lab_alive "$pid" || break
      sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  for node in "${LAB_NODES[@]}"; do
    ip netns del "$(lab_ns "$node")" 2>/dev/null
  done
  lab6_down
  if [[ $LAB_KEEP_LOGS == 1 && -d $LAB_DIR ]]; then
    echo "lab: logs kept in $LAB_DIR" >&2
  elif [[ -n $LAB_DIR ]]; then
    rm -rf -- "$LAB_DIR"
    [[ $status == 0 ]] || echo "lab: (LAB_KEEP_LOGS=1 keeps the lab's logs)" >&2
  fi
  LAB_NODES=()
  LAB_UPNP_ROUTERS=()
  LAB_UPNP_MODE=()
  return "$status"
}

# ---------------------------------------------------------------- building blocks

lab_node() {
  local node=$1 ns
  ns=$(lab_ns "$node")
  ip netns add "$ns" || lab_die "cannot create network namespace $ns"
  LAB_NODES+=("$node")
  ip -n "$ns" link set lo up
  # Only routers forward (lab_plain_router, lab_nat_router turn it on).
  lab_exec "$node" sysctl -qw net.ipv4.ip_forward=0 >/dev/null
  # IPv6 on, quietly: no DAD, no router solicitations (lab6.sh).
  lab6_node "$node"
}

lab_addr() {
  local node=$1 dev=$2 cidr=$3
  ip -n "$(lab_ns "$node")" addr add "$cidr" dev "$dev"
  ip -n "$(lab_ns "$node")" link set "$dev" up
}

# A point-to-point link: a veth pair, or a delaying TUN wire when DELAY_MS > 0.
lab_link() {
  local a=$1 dev_a=$2 cidr_a=$3 b=$4 dev_b=$5 cidr_b=$6 delay_ms=${7:-0} loss=${8:-0}
  if [[ $delay_ms == 0 && $loss == 0 ]]; then
    ip -n "$(lab_ns "$a")" link add "$dev_a" type veth peer name "$dev_b" netns "$(lab_ns "$b")" ||
      lab_die "cannot create veth $a/$dev_a <-> $b/$dev_b"
  else
    lab_wire "$a" "$dev_a" "$b" "$dev_b" "$delay_ms" "$loss"
  fi
  lab_addr "$a" "$dev_a" "$cidr_a"
  lab_addr "$b" "$dev_b" "$cidr_b"
}

lab_wire() {
  local a=$1 dev_a=$2 b=$3 dev_b=$4 delay_ms=$5 loss=$6 log pid
  [[ -n $LAB_WIRE_BIN ]] ||
    lab_die "a delayed link needs reachback-lab-wire: pass --wire-bin or set LAB_WIRE_BIN (ninja reachback-lab-wire)"
  [[ -x $LAB_WIRE_BIN ]] ||
    lab_die "reachback-lab-wire not found at '$LAB_WIRE_BIN' (ninja -C build reachback-lab-wire, or --wire-bin)"
  log="$LAB_DIR/wire-$a-$b.log"
  "$LAB_WIRE_BIN" --ns-a "$(lab_ns "$a")" --dev-a "$dev_a" --ns-b "$(lab_ns "$b")" \
    --dev-b "$dev_b" --delay-ms "$delay_ms" --loss "$loss" >"$log" 2>&1 &
  pid=$!
  LAB_WIRE_PIDS+=("$pid")
  lab_wait_log "$log" "reachback-lab-wire: ready" "$pid" "wire $a<->$b"
}

# Every device on the home LAN hangs off a bridge named lan in the router.
lab_lan() {
  local router=$1 cidr=$2
  ip -n "$(lab_ns "$router")" link add lan type bridge
  lab_addr "$router" lan "$cidr"
  if [[ -e /proc/sys/net/bridge/bridge-nf-call-iptables ]]; then
    # Bridged LAN traffic must not go through the router's IP hooks.
    lab_exec "$router" sysctl -qw net.bridge.bridge-nf-call-iptables=0 >/dev/null 2>&1 || true
  fi
}

lab_lan_device() {
  local router=$1 node=$2 cidr=$3 gateway=$4
  lab_node "$node"
  ip -n "$(lab_ns "$router")" link add "p-$node" type veth peer name eth0 netns "$(lab_ns "$node")"
  ip -n "$(lab_ns "$router")" link set "p-$node" master lan up
  lab_addr "$node" eth0 "$cidr"
  ip -n "$(lab_ns "$node")" route add default via "$gateway"
}

# A plain router: forwards everything, no NAT, no filter.
lab_plain_router() {
  lab_exec "$1" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
}

# A home NAT router: masquerades out of "wan", forwards LAN->WAN and replies,
# drops unsolicited WAN->LAN unless lab_forward opens a port. Its input
# accepts everything (the kernel answers closed ports with RST) until
# lab_router_input says otherwise. ICMP errors it generates or that belong
# to a tracked flow are translated by conntrack.
lab_nat_router() {
  local node=$1
  lab_exec "$node" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
  lab_exec "$node" nft -f - <<'EOF' || lab_die "nftables rules for $node were rejected"
table ip lab {
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
  chain input { type filter hook input priority filter; policy accept; }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname != "wan" accept
  }
}
EOF
}

lab_is_node() {
  local node
  for node in "${LAB_NODES[@]}"; do
    [[ $node == "$1" ]] && return 0
  done
  return 1
}

lab_require_router() {
  lab_is_node "$1" || lab_die "no node '$1' in the $LAB_TOPOLOGY topology (nodes: ${LAB_NODES[*]})"
  lab_exec "$1" nft list table ip lab >/dev/null 2>&1 || lab_die "'$1' is not a NAT router"
}

# Fails when anything of this lab shows up in the root namespace.
lab_check_isolation() {
  if ip -o link show 2>/dev/null | grep -qF "link-netns $LAB_PREFIX"; then
    lab_die "isolation broken: a root-namespace interface is linked to a lab namespace"
  fi
}

# ---------------------------------------------------------------- topologies

# relay - inet: the relay host and the internet router in front of it.
lab_up_relay_side() {
  local delay=$1 loss=$2
  lab_node relay
  lab_node inet
  lab_link relay eth0 "$LAB_RELAY_ADDR/24" inet rl0 "$LAB_INET_RELAY_SIDE/24" "$delay" "$loss"
  ip -n "$(lab_ns relay)" route add default via "$LAB_INET_RELAY_SIDE"
  # As deploy/sysctl/60-reachback-relay.conf sets it on a real relay host:
  # clients and servers may use TCP Fast Open (relay/fast_open.hpp).
  lab_exec relay sysctl -qw net.ipv4.tcp_fastopen=3 >/dev/null
  lab_plain_router inet
}

# relay - inet - HOME_NODE, whose WAN holds the public address.
lab_up_internet() {
  local home_node=$1 delay=$2 loss=$3
  lab_up_relay_side "$delay" "$loss"
  lab_node "$home_node"
  lab_link inet up0 "$LAB_INET_HOME_SIDE/24" "$home_node" wan "$LAB_PUBLIC_ADDR/24" "$delay" "$loss"
}

lab_up_double() {
  lab_up_internet hub "$1" "$2"
  ip -n "$(lab_ns hub)" route add default via "$LAB_INET_HOME_SIDE"
  lab_up_room hub
}

lab_up_cgnat() {
  lab_up_internet cgn "$1" "$2"
  ip -n "$(lab_ns cgn)" route add default via "$LAB_INET_HOME_SIDE"
  lab_nat_router cgn
  lab_node hub
  lab_link cgn lan "$LAB_CGN_LAN/10" hub wan "$LAB_CGN_HUB/10"
  ip -n "$(lab_ns hub)" route add default via "$LAB_CGN_LAN"
  lab_up_room hub
}

# Like double, but the hub's gateway is the ISP's router with private
# addresses on both sides, as some PPPoE lines have it: the hub's WAN holds
# the public address alone (/32) and reaches the gateway on-link.
lab_up_ispgw() {
  lab_up_relay_side "$1" "$2"
  lab_node gw
  lab_link inet up0 "$LAB_INET_GW_SIDE/30" gw core "$LAB_GW_UP/30" "$1" "$2"
  ip -n "$(lab_ns inet)" route add "$LAB_PUBLIC_ADDR/32" via "$LAB_GW_UP"
  ip -n "$(lab_ns gw)" route add default via "$LAB_INET_GW_SIDE"
  lab_plain_router gw
  lab_node hub
  lab_link gw line "$LAB_GW_DOWN/32" hub wan "$LAB_PUBLIC_ADDR/32"
  ip -n "$(lab_ns gw)" route add "$LAB_PUBLIC_ADDR/32" dev line
  ip -n "$(lab_ns hub)" route add "$LAB_GW_DOWN/32" dev wan
  ip -n "$(lab_ns hub)" route add default via "$LAB_GW_DOWN"
  lab_up_room hub
}

# hub (NAT #1) -> room (NAT #2) -> laptop and desk. hub exists already.
lab_up_room() {
  local hub=$1
  lab_nat_router "$hub"
  lab_node room
  lab_link "$hub" lan "$LAB_HUB_LAN/24" room wan "$LAB_ROOM_WAN/24"
  ip -n "$(lab_ns room)" route add default via "$LAB_HUB_LAN"
  lab_nat_router room
  lab_up_lan room
}

lab_up_single() {
  lab_up_internet home "$1" "$2"
  ip -n "$(lab_ns home)" route add default via "$LAB_INET_HOME_SIDE"
  lab_nat_router home
  lab_up_lan home
}

lab_up_lan() {
  local router=$1
  lab_lan "$router" "$LAB_HOME_LAN/24"
  lab_lan_device "$router" laptop "$LAB_LAPTOP/24" "$LAB_HOME_LAN"
  lab_lan_device "$router" desk "$LAB_DESK/24" "$LAB_HOME_LAN"
}

# lab_up TOPOLOGY [--delay MS] [--wire-loss PCT]
#   double  relay - inet - hub (NAT) - room (NAT) - laptop, desk
#   single  relay - inet - home (NAT) - laptop, desk
#   cgnat   relay - inet - cgn (NAT) - hub (NAT) - room (NAT) - laptop, desk
#   ispgw   relay - inet - gw (ISP router, private addresses) - hub (NAT)
#           - room (NAT) - laptop, desk
# --delay puts a reachback-lab-wire with that one-way delay on both internet
# links (relay-inet, inet-home side); --wire-loss makes those wires lossy.
lab_up() {
  local topology=${1:-double} delay=0 loss=0
  shift || true
  while (($#)); do
    case $1 in
      --delay) delay=${2:?--delay needs milliseconds}; shift 2 ;;
      --wire-loss) loss=${2:?--wire-loss needs a percentage}; shift 2 ;;
      *) lab_die "lab_up: unknown option '$1'" ;;
    esac
  done
  [[ -n $LAB_PREFIX ]] || lab_die "call lab_init before lab_up"
  [[ -z $LAB_TOPOLOGY ]] || lab_die "the lab is already up ($LAB_TOPOLOGY)"
  [[ $delay =~ ^[0-9]+([.][0-9]+)?$ ]] || lab_die "bad delay '$delay' (milliseconds)"
  [[ $loss =~ ^[0-9]+([.][0-9]+)?$ ]] || lab_die "bad wire loss '$loss' (percent)"
  case $topology in
    double | single | cgnat | ispgw) ;;
    *) lab_die "unknown topology '$topology' (double, single, cgnat or ispgw)" ;;
  esac
  LAB_TOPOLOGY=$topology
  "lab_up_$topology" "$delay" "$loss"
  lab6_up "$topology"
  lab_check_isolation
  lab_log "up: $topology topology (prefix $LAB_PREFIX, delay ${delay} ms, nodes: ${LAB_NODES[*]})"
}

# ---------------------------------------------------------------- configuration

# Protocols (--proto P) the lab's rules match: tcp, udp, or both.
lab_check_proto() {
  case $2 in
    tcp | udp | both) ;;
    *) lab_die "$1: protocol '$2' is not tcp, udp or both" ;;
  esac
}

# The nft words that match protocol P (checked by lab_check_proto): one
# rule for both protocols, so that "both" is never a second copy of a rule.
lab_nft_proto() {
  if [[ $1 == both ]]; then echo "meta l4proto { tcp, udp }"; else echo "meta l4proto $1"; fi
}

# The nft words that match destination PORT of protocol P.
lab_nft_dport() {
  if [[ $1 == both ]]; then echo "$(lab_nft_proto both) th dport $2"; else echo "$1 dport $2"; fi
}

# How a log line names protocol P and PORT: "tcp 3000", "tcp+udp 3000".
lab_proto_port() {
  if [[ $1 == both ]]; then echo "tcp+udp $2"; else echo "$1 $2"; fi
}

# lab_forward ROUTER PORT TARGET[:TPORT] [--proto P] [--loopback]: DNAT
# PORT of protocol P (tcp by default, udp, or both) arriving on the
# router's WAN to TARGET:TPORT (TPORT defaults to PORT) and let it through.
# --loopback also gives the forward NAT loopback (lab_nat_loopback).
lab_forward() {
  local router=$1 port=$2 target=$3 loopback="" proto=tcp addr tport match
  shift 3
  while (($#)); do
    case $1 in
      --loopback) loopback=1; shift ;;
      --proto) proto=${2:-}; shift 2 || lab_die "lab_forward: --proto needs tcp, udp or both" ;;
      *) lab_die "lab_forward: unknown option '$1'" ;;
    esac
  done
  lab_check_proto lab_forward "$proto"
  lab_require_router "$router"
  addr=${target%%:*}
  tport=${target#*:}
  [[ $tport != "$target" ]] || tport=$port
  [[ $port =~ ^[0-9]+$ && $tport =~ ^[0-9]+$ ]] || lab_die "lab_forward: bad port in '$port -> $target'"
  # shellcheck disable=SC2046 # the matches are several nft words
  lab_exec "$router" nft add rule ip lab prerouting iifname wan $(lab_nft_dport "$proto" "$port") \
    dnat to "$addr:$tport" || lab_die "lab_forward: DNAT rule rejected"
  # shellcheck disable=SC2046
  lab_exec "$router" nft add rule ip lab forward iifname wan ip daddr "$addr" $(lab_nft_dport "$proto" "$tport") \
    ct status dnat accept || lab_die "lab_forward: forward rule rejected"
  lab_log "$router forwards $(lab_proto_port "$proto" "$port") -> $addr:$tport"
  [[ -z $loopback ]] || lab_nat_loopback "$router" "$port" "$addr" "$tport" "$proto"
}

# lab_nat_loopback ROUTER PORT ADDR TPORT [P]: NAT loopback (hairpin NAT)
# for one forward: PORT of protocol P (default tcp) from the router's LAN to
# its own WAN address is DNATed to ADDR:TPORT as from the WAN, and
# masqueraded to the router's LAN address, so the replies come back through
# the router to be translated.
lab_nat_loopback() {
  local router=$1 port=$2 addr=$3 tport=$4 proto=${5:-tcp} wan
  lab_check_proto lab_nat_loopback "$proto"
  wan=$(ip -n "$(lab_ns "$router")" -4 -o addr show dev wan 2>/dev/null | awk '{ print $4; exit }')
  wan=${wan%/*}
  [[ -n $wan ]] || lab_die "lab_nat_loopback: $router has no WAN address"
  # shellcheck disable=SC2046 # the matches are several nft words
  lab_exec "$router" nft add rule ip lab prerouting iifname lan ip daddr "$wan" $(lab_nft_dport "$proto" "$port") \
    dnat to "$addr:$tport" || lab_die "lab_nat_loopback: DNAT rule rejected"
  # shellcheck disable=SC2046
  lab_exec "$router" nft add rule ip lab postrouting iifname lan oifname lan ip daddr "$addr" \
    $(lab_nft_dport "$proto" "$tport") ct status dnat masquerade || lab_die "lab_nat_loopback: masquerade rule rejected"
  lab_log "$router loops $(lab_proto_port "$proto" "$port") to $wan from its LAN back to $addr:$tport (NAT loopback)"
}

# lab_router_input ROUTER accept|drop|reject [--proto P]: what the router
# does with new packets to itself arriving on its WAN (replies are always
# accepted): of every protocol, or only of P (tcp, udp or both). Without a
# rule, Linux answers a closed TCP port with RST and a closed UDP port with
# ICMP port unreachable, as most routers do; drop is a stealth router, and
# --proto udp drop one that is silent only for UDP.
lab_router_input() {
  local router=$1 mode=$2 verdict match="" what="new WAN input"
  shift 2
  case ${1:-} in
    "") ;;
    --proto)
      lab_check_proto lab_router_input "${2:-}"
      match=$(lab_nft_proto "$2")
      what="new ${2/both/tcp+udp} WAN input"
      ;;
    *) lab_die "lab_router_input: unknown option '$1'" ;;
  esac
  lab_require_router "$router"
  case $mode in
    accept) return 0 ;;
    drop) verdict=drop ;;
    reject) verdict=reject ;;
    *) lab_die "lab_router_input: mode '$mode' is not accept, drop or reject" ;;
  esac
  lab_exec "$router" nft add rule ip lab input iifname wan ct state established,related accept
  # shellcheck disable=SC2086 # the match is several nft words
  lab_exec "$router" nft add rule ip lab input iifname wan $match "$verdict"
  lab_log "$router ${verdict}s $what"
}

# lab_router_filter ROUTER PORT drop|reject: the router's forward filter
# stops new connections from its WAN to tcp PORT (after any DNAT), as when
# a port forward exists but the router's firewall rule for it does not.
lab_router_filter() {
  local router=$1 port=$2 mode=$3 verdict
  lab_require_router "$router"
  case $mode in
    drop) verdict=drop ;;
    reject) verdict="reject with tcp reset" ;;
    *) lab_die "lab_router_filter: mode '$mode' is not drop or reject" ;;
  esac
  [[ $port =~ ^[0-9]+$ ]] || lab_die "lab_router_filter: bad port '$port'"
  # shellcheck disable=SC2086 # the verdict is several nft words
  lab_exec "$router" nft insert rule ip lab forward iifname wan tcp dport "$port" \
    ct state new $verdict || lab_die "lab_router_filter: rule rejected"
  lab_log "$router's forward filter: tcp $port $mode"
}

# lab_host_firewall MODE PORT [NODE] [--proto P]: NODE's (default laptop)
# own firewall on PORT of protocol P (tcp by default, udp or both).
# Loopback is always allowed, as on real host firewalls.
lab_host_firewall() {
  local mode=$1 port=$2 node=laptop proto=tcp action
  shift 2
  while (($#)); do
    case $1 in
      --proto) proto=${2:-}; shift 2 || lab_die "lab_host_firewall: --proto needs tcp, udp or both" ;;
      -*) lab_die "lab_host_firewall: unknown option '$1'" ;;
      *) node=$1; shift ;;
    esac
  done
  lab_check_proto lab_host_firewall "$proto"
  case $mode in
    none) return 0 ;;
    drop) action="drop" ;;
    reset) action="reject with tcp reset" ;;
    icmp-admin) action="reject with icmp type admin-prohibited" ;;
    icmp-port) action="reject with icmp type port-unreachable" ;;
    *) lab_die "lab_host_firewall: mode '$mode' is not none, drop, reset, icmp-admin or icmp-port" ;;
  esac
  [[ $mode != reset || $proto == tcp ]] || lab_die "lab_host_firewall: reset is TCP only, not $proto"
  [[ $port =~ ^[0-9]+$ ]] || lab_die "lab_host_firewall: bad port '$port'"
  lab_exec "$node" nft -f - <<EOF || lab_die "host firewall rules for $node were rejected"
table ip hostfw {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "lo" accept
    $(lab_nft_dport "$proto" "$port") $action
  }
}
EOF
  lab_log "$node host firewall: $(lab_proto_port "$proto" "$port") $mode"
}

# lab_loss PCT: the internet router drops PCT % of the packets arriving on
# either internet link, so each direction of each link loses about PCT %.
lab_loss() {
  local pct=$1
  [[ $pct =~ ^[0-9]+$ && $pct -le 100 ]] || lab_die "lab_loss: '$pct' is not a whole percentage"
  lab_exec inet nft -f - <<EOF || lab_die "loss rules were rejected"
table ip loss {
  chain prerouting {
    type filter hook prerouting priority raw; policy accept;
    numgen random mod 100 < $pct drop
  }
}
EOF
  lab_log "internet links lose $pct %"
}

# lab_isp_block PORT [drop|reject]: the internet router filters tcp PORT
# toward the home's public address, as an ISP that blocks a port for its
# customers: both home routers may forward it, nothing gets through.
lab_isp_block() {
  local port=$1 mode=${2:-drop} verdict
  case $mode in
    drop) verdict=drop ;;
    reject) verdict="reject with tcp reset" ;;
    *) lab_die "lab_isp_block: mode '$mode' is not drop or reject" ;;
  esac
  [[ $port =~ ^[0-9]+$ ]] || lab_die "lab_isp_block: bad port '$port'"
  lab_exec inet nft -f - <<EOF || lab_die "ISP block rules were rejected"
table ip isp {
  chain forward {
    type filter hook forward priority filter; policy accept;
    ip daddr $LAB_PUBLIC_ADDR tcp dport $port $verdict
  }
}
EOF
  lab_log "the internet router ${mode}s tcp $port toward $LAB_PUBLIC_ADDR"
}

# lab_router_no_icmp ROUTER: ROUTER sends no ICMP errors of its own (no
# time exceeded, unreachable or parameter problem), as routers that hide
# from traceroute do. ICMP errors it forwards or translates still pass.
lab_router_no_icmp() {
  local router=$1
  lab_require_router "$router"
  lab_exec "$router" nft -f - <<'EOF' || lab_die "no-ICMP rules for $router were rejected"
table ip noicmp {
  chain output {
    type filter hook output priority filter; policy accept;
    icmp type { destination-unreachable, time-exceeded, parameter-problem } drop
  }
}
EOF
  lab_log "$router sends no ICMP errors"
}

# ---------------------------------------------------------------- UPnP IGD, NAT-PMP, PCP

# The router's LAN interface ("lan") address, as ADDR/LEN.
lab_lan_cidr() {
  ip -n "$(lab_ns "$1")" -4 -o addr show dev lan 2>/dev/null | awk '{ print $4; exit }'
}

# ADDR/LEN -> the network, NET/LEN (miniupnpd's permission rules want it).
lab_cidr_network() {
  local addr=${1%/*} len=${1#*/} a b c d n mask
  IFS=. read -r a b c d <<<"$addr"
  n=$(((a << 24) | (b << 16) | (c << 8) | d))
  mask=$(((0xffffffff << (32 - len)) & 0xffffffff))
  n=$((n & mask))
  echo "$((n >> 24)).$(((n >> 16) & 255)).$(((n >> 8) & 255)).$((n & 255))/$len"
}

# The nftables skeleton miniupnpd 2.3.1 fills but does not create (as
# /etc/miniupnpd/nft_init.sh builds it): table inet filter with chains
# miniupnpd (forward), prerouting_miniupnpd (its DNATs) and
# postrouting_miniupnpd, each jumped to from a base chain. Its base chains
# accept: the lab's own table ip lab keeps deciding what is forwarded, and
# lets what any DNAT opened through, like OpenWrt's "ct status dnat accept".
# miniupnpd's DNAT hooks in one step after the lab's, so a static forward
# (lab_forward) of the same port wins, as on routers with both.
lab_upnp_tables() {
  local router=$1
  lab_exec "$router" nft -f - <<'EOF' || lab_die "miniupnpd's nftables chains for $router were rejected"
table inet filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat + 1; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat + 1; policy accept;
    jump postrouting_miniupnpd
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
EOF
  lab_exec "$router" nft add rule ip lab forward iifname wan ct status dnat accept ||
    lab_die "lab_upnp: forward rule for $router rejected"
}

# lab_upnp ROUTER strict|lenient [EXT_IP]: Debian's miniupnpd on ROUTER
# (hub, room or home) with UPnP IGD, NAT-PMP and PCP on its LAN, WAN "wan",
# HTTP on port 5000, secure mode (a client maps only to its own address).
# Every WAN in this lab holds a reserved address (private or documentation),
# and miniupnpd then refuses to map. strict keeps that, as a router behind
# another NAT does: no external address, AddPortMapping fails with 501,
# NAT-PMP answers "network failure". lenient declares EXT_IP (default
# 11.22.33.44) as the external address: mappings are made, and since they
# match the WAN interface, not the address, they forward the lab's traffic.
# --no-upnp turns UPnP IGD off (enable_upnp=no: no SSDP, no HTTP) and keeps
# NAT-PMP and PCP, as routers that offer only those do. --ipv6 turns
# miniupnpd's IPv6 on (SSDP and HTTP on the LAN's IPv6 address too, and
# IGD:2's WANIPv6FirewallControl pinholes), and makes the router's IPv6
# filter honour them (lab6_upnp_pinholes).
# Own config, pid, lease and log files: $LAB_DIR/upnp-ROUTER.*.
lab_upnp() {
  local upnp=yes only="" ipv6=no
  while [[ ${1:-} == --* ]]; do
    case $1 in
      --no-upnp) upnp=no; only+=", NAT-PMP and PCP only" ;;
      --ipv6) ipv6=yes; only+=", IPv6 pinholes" ;;
      *) lab_die "lab_upnp: unknown option '$1'" ;;
    esac
    shift
  done
  local router=$1 mode=${2:-} ext_ip=${3:-} lan base uuid_tail
  lab_require_router "$router"
  [[ -x $LAB_MINIUPNPD ]] ||
    lab_die "miniupnpd not found at '$LAB_MINIUPNPD': run deploy/install-deps.sh (package miniupnpd-nftables)"
  case $mode in
    strict) [[ -z $ext_ip ]] || lab_die "lab_upnp: strict mode takes no external address" ;;
    lenient)
      ext_ip=${ext_ip:-$LAB_UPNP_EXT_IP}
      [[ $ext_ip =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || lab_die "lab_upnp: bad external address '$ext_ip'"
      ;;
    *) lab_die "lab_upnp: mode '$mode' is not strict or lenient" ;;
  esac
  [[ -z ${LAB_UPNP_MODE[$router]:-} ]] || lab_die "lab_upnp: $router runs miniupnpd already"
  lan=$(lab_lan_cidr "$router")
  [[ -n $lan ]] || lab_die "lab_upnp: $router has no LAN address"
  lab_upnp_tables "$router"
  [[ $ipv6 == no ]] || lab6_upnp_pinholes "$router"
  base="$LAB_DIR/upnp-$router"
  # A UUID per router, stable across runs: clients may tell routers apart by it.
  uuid_tail=$(printf '%012x' "$(cksum <<<"$router" | cut -d ' ' -f 1)")
  {
    echo "ext_ifname=wan"
    [[ -z $ext_ip ]] || echo "ext_ip=$ext_ip"
    echo "listening_ip=lan"
    echo "http_port=$LAB_UPNP_HTTP_PORT"
    echo "enable_upnp=$upnp"
    echo "enable_natpmp=yes"
    [[ $ipv6 == yes ]] || echo "ipv6_disable=yes"
    echo "secure_mode=yes"
    echo "system_uptime=no"
    echo "lease_file=$base.leases"
    echo "uuid=7265616c-6162-4c61-8000-${uuid_tail: -12}"
    echo "friendly_name=reachback lab $router"
    echo "model_name=reachback lab $router ($mode)"
    echo "allow 1024-65535 $(lab_cidr_network "$lan") 1024-65535"
    echo "deny 0-65535 0.0.0.0/0 0-65535"
  } >"$base.conf"
  # -d: in the foreground (lab_down and lab_spawn own it), logging to stderr.
  # Without a syslog socket, miniupnpd's syslog() also writes every line to
  # /dev/console, which blocks for milliseconds per line: a router answering
  # a search 200 ms late is the lab's console, not the router. ip netns exec
  # runs in a mount namespace of its own, so the bind mount stays there.
  lab_spawn "$router" "upnp-$router" sh -c 'mount --bind /dev/null /dev/console && exec "$@"' miniupnpd \
    "$LAB_MINIUPNPD" -f "$base.conf" -P "$base.pid" -d
  lab_wait_log "$LAB_DIR/upnp-$router.log" "Listening for NAT-PMP/PCP traffic on port" \
    "$LAB_LAST_PID" "miniupnpd on $router"
  [[ $upnp == no ]] || lab_wait_listening "$router" "$LAB_UPNP_HTTP_PORT"
  LAB_UPNP_ROUTERS+=("$router")
  LAB_UPNP_MODE[$router]=$mode
  lab_log "$router: miniupnpd ($mode${ext_ip:+, external address $ext_ip}$only) on ${lan%/*}"
}

# The URL of ROUTER's IGD description.
lab_upnp_url() {
  local lan
  lan=$(lab_lan_cidr "$1")
  echo "http://${lan%/*}:$LAB_UPNP_HTTP_PORT/rootDesc.xml"
}

# lab_upnp_map NODE ROUTER PORT TARGET[:TPORT]: NODE asks ROUTER's miniupnpd
# (AddPortMapping, description "lab NODE") to map tcp PORT to TARGET:TPORT.
# In secure mode TARGET must be NODE's address as ROUTER sees it: its own
# on ROUTER's LAN, its router's WAN address from further inside.
lab_upnp_map() {
  local node=$1 router=$2 port=$3 target=$4 addr tport out
  lab_require_commands upnpc
  [[ -n ${LAB_UPNP_MODE[$router]:-} ]] || lab_die "lab_upnp_map: $router runs no miniupnpd (lab_upnp)"
  addr=${target%%:*}
  tport=${target#*:}
  [[ $tport != "$target" ]] || tport=$port
  [[ $port =~ ^[0-9]+$ && $tport =~ ^[0-9]+$ ]] || lab_die "lab_upnp_map: bad port in '$port -> $target'"
  out=$(lab_exec "$node" timeout 15 upnpc -u "$(lab_upnp_url "$router")" -e "lab $node" \
    -a "$addr" "$tport" "$port" TCP 2>&1) || true
  [[ $out == *"is redirected to internal $addr:$tport"* ]] || {
    # shellcheck disable=SC2001 # every line, not one substitution
    sed 's/^/  | /' <<<"$out" >&2
    lab_die "lab_upnp_map: $router refused to map tcp $port -> $addr:$tport for $node"
  }
  lab_log "$router maps tcp $port -> $addr:$tport through UPnP (for $node)"
}

# lab_upnp_table ROUTER: ROUTER's port mappings, sorted, one per line: as
# UPnP lists them when asked from its LAN (GetGenericPortMappingEntry, by
# upnpc in the room for the hub, in the desk otherwise), "upnp TCP
# 3000->192.168.1.24:3000 'lab desk' ''", without the remaining lease; then
# the DNAT rules miniupnpd wrote, "nft iif ... dnat ip to ...". "upnp
# unreachable" when the router did not answer.
lab_upnp_table() {
  local router=$1 asker out
  case $router in
    hub) asker=room ;;
    *) asker=desk ;;
  esac
  out=$(lab_exec "$asker" timeout 15 upnpc -u "$(lab_upnp_url "$router")" -l 2>&1) || true
  if [[ $out != *"i protocol exPort->inAddr:inPort"* ]]; then
    echo "upnp unreachable"
  else
    awk '$1 ~ /^[0-9]+$/ && $3 ~ /->/ { $1 = ""; $NF = ""; sub(/^ +/, ""); sub(/ +$/, ""); print "upnp " $0 }' \
      <<<"$out" | sort
  fi
  lab_exec "$router" nft list chain inet filter prerouting_miniupnpd 2>/dev/null |
    awk '/dnat/ { $1 = $1; print "nft " $0 }' | sort
  lab6_upnp_pinhole_rules "$router"
}

# ---------------------------------------------------------------- services

# lab_spawn NODE NAME CMD...: runs CMD inside NODE in the background, output
# in $LAB_DIR/NAME.log; the pid is in LAB_LAST_PID.
lab_spawn() {
  local node=$1 name=$2
  shift 2
  ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_DIR/$name.log" 2>&1 &
  LAB_LAST_PID=$!
  LAB_SPAWNED_PIDS+=("$LAB_LAST_PID")
}

# lab_listening NODE PORT [tcp|udp]: a socket listens (TCP) or is bound
# (UDP) on PORT in NODE.
lab_listening() {
  local node=$1 port=$2 kind=t
  [[ ${3:-tcp} != udp ]] || kind=u
  [[ -n $(lab_exec "$node" ss -Hl"$kind"n "sport = :$port") ]]
}

lab_wait_listening() {
  lab_wait_for "a ${3:-tcp} listener on $1 port $2" lab_listening "$1" "$2" "${3:-tcp}"
}

# lab_hold_port NODE PORT [ADDR]: a process (socat) that listens on PORT,
# on every address or only on ADDR, and answers nothing.
lab_hold_port() {
  local node=$1 port=$2 addr=${3:-} bind=""
  lab_require_commands socat ss
  [[ -z $addr ]] || bind=",bind=$addr"
  lab_spawn "$node" "hold-$node-$port" socat "TCP-LISTEN:$port,fork,reuseaddr$bind" OPEN:/dev/null
  lab_wait_listening "$node" "$port"
  lab_log "$node: socat holds tcp ${addr:-0.0.0.0}:$port"
}

# lab_hold_port_v6only NODE PORT: a process (socat) that listens on [::]:PORT
# with IPV6_V6ONLY, so that IPv4 finds nobody on PORT, and answers nothing.
lab_hold_port_v6only() {
  local node=$1 port=$2
  lab_require_commands socat ss
  lab_spawn "$node" "hold6-$node-$port" socat "TCP6-LISTEN:$port,fork,reuseaddr,ipv6only=1" OPEN:/dev/null
  lab_wait_listening "$node" "$port"
  lab_log "$node: socat holds tcp [::]:$port, IPv6 only"
}

# lab_serve_banner NODE PORT TEXT: every connection gets TEXT\r\n, then EOF.
lab_serve_banner() {
  local node=$1 port=$2 text=$3 file
  lab_require_commands socat ss
  file="$LAB_DIR/banner-$node-$port"
  printf '%s\r\n' "$text" >"$file"
  lab_spawn "$node" "banner-$node-$port" socat "TCP-LISTEN:$port,fork,reuseaddr" \
    "SYSTEM:cat $file"
  lab_wait_listening "$node" "$port"
  lab_log "$node: serves '$text' on tcp $port"
}

# lab_seen_as SERVER ADDR PORT CLIENT: the source address SERVER sees for a
# TCP connection from CLIENT to its ADDR:PORT (either family, as socat
# writes it: IPv6 in brackets, every group in full), or "none". Up to three
# connections: on a lossy lab link one can lose a packet and each of its
# retransmissions before the wait is over, which says nothing about the
# address.
lab_seen_as() {
  local server=$1 addr=$2 port=$3 client=$4 family=4 endpoint=$2 listener seen="" _
  [[ $addr != *:* ]] || { family=6 endpoint="[$addr]"; }
  # shellcheck disable=SC2016 # socat's shell expands it, per connection
  lab_spawn "$server" "seen-as$family" \
    socat "TCP$family-LISTEN:$port,bind=$endpoint,reuseaddr,fork" 'SYSTEM:echo $SOCAT_PEERADDR'
  listener=$LAB_LAST_PID
  lab_wait_listening "$server" "$port"
  for _ in 1 2 3; do
    seen=$(lab_exec "$client" timeout 10 \
      socat -T 3 -u "TCP$family:$endpoint:$port,connect-timeout=5" STDOUT 2>/dev/null || true)
    [[ -z $seen ]] || break
  done
  kill "$listener" 2>/dev/null || true
  wait "$listener" 2>/dev/null || true
  echo "${seen:-none}"
}

# lab_udp_exchange NODE ADDR PORT WAIT: one datagram ("probe") from NODE to
# ADDR:PORT (either family), as a token: reply:FIRST-LINE, refused (ICMP
# port unreachable), hostunreach, or timeout when nothing came back within
# WAIT seconds. bash's connected /dev/udp socket and head return the moment
# an answer or an ICMP error arrives, so only silence costs the whole WAIT.
lab_udp_exchange() {
  local node=$1 addr=$2 port=$3 wait=$4 out err rc=0
  # shellcheck disable=SC2016 # the inner bash expands its own arguments
  out=$(lab_exec "$node" bash -c 'exec 3<>"/dev/udp/$1/$2" && echo probe >&3 &&
                                  timeout "$3" head -n 1 <&3' \
          lab_udp_exchange "$addr" "$port" "$wait" 2>"$LAB_DIR/exchange.err") || rc=$?
  err=$(<"$LAB_DIR/exchange.err")
  if [[ -n $out ]]; then echo "reply:$out"
  elif [[ $err == *refused* ]]; then echo refused
  elif [[ $err == *"No route to host"* ]]; then echo hostunreach
  elif ((rc == 124)); then echo timeout
  else echo "error:$rc"
  fi
}

# lab_answer_wait EXPECTED: how long lab_udp_exchange waits when the test
# expects EXPECTED. Silence is only known by waiting: 2 s, more than the
# delay wire's slowest round trip to the home (1.2 s). An answer or an
# ICMP error (a hub's host unreachable comes after its 3 s ARP timeout)
# gets 10 s, which only a stalled machine uses.
lab_answer_wait() {
  if [[ $1 == timeout ]]; then echo 2; else echo 10; fi
}

# lab_serve_udp NODE PORT [TEXT]: a UDP server (socat) on PORT, IPv4. Without
# TEXT it sends every datagram back to where it came from, as an echo
# service does; with TEXT it answers each one with TEXT\n. Each datagram
# gets its own socat child, which ends after one second without another
# datagram from that peer. The server's pid is in
# $LAB_DIR/udp-NODE-PORT.pid, so a test can stop this server alone.
lab_serve_udp() {
  lab_serve_udp_family 4 "$@"
}

# lab_serve_udp_family 4|6 NODE PORT [TEXT]: lab_serve_udp over IPv4, or over
# IPv6 and IPv4 both (a dual-stack socket) for 6.
lab_serve_udp_family() {
  local family=$1 node=$2 port=$3 text=${4-} file answer=PIPE what="echoes" listen
  lab_require_commands socat ss
  [[ $port =~ ^[0-9]+$ ]] || lab_die "lab_serve_udp: bad port '$port'"
  case $family in
    4) listen="UDP4-RECVFROM:$port,fork,reuseaddr" ;;
    6) listen="UDP6-RECVFROM:$port,fork,reuseaddr,ipv6only=0" ;;
    *) lab_die "lab_serve_udp_family: bad family '$family'" ;;
  esac
  if (($# >= 4)); then
    file="$LAB_DIR/udp-answer-$node-$port"
    printf '%s\n' "$text" >"$file"
    # Read the datagram too: a child that exits before socat has written
    # it to the child's stdin makes socat fail (EPIPE), now and then before
    # the answer went out.
    answer="SYSTEM:cat $file; cat >/dev/null"
    what="answers '$text'"
  fi
  lab_spawn "$node" "udp-$node-$port" socat -T 1 "$listen" "$answer"
  echo "$LAB_LAST_PID" >"$LAB_DIR/udp-$node-$port.pid"
  lab_wait_listening "$node" "$port" udp
  lab_log "$node: socat $what on udp$family $port"
}
