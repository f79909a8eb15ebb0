#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the lab itself with standard tools (nping, socat, traceroute,
# tcpdump, ping): no reachback program is involved. For a scenario it builds
# the lab, stands in for probe-client's agent (a socat listener that sends
# "agent") where the client would listen, and records what each side sees:
#
#   path     the laptop's traceroute toward the relay
#   seen-as  the source address the relay sees for a laptop connection
#   sweep    the relay's TTL-limited SYNs to the public address, TTL 1..5:
#            te@SRC/TTL (ICMP time exceeded from SRC, arriving with TTL),
#            rst@, synack@, icmpT/C@ (other ICMP errors), or - (silence)
#   connect  the relay's full connect to the public address:
#            banner:TEXT, empty, refused, hostunreach, timeout
#   laptop   the destination port of the first relay SYN the laptop saw, or none
#
# and compares them with the expectations below. In a UDP scenario (one
# that runs probe-client --udp) the sweep sends datagrams ("probe") and
# adds udp@ (a datagram came back); connect sends one datagram and waits
# for reply:TEXT, refused (ICMP port unreachable), hostunreach or timeout;
# laptop is the port of the first relay datagram; and tcp, a TCP connect to
# the same port, shows that no TCP forward or filter is involved.
#
# In scenarios where routers run miniupnpd it also checks, for each, from
# the laptop: discovery (multicast on the room's LAN, unicast M-SEARCH to
# the hub), GetExternalIPAddress, NAT-PMP, PCP and AddPortMapping, and for
# a lenient router that the mapping forwards; with both NATs lenient, that
# two mappings made from the laptop let the relay reach it.
#
# Checks of single primitives: udp-echo (lab_serve_udp, its pid file, and
# the port unreachable a host sends once it is gone), forward-both
# (lab_forward --proto both forwards TCP and UDP), proto-errors (a bad
# --proto gets its one-line error).
#
#   selftest.sh [--wire-bin PATH] CHECK...
#   CHECK: a scenario name, wire-delay, wire-loss, nft-loss, upnp-teardown,
#   udp-echo, forward-both, proto-errors, or all;
#   or reap: delete what killed lab runs left behind (ctest's cleanup)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
source "$here/lab.sh"
# shellcheck source=SCRIPTDIR/scenarios.sh
source "$here/scenarios.sh"

LAB_WIRE_BIN=${LAB_WIRE_BIN:-$repo/build/tests/lab/reachback-lab-wire}
LAB_QUIET=1
readonly INET=$LAB_INET_RELAY_SIDE PUB=$LAB_PUBLIC_ADDR
readonly SWEEP_MAX_TTL=5

# ---------------------------------------------------------------- expectations

readonly PATH_DOUBLE="$LAB_HOME_LAN $LAB_HUB_LAN $LAB_INET_HOME_SIDE $LAB_RELAY_ADDR"
readonly PATH_SINGLE="$LAB_HOME_LAN $LAB_INET_HOME_SIDE $LAB_RELAY_ADDR"
readonly PATH_CGNAT="$LAB_HOME_LAN $LAB_HUB_LAN $LAB_CGN_LAN $LAB_INET_HOME_SIDE $LAB_RELAY_ADDR"
# Replies past the room router, seen at the relay: the room's own errors
# arrive with TTL 62, the laptop's and the desk's with 61.
readonly TO_ROOM="te@$INET/64 te@$PUB/63 te@$PUB/62"

# Sets E_PATH, E_SWEEP, E_CONNECT, E_LAPTOP for scenario $1.
expect() {
  E_PATH=$PATH_DOUBLE
  case $1 in
    udp-reachable)
      E_SWEEP="$TO_ROOM udp@$PUB/61 udp@$PUB/61" E_CONNECT=reply:agent E_LAPTOP=3000 ;;
    udp-service-echo)
      E_SWEEP="$TO_ROOM udp@$PUB/61 udp@$PUB/61" E_CONNECT=reply:probe E_LAPTOP=3000 ;;
    udp-room-no-forward)
      E_SWEEP="te@$INET/64 te@$PUB/63 icmp3/3@$PUB/62 icmp3/3@$PUB/62 icmp3/3@$PUB/62"
      E_CONNECT=refused E_LAPTOP=none ;;
    udp-hub-silent)
      E_SWEEP="te@$INET/64 - - - -" E_CONNECT=timeout E_LAPTOP=none ;;
    udp-fw-drop)
      E_SWEEP="$TO_ROOM - -" E_CONNECT=timeout E_LAPTOP=3000 ;;
    reachable)
      E_SWEEP="$TO_ROOM synack@$PUB/61 synack@$PUB/61" E_CONNECT=banner:agent E_LAPTOP=3000 ;;
    no-listener | fw-reset)
      E_SWEEP="$TO_ROOM rst@$PUB/61 rst@$PUB/61" E_CONNECT=refused E_LAPTOP=3000 ;;
    loopback-only)
      E_SWEEP="$TO_ROOM rst@$PUB/61 rst@$PUB/61" E_CONNECT=refused E_LAPTOP=3000 ;;
    fw-drop)
      E_SWEEP="$TO_ROOM - -" E_CONNECT=timeout E_LAPTOP=3000 ;;
    fw-icmp-admin)
      E_SWEEP="$TO_ROOM icmp3/13@$PUB/61 icmp3/13@$PUB/61" E_CONNECT=hostunreach E_LAPTOP=3000 ;;
    fw-icmp-port)
      E_SWEEP="$TO_ROOM icmp3/3@$PUB/61 icmp3/3@$PUB/61" E_CONNECT=refused E_LAPTOP=3000 ;;
    room-no-forward | lossy-room-no-forward)
      E_SWEEP="te@$INET/64 te@$PUB/63 rst@$PUB/62 rst@$PUB/62 rst@$PUB/62"
      E_CONNECT=refused E_LAPTOP=none ;;
    room-stealth-no-forward)
      E_SWEEP="te@$INET/64 te@$PUB/63 - - -" E_CONNECT=timeout E_LAPTOP=none ;;
    hub-no-forward)
      E_SWEEP="te@$INET/64 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63"
      E_CONNECT=refused E_LAPTOP=none ;;
    hub-stealth-no-forward)
      E_SWEEP="te@$INET/64 - - - -" E_CONNECT=timeout E_LAPTOP=none ;;
    wrong-target)
      E_SWEEP="$TO_ROOM synack@$PUB/61 synack@$PUB/61" E_CONNECT=banner:SSH-2.0-desk E_LAPTOP=none ;;
    wrong-port)
      E_SWEEP="$TO_ROOM rst@$PUB/61 rst@$PUB/61" E_CONNECT=refused E_LAPTOP=3001 ;;
    bind-conflict)
      E_SWEEP="$TO_ROOM synack@$PUB/61 synack@$PUB/61" E_CONNECT=empty E_LAPTOP=3000 ;;
    cgnat)
      E_PATH=$PATH_CGNAT
      E_SWEEP="te@$INET/64 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63"
      E_CONNECT=refused E_LAPTOP=none ;;
    single-no-forward)
      E_PATH=$PATH_SINGLE
      E_SWEEP="te@$INET/64 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63"
      E_CONNECT=refused E_LAPTOP=none ;;
    room-forward-filtered)
      # From the relay this looks exactly like fw-drop: the room decrements
      # TTL (and answers TTL 3) before its forward filter drops the SYN.
      E_SWEEP="$TO_ROOM - -" E_CONNECT=timeout E_LAPTOP=none ;;
    hub-stale-forward)
      # The hub sends the SYN toward an address nobody holds: after the
      # ARP timeout (about 3 s) it answers "host unreachable".
      E_SWEEP="te@$INET/64 te@$PUB/63 icmp3/1@$PUB/63 icmp3/1@$PUB/63 icmp3/1@$PUB/63"
      E_CONNECT=hostunreach E_LAPTOP=none ;;
    hub-forward-filtered)
      E_SWEEP="te@$INET/64 te@$PUB/63 - - -" E_CONNECT=timeout E_LAPTOP=none ;;
    isp-block)
      E_SWEEP="te@$INET/64 - - - -" E_CONNECT=timeout E_LAPTOP=none ;;
    no-icmp-room-no-forward)
      E_PATH="* * $LAB_INET_HOME_SIDE $LAB_RELAY_ADDR"
      E_SWEEP="te@$INET/64 - rst@$PUB/62 rst@$PUB/62 rst@$PUB/62"
      E_CONNECT=refused E_LAPTOP=none ;;
    upnp-wrong-target)
      E_SWEEP="$TO_ROOM synack@$PUB/61 synack@$PUB/61" E_CONNECT=banner:SSH-2.0-desk E_LAPTOP=none ;;
    upnp-off-room-no-forward | upnp-strict-room | delay-300)
      E_SWEEP="te@$INET/64 te@$PUB/63 rst@$PUB/62 rst@$PUB/62 rst@$PUB/62"
      E_CONNECT=refused E_LAPTOP=none ;;
    fix-double-nat | fix-conflict)
      E_SWEEP="te@$INET/64 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63 rst@$PUB/63"
      E_CONNECT=refused E_LAPTOP=none ;;
    *) lab_die "selftest: no expectations for scenario '$1'" ;;
  esac
}

# ---------------------------------------------------------------- observations

# The laptop's route toward the relay, one address per hop ("*": silence).
observe_path() {
  local wait=${1:-1}
  lab_exec laptop timeout 40 traceroute -n -q 3 -w "$wait" -m 6 "$LAB_RELAY_ADDR" 2>/dev/null |
    awk 'NR > 1 { a = "*"; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $i ~ /\./) { a = $i; break }
                  printf "%s%s", sep, a; sep = " " }'
}

# The source address the relay sees for a connection from the laptop.
observe_seen_as() { lab_seen_as relay "$LAB_RELAY_ADDR" 4750 laptop; }

# nping's options for the scenario's protocol ($proto): SYNs, or datagrams
# that carry a line an echo server sends back.
nping_mode() {
  if [[ $proto == udp ]]; then echo "--udp --data-string probe"; else echo "--tcp"; fi
}

# One TTL of the relay's sweep, as a token (see the header).
sweep_ttl() {
  local ttl=$1 tries=$2 gap=$3 line
  # shellcheck disable=SC2046 # nping_mode's words are options
  line=$(lab_exec relay timeout 15 nping $(nping_mode) -p "$LAB_PORT" --ttl "$ttl" -c "$tries" \
    --delay "$gap" "$PUB" 2>/dev/null | grep -m 1 '^RCVD' || true)
  awk -v line="$line" 'BEGIN {
    if (line == "") { print "-"; exit }
    n = split(line, w, " ")
    ttl = ""; for (i = 1; i <= n; i++) if (w[i] ~ /^\[?ttl=/) { ttl = w[i]; sub(/.*ttl=/, "", ttl) }
    if (w[3] == "ICMP") {
      src = substr(w[4], 2)
      match(line, /type=[0-9]+\/code=[0-9]+/); tc = substr(line, RSTART, RLENGTH)
      gsub(/type=|code=/, "", tc)
      kind = (tc == "11/0") ? "te" : "icmp" tc
    } else if (w[3] == "UDP") {
      src = w[4]; sub(/:[0-9]+$/, "", src); kind = "udp"
    } else {
      src = w[4]; sub(/:[0-9]+$/, "", src)
      kind = (w[7] ~ /S/ && w[7] ~ /A/) ? "synack" : (w[7] ~ /R/ ? "rst" : "tcp" w[7])
    }
    printf "%s@%s/%s\n", kind, src, ttl
  }'
}

# TTL 1..SWEEP_MAX_TTL, one after the other: concurrent npings would each
# see the others' replies on their raw sockets.
# SETTLE seconds after each TTL let the replies to its last probe arrive
# before the next nping listens.
observe_sweep() {
  local tries=$1 gap=${2:-300ms} settle=${3:-0} ttl out=()
  for ((ttl = 1; ttl <= SWEEP_MAX_TTL; ttl++)); do
    out+=("$(sweep_ttl "$ttl" "$tries" "$gap")")
    sleep "$settle"
  done
  echo "${out[*]}"
}

# Starts a capture of relay SYNs (or datagrams) on the laptop; sets capture_pid.
start_laptop_capture() {
  local filter="tcp[tcpflags] & tcp-syn != 0"
  [[ $proto != udp ]] || filter=udp
  lab_spawn laptop capture tcpdump -i eth0 -n -l -c 10 "src host $LAB_RELAY_ADDR and $filter"
  capture_pid=$LAB_LAST_PID
  lab_wait_log "$LAB_DIR/capture.log" "listening on" "$capture_pid" "tcpdump on the laptop"
}

# The destination port of the first captured SYN, or none.
stop_laptop_capture() {
  sleep 0.3
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  awk '/ IP / { split($5, a, "."); p = a[5]; sub(/:$/, "", p); print p; found = 1; exit }
       END { if (!found) print "none" }' "$LAB_DIR/capture.log"
}

# The relay's full connect to the public address, as a token.
observe_connect() {
  local out err rc=0
  out=$(lab_exec relay timeout 12 socat -T 2 -u "TCP:$PUB:$LAB_PORT,connect-timeout=6" STDOUT \
    2>"$LAB_DIR/connect.err") || rc=$?
  err=$(cat "$LAB_DIR/connect.err")
  if ((rc == 0)); then
    out=$(printf '%s' "$out" | tr -d '\r' | head -n 1)
    if [[ -n $out ]]; then echo "banner:$out"; else echo "empty"; fi
  elif [[ $err == *"refused"* ]]; then echo refused
  elif [[ $err == *"No route to host"* ]]; then echo hostunreach
  else echo timeout
  fi
}

# One datagram from NODE to ADDR:3000 (lab_udp_exchange), waited for as
# long as the answer the test expects, EXPECTED, needs.
udp_exchange() {
  lab_udp_exchange "$1" "$2" "$LAB_PORT" "$(lab_answer_wait "$3")"
}

# Stands in for probe-client's own listener (or UDP socket) where the client
# would open one.
start_agent() {
  local arg
  for arg in "${SCENARIO_CLIENT_ARGS[@]}"; do
    [[ $arg != --service ]] || return 0
  done
  if [[ $proto == udp ]]; then
    lab_listening laptop "$LAB_PORT" udp || lab_serve_udp laptop "$LAB_PORT" agent
  else
    lab_listening laptop "$LAB_PORT" || lab_serve_banner laptop "$LAB_PORT" agent
  fi
}

# ---------------------------------------------------------------- UPnP IGD, NAT-PMP, PCP

# A port per router that no scenario uses, for the mapping checks. Not one
# for both: miniupnpd refuses (729) to map a port a process on the router
# itself listens on, and the hub's check listens in the room.
upnp_test_port() {
  if [[ $1 == hub ]]; then echo 4100; else echo 4101; fi
}

# How the laptop finds ROUTER's IGD, as a token: the room (or single home
# router) by multicast discovery on its LAN; the hub, a NAT further out, by
# a unicast M-SEARCH to its SSDP port, which crosses the room's NAT.
observe_upnp_discovery() {
  local router=$1 lan out
  lan=$(lab_lan_cidr "$router")
  lan=${lan%/*}
  if [[ $router == hub ]]; then
    out=$(printf 'M-SEARCH * HTTP/1.1\r\nHOST: %s:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: %s\r\n\r\n' \
      "$lan" "urn:schemas-upnp-org:device:InternetGatewayDevice:1" |
      lab_exec laptop timeout 6 socat -T 3 - "UDP:$lan:1900" 2>/dev/null | tr -d '\r' || true)
    awk 'toupper($1) == "LOCATION:" { print "ssdp-unicast:" $2; found = 1; exit }
         END { if (!found) print "none" }' <<<"$out"
  else
    out=$(lab_exec laptop timeout 15 upnpc -l 2>/dev/null || true)
    awk '$1 == "desc:" { print "multicast:" $2; found = 1; exit } END { if (!found) print "none" }' <<<"$out"
  fi
}

# The external address ROUTER's IGD reports (GetExternalIPAddress), asked
# from the laptop: ext:ADDR, ext:"" when empty, or none.
observe_upnp_external() {
  local out
  out=$(lab_exec laptop timeout 15 upnpc -u "$(lab_upnp_url "$1")" -s 2>/dev/null || true)
  awk '/^ExternalIPAddress = / { print "ext:" ($3 == "" ? "\"\"" : $3); found = 1; exit }
       /GetExternalIPAddress failed/ { print "ext:\"\""; found = 1; exit }
       END { if (!found) print "none" }' <<<"$out"
}

# NAT-PMP's public address request from the laptop: public:ADDR,
# network-failure, or none.
observe_natpmp() {
  local lan out
  lan=$(lab_lan_cidr "$1")
  out=$(lab_exec laptop timeout 10 natpmpc -g "${lan%/*}" 2>&1 || true)
  if [[ $out =~ Public\ IP\ address\ :\ ([0-9.]+) ]]; then
    echo "public:${BASH_REMATCH[1]}"
  elif [[ $out == *"network failure"* ]]; then
    echo network-failure
  else
    echo none
  fi
}

# A PCP ANNOUNCE (RFC 6887) from the laptop: pcp-result:N, or none.
observe_pcp() {
  local lan reply
  lan=$(lab_lan_cidr "$1")
  # Version 2, opcode ANNOUNCE, lifetime 0, client ::ffff:192.168.1.23.
  reply=$(printf '\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xc0\xa8\x01\x17' |
    lab_exec laptop timeout 6 socat -T 3 - "UDP:${lan%/*}:$LAB_UPNP_PMP_PORT" 2>/dev/null |
    od -An -v -tu1 | tr -s ' \n' ' ' || true)
  # A response: version 2, R bit with opcode 0 (128), reserved, result code.
  awk '{ if ($1 == 2 && $2 == 128) print "pcp-result:" $4; else print "none" }' <<<"${reply:- }"
}

# AddPortMapping of the router's test port from the laptop, for the address the
# router sees it as: accepted, upnp-error:CODE, or none.
observe_upnp_add() {
  local router=$1 internal=$LAB_LAPTOP port out
  [[ $router != hub ]] || internal=$LAB_ROOM_WAN
  port=$(upnp_test_port "$router")
  out=$(lab_exec laptop timeout 15 upnpc -u "$(lab_upnp_url "$router")" -e "lab selftest" \
    -a "$internal" "$port" "$port" TCP 2>&1 || true)
  if [[ $out == *"is redirected to internal $internal:$port"* ]]; then
    echo accepted
  elif [[ $out =~ failed\ with\ code\ ([0-9]+) ]]; then
    echo "upnp-error:${BASH_REMATCH[1]}"
  else
    echo none
  fi
}

# Whether the mapping observe_upnp_add made forwards: a connection from the
# router's WAN side (the relay; for the room, the hub) to its WAN address
# on its test port reaches a listener where the mapping points (the
# laptop; for the hub, the room router itself). banner:TEXT or a connect token.
observe_upnp_forwards() {
  local router=$1 from=relay to=$LAB_PUBLIC_ADDR at=laptop port out
  case $router in
    hub) at=room ;;
    room) from=hub to=$LAB_ROOM_WAN ;;
  esac
  port=$(upnp_test_port "$router")
  lab_listening "$at" "$port" || lab_serve_banner "$at" "$port" "$at"
  out=$(lab_exec "$from" timeout 10 socat -T 2 -u "TCP:$to:$port,connect-timeout=5" STDOUT \
    2>/dev/null | tr -d '\r' | head -n 1 || true)
  if [[ -n $out ]]; then echo "banner:$out"; else echo no-banner; fi
}

# Whether the internet router could send anything to the external address
# a lenient miniupnpd declares: "unreachable" when it has no route for it.
observe_ext_route() {
  if lab_exec inet ip -4 route get "$LAB_UPNP_EXT_IP" >/dev/null 2>&1; then
    echo routed
  else
    echo unreachable
  fi
}

# With both NATs lenient, what --fix does by hand: the laptop maps a port
# on the hub to the room's WAN and on the room to itself; the relay's
# connection to the public address then reaches the laptop's listener.
check_upnp_chain() {
  local port=4102 got=""
  # In subshells: a refusal is a mismatch here, not the end of the run.
  (lab_upnp_map laptop hub "$port" "$LAB_ROOM_WAN") 2>/dev/null &&
    (lab_upnp_map laptop room "$port" "$LAB_LAPTOP") 2>/dev/null || got="map refused"
  if [[ -z $got ]]; then
    lab_serve_banner laptop "$port" "laptop via both"
    got=$(lab_exec relay timeout 10 socat -T 2 -u "TCP:$PUB:$port,connect-timeout=5" STDOUT \
      2>/dev/null | tr -d '\r' | head -n 1 || true)
    got=${got:+banner:$got}
  fi
  compare "chain" "${got:-no-banner}" "banner:laptop via both"
}

# Every UPnP check of one router that runs miniupnpd, against what its mode
# (strict or lenient) promises.
check_upnp_router() {
  local router=$1 mode=${LAB_UPNP_MODE[$1]} lan url want_disc
  lan=$(lab_lan_cidr "$router")
  url="http://${lan%/*}:$LAB_UPNP_HTTP_PORT/rootDesc.xml"
  if [[ $router == hub ]]; then want_disc="ssdp-unicast:$url"; else want_disc="multicast:$url"; fi
  echo "  $router: miniupnpd, $mode"
  compare "  find" "$(observe_upnp_discovery "$router")" "$want_disc"
  compare "  pcp" "$(observe_pcp "$router")" "pcp-result:0"
  if [[ $mode == strict ]]; then
    compare "  ext-ip" "$(observe_upnp_external "$router")" 'ext:""'
    compare "  natpmp" "$(observe_natpmp "$router")" network-failure
    compare "  add" "$(observe_upnp_add "$router")" upnp-error:501
  else
    compare "  ext-ip" "$(observe_upnp_external "$router")" "ext:$LAB_UPNP_EXT_IP"
    compare "  natpmp" "$(observe_natpmp "$router")" "public:$LAB_UPNP_EXT_IP"
    compare "  add" "$(observe_upnp_add "$router")" accepted
    local at=laptop
    [[ $router != hub ]] || at=room
    compare "  forward" "$(observe_upnp_forwards "$router")" "banner:$at"
    compare "  ext-route" "$(observe_ext_route)" unreachable
  fi
}

# Starting, stopping and reaping miniupnpd: lab_down leaves no miniupnpd and
# no namespace; a run killed with -9 leaves both, even a miniupnpd whose
# namespace is gone, and lab_reap_stale removes them.
check_upnp_teardown() {
  local pids=() pid router child child_dir child_pid child_lab ns alive i
  lab_up double
  lab_upnp hub lenient
  lab_upnp room strict
  for router in hub room; do
    pids+=("$(cat "$LAB_DIR/upnp-$router.pid")")
  done
  echo "upnp-teardown: miniupnpd ${pids[*]} in $LAB_PREFIX*"
  lab_down
  alive=""
  for pid in "${pids[@]}"; do
    ! lab_alive "$pid" || alive+="$pid "
  done
  compare "alive" "${alive:-none}" none
  compare "netns" "$(ip netns list | awk -v p="$LAB_PREFIX" 'index($1, p) == 1' | wc -l)" 0
  # A lab run killed with -9: its namespaces and miniupnpd stay behind.
  child_dir=$(mktemp -d "${TMPDIR:-/tmp}/rbl-child.XXXXXX")
  LAB_QUIET=1 bash -c 'source "$1/lab.sh"; lab_init; lab_up single; lab_upnp home lenient
    echo "$LAB_PREFIX $(cat "$LAB_DIR/upnp-home.pid") $LAB_DIR" >"$2/info"; exec sleep 30' _ "$here" "$child_dir" \
    >"$child_dir/log" 2>&1 &
  child=$!
  lab_wait_for "the killed lab's miniupnpd" test -s "$child_dir/info"
  read -r ns child_pid child_lab <"$child_dir/info"
  kill -9 "$child"
  wait "$child" 2>/dev/null || true
  # Its router's namespace deleted under its miniupnpd, as by a teardown
  # cut short: only the process still holds it.
  ip netns del "${ns}home"
  lab_alive "$child_pid" || lab_die "upnp-teardown: the killed lab's miniupnpd is gone too early"
  lab_reap_stale
  for ((i = 0; i < 20; i++)); do
    lab_alive "$child_pid" || break
    sleep 0.1
  done
  compare "reaped" "$(lab_alive "$child_pid" && echo "$child_pid alive" || echo gone)" gone
  compare "netns" "$(ip netns list | awk -v p="$ns" 'index($1, p) == 1' | wc -l)" 0
  rm -rf -- "$child_dir" "$child_lab"
}

# ---------------------------------------------------------------- checks

failures=0
# The protocol of the scenario being checked (client_protocol).
proto=tcp

compare() {
  local what=$1 got=$2 want=$3
  if [[ $got == "$want" ]]; then
    printf '  %-8s %s\n' "$what" "$got"
  else
    printf '  %-8s %s   <-- MISMATCH, expected: %s\n' "$what" "$got" "$want"
    failures=$((failures + 1))
  fi
}

check_scenario() {
  local name=$1 tries=1 gap=300ms settle=0 wait=1 router
  expect "$name"
  scenario_run "$name"
  proto=$(client_protocol)
  [[ $name != lossy-* ]] || tries=4
  # 300 ms each way on each internet link: replies from the home take 1.2 s.
  [[ $name != delay-* ]] || { tries=2 gap=2s settle=1.5 wait=3; }
  # The hub's "host unreachable" for its stale forward comes after the ARP
  # timeout (3 s), and nping waits only 1 s after its last probe.
  [[ $name != hub-stale-* ]] || { tries=2 gap=3500ms; }
  start_agent
  echo "$name: $SCENARIO_TITLE"
  compare path "$(observe_path "$wait")" "$E_PATH"
  compare seen-as "$(observe_seen_as)" "$PUB"
  compare sweep "$(observe_sweep "$tries" "$gap" "$settle")" "$E_SWEEP"
  start_laptop_capture
  if [[ $proto == udp ]]; then
    compare connect "$(udp_exchange relay "$PUB" "$E_CONNECT")" "$E_CONNECT"
  else
    compare connect "$(observe_connect)" "$E_CONNECT"
  fi
  compare laptop "$(stop_laptop_capture)" "$E_LAPTOP"
  # No UDP scenario forwards or filters TCP: the hub resets the connection.
  [[ $proto != udp ]] || compare tcp "$(observe_connect)" refused
  # Last: the mapping checks add mappings of their own.
  for router in "${LAB_UPNP_ROUTERS[@]}"; do
    check_upnp_router "$router"
  done
  if [[ ${LAB_UPNP_MODE[hub]:-} == lenient && ${LAB_UPNP_MODE[room]:-} == lenient ]]; then
    check_upnp_chain
  fi
}

# Mean ping RTT in ms from the relay to ADDR.
mean_rtt() {
  lab_exec relay ping -n -q -c "$2" -i 0.2 -W 2 "$1" |
    awk -F/ '/^rtt/ { printf "%.1f\n", $5 }'
}

# The relay-inet link is one wire, relay-hub crosses two: RTT = 2 x delay
# per wire, plus well under a millisecond of forwarding.
check_wire_delay() {
  local delay=40 one two
  lab_up double --delay "$delay"
  one=$(mean_rtt "$INET" 10)
  two=$(mean_rtt "$PUB" 10)
  echo "wire-delay: one-way ${delay} ms per wire; relay->inet RTT ${one} ms (1 wire)," \
    "relay->hub RTT ${two} ms (2 wires)"
  # The floor is the property; the ceiling leaves room for a busy machine.
  within "rtt over 1 wire" "$one" $((2 * delay)) $((2 * delay + 15))
  within "rtt over 2 wires" "$two" $((4 * delay)) $((4 * delay + 25))
}

within() {
  local what=$1 got=$2 low=$3 high=$4
  if awk -v g="$got" -v l="$low" -v h="$high" 'BEGIN { exit !(g >= l && g <= h) }'; then
    printf '  %-18s %s (within %s..%s)\n' "$what" "$got" "$low" "$high"
  else
    printf '  %-18s %s   <-- OUT OF RANGE %s..%s\n' "$what" "$got" "$low" "$high"
    failures=$((failures + 1))
  fi
}

# Percent of COUNT pings from the relay to ADDR that got no answer.
ping_loss() {
  lab_exec relay ping -n -q -c "$2" -i 0.01 -W 1 "$1" 2>/dev/null |
    awk '/packet loss/ { for (i = 1; i <= NF; i++) if ($i ~ /%$/) { sub(/%/, "", $i); print $i } }'
}

# 20 % per direction on the relay-inet wire: a round trip survives 0.8^2.
check_wire_loss() {
  lab_up double --delay 1 --wire-loss 20
  echo "wire-loss: 20 % each way on each wire; expect ~36 % round-trip loss to inet"
  within "round-trip loss %" "$(ping_loss "$INET" 300)" 24 48
}

# 20 % at the internet router's ingress: a ping to the hub crosses it twice.
check_nft_loss() {
  lab_up double
  lab_loss 20
  echo "nft-loss: internet router drops 20 % of arriving packets; expect ~36 % to the hub"
  within "round-trip loss %" "$(ping_loss "$PUB" 300)" 24 48
}

# lab_serve_udp from the desk, on the laptop's LAN (no NAT between): the
# echo comes back; the server's pid file stops it alone, and the laptop
# then answers ICMP port unreachable itself. A TEXT server answers TEXT.
check_udp_echo() {
  local pid
  lab_up double
  proto=udp
  lab_serve_udp laptop "$LAB_PORT"
  echo "udp-echo: lab_serve_udp on the laptop, datagrams from the desk"
  compare echo "$(udp_exchange desk "$LAB_LAPTOP" reply:probe)" reply:probe
  pid=$(cat "$LAB_DIR/udp-laptop-$LAB_PORT.pid")
  kill "$pid"
  lab_wait_for "the echo server to free udp $LAB_PORT" laptop_udp_port_free
  compare stopped "$(udp_exchange desk "$LAB_LAPTOP" refused)" refused
  lab_serve_udp laptop "$LAB_PORT" "laptop here"
  compare text "$(udp_exchange desk "$LAB_LAPTOP" "reply:laptop here")" "reply:laptop here"
}

laptop_udp_port_free() {
  ! lab_listening laptop "$LAB_PORT" udp
}

# lab_forward --proto both on both NATs: the relay's TCP connection and its
# datagram both reach the laptop's servers.
check_forward_both() {
  lab_up double
  lab_forward hub "$LAB_PORT" "$LAB_ROOM_WAN" --proto both
  lab_forward room "$LAB_PORT" "$LAB_LAPTOP" --proto both
  lab_serve_banner laptop "$LAB_PORT" "laptop tcp"
  lab_serve_udp laptop "$LAB_PORT" "laptop udp"
  echo "forward-both: both routers forward tcp and udp 3000 to the laptop"
  compare tcp "$(observe_connect)" "banner:laptop tcp"
  compare udp "$(udp_exchange relay "$PUB" "reply:laptop udp")" "reply:laptop udp"
}

# A bad --proto, or a TCP reset asked for UDP, ends the lab with one line
# naming the problem (each call in a subshell: lab_die exits).
check_proto_errors() {
  echo "proto-errors: the lab's one-line errors for bad protocols"
  compare forward "$( (lab_forward hub 3000 "$LAB_ROOM_WAN" --proto sctp) 2>&1)" \
    "lab: lab_forward: protocol 'sctp' is not tcp, udp or both"
  compare input "$( (lab_router_input hub drop --proto icmp) 2>&1)" \
    "lab: lab_router_input: protocol 'icmp' is not tcp, udp or both"
  compare hostfw "$( (lab_host_firewall reset 3000 --proto udp) 2>&1)" \
    "lab: lab_host_firewall: reset is TCP only, not udp"
  compare option "$( (lab_forward hub 3000 "$LAB_ROOM_WAN" --udp) 2>&1)" \
    "lab: lab_forward: unknown option '--udp'"
}

run_one() {
  if [[ $1 == reap ]]; then
    [[ $(id -u) == 0 ]] || lab_die "needs root"
    lab_reap_stale
    echo "selftest: PASS reap"
    return 0
  fi
  lab_require_commands nping socat traceroute tcpdump ping ss awk upnpc natpmpc od
  lab_init
  case $1 in
    upnp-teardown) check_upnp_teardown ;;
    wire-delay) check_wire_delay ;;
    wire-loss) check_wire_loss ;;
    nft-loss) check_nft_loss ;;
    udp-echo) check_udp_echo ;;
    forward-both) check_forward_both ;;
    proto-errors) check_proto_errors ;;
    *) scenario_exists "$1" || lab_die "unknown check '$1'"; check_scenario "$1" ;;
  esac
  if ((failures > 0)); then
    echo "selftest: FAIL $1 ($failures mismatches)"
    exit 1
  fi
  echo "selftest: PASS $1"
}

main() {
  local checks=() check passed=0 failed=0
  while (($#)); do
    case $1 in
      --wire-bin) LAB_WIRE_BIN=${2:?}; shift 2 ;;
      all) mapfile -t checks < <(scenario_names; printf '%s\n' wire-delay wire-loss nft-loss upnp-teardown \
        udp-echo forward-both proto-errors); shift ;;
      *) checks+=("$1"); shift ;;
    esac
  done
  ((${#checks[@]} > 0)) || lab_die "usage: selftest.sh [--wire-bin PATH] CHECK... (a scenario, wire-delay, wire-loss, nft-loss, upnp-teardown, udp-echo, forward-both, proto-errors, all)"
  if ((${#checks[@]} == 1)); then
    run_one "${checks[0]}"
    return
  fi
  # One process per check: each gets its own prefix, traps and teardown.
  for check in "${checks[@]}"; do
    if LAB_WIRE_BIN=$LAB_WIRE_BIN bash "${BASH_SOURCE[0]}" "$check"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
  echo "selftest: $passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
