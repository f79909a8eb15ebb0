#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks the lab's IPv6 (lab6.sh, scenarios6.sh). For an IPv6 scenario it
# builds the lab, stands in for probe-client's agent (a socat listener on
# [::]:3000 that sends "agent", for both families) and records, with
# standard tools only (traceroute, tcpdump, socat, ip):
#
#   quiet     no router advertisement configured anything, and no lab
#             address or route reached the machine's own namespace
#   name      the addresses relay.test resolves to on the laptop, sorted
#   path      the laptop's traceroute -6 toward the relay
#   inbound   the relay's ICMP traceroute -6 toward the laptop (the home
#             routers let echo requests in): the routers' own addresses
#   seen-as   the source address the relay sees for a laptop connection
#   sweep     the relay's TCP traceroute -6 to [laptop]:3000, hop limit 1..5,
#             one token per hop as tcpdump on the relay saw the answer:
#             te@SRC/HLIM (time exceeded arriving with hop limit HLIM),
#             synack@, rst@, icmp1/CODE@ (destination unreachable), or -
#             (silence); it stops where the laptop or a reject answers
#   connect6  the relay's full connect to [laptop]:3000: banner:TEXT, empty,
#             refused, prohibited (admin-prohibited), timeout
#   connect4  the same over IPv4 to the hub's public address
#   laptop    the destination port of the first relay IPv6 SYN the laptop saw
#
#   relay-SCENARIO: probe-relay (listening on the relay's IPv4 and IPv6
#   address) and probe-client --relay <relay's IPv6 address> in SCENARIO,
#   and what the relay's evidence says: connect_back (outcome@dialed
#   address, then any ICMPv6 error as icmpTYPE/CODE@SOURCE) and sweep
#   (REPLY@FROM/REPLY_TTL per TTL until the first terminal reply).
#
#   primitives: with both tcp 3000 pinholes open, each mode of
#   lab6_host_firewall as the relay's connect sees it; a udp pinhole on
#   both routers lets the relay's datagram to [laptop]:3001 in and the
#   laptop's answer out, which the filters drop before it exists.
#
#   no-home-v6-TOPOLOGY (cgnat or ispgw): the relay has IPv6 and the home
#   has none: no global address on the laptop, relay.test still resolves
#   to both families.
#
#   selftest6.sh [--relay-bin PATH] [--client-bin PATH] CHECK...
#   CHECK: an IPv6 scenario, relay-SCENARIO, primitives, no-home-v6-TOPOLOGY, or all
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
source "$here/lab.sh"
# shellcheck source=SCRIPTDIR/scenarios.sh
source "$here/scenarios.sh"
# shellcheck source=SCRIPTDIR/scenarios6.sh
source "$here/scenarios6.sh"

relay_bin=${REACHBACK_RELAY:-$repo/build/relay/probe-relay}
client_bin=${REACHBACK_CLIENT:-$repo/build/client/probe-client}
LAB_QUIET=1
readonly SWEEP_MAX_HOPS=5
readonly RELAY_PORT=4750
readonly LAPTOP=$LAB_LAPTOP_V6 INET=$LAB_INET_RELAY_SIDE_V6 HUB=$LAB_PUBLIC_V6 ROOM=$LAB_ROOM_WAN_V6

# ---------------------------------------------------------------- expectations

readonly PATH6="$LAB_HOME_LAN_V6 $LAB_HUB_LAN_V6 $LAB_INET_HOME_SIDE_V6 $LAB_RELAY_V6"
readonly INBOUND6="$INET $HUB $ROOM $LAPTOP"
# Time exceeded from the internet router, the hub and the room router: each
# from its own address (the one facing the relay), one hop limit less each.
readonly TO_ROOM6="te@$INET/64 te@$HUB/63 te@$ROOM/62"

# The IPv6 scenarios, in the order scenarios6.sh defines them.
ipv6_scenarios() {
  scenario_names | grep -E '^(v6|dual)-'
}

# Sets E_SWEEP, E_CONNECT6, E_CONNECT4, E_LAPTOP for scenario $1.
expect() {
  E_CONNECT4=refused
  case $1 in
    v6-reachable)
      E_SWEEP="$TO_ROOM6 synack@$LAPTOP/61" E_CONNECT6=banner:agent E_LAPTOP=3000 ;;
    v6-room-firewall)
      E_SWEEP="$TO_ROOM6 - -" E_CONNECT6=timeout E_LAPTOP=none ;;
    v6-room-firewall-reject)
      E_SWEEP="$TO_ROOM6 icmp1/1@$ROOM/62" E_CONNECT6=prohibited E_LAPTOP=none ;;
    v6-hub-firewall)
      E_SWEEP="te@$INET/64 te@$HUB/63 - - -" E_CONNECT6=timeout E_LAPTOP=none ;;
    v6-fw-drop)
      E_SWEEP="$TO_ROOM6 - -" E_CONNECT6=timeout E_LAPTOP=3000 ;;
    dual-wrong-family)
      # socat accepts over IPv6 and sends nothing; IPv4 finds no listener.
      E_SWEEP="$TO_ROOM6 synack@$LAPTOP/61" E_CONNECT6=empty E_LAPTOP=3000 ;;
    dual-room-no-forward)
      E_SWEEP="$TO_ROOM6 synack@$LAPTOP/61" E_CONNECT6=banner:agent E_LAPTOP=3000 ;;
    # miniupnpd with IPv6 on the room router changes nothing until a pinhole is made.
    v6-room-firewall-fix)
      E_SWEEP="$TO_ROOM6 - -" E_CONNECT6=timeout E_LAPTOP=none ;;
    dual-room-firewall-fix)
      E_SWEEP="$TO_ROOM6 - -" E_CONNECT6=timeout E_CONNECT4=banner:agent E_LAPTOP=none ;;
    *) lab_die "selftest6: no expectations for scenario '$1'" ;;
  esac
}

# Sets E_CONNECT_BACK and E_RELAY_SWEEP for relay-$1: the relay's evidence
# over IPv6. probe-client's own listener is the agent here.
expect_relay() {
  case $1 in
    v6-reachable)
      E_CONNECT_BACK="verified@$LAPTOP"
      E_RELAY_SWEEP="time_exceeded@$INET/64 time_exceeded@$HUB/63 time_exceeded@$ROOM/62 syn_ack@$LAPTOP/-" ;;
    v6-room-firewall)
      E_CONNECT_BACK="timeout@$LAPTOP"
      E_RELAY_SWEEP="time_exceeded@$INET/64 time_exceeded@$HUB/63 time_exceeded@$ROOM/62 silence@/-" ;;
    v6-room-firewall-reject)
      E_CONNECT_BACK="unreachable@$LAPTOP icmp1/1@$ROOM"
      E_RELAY_SWEEP="time_exceeded@$INET/64 time_exceeded@$HUB/63 time_exceeded@$ROOM/62 unreachable@$ROOM/62" ;;
    v6-hub-firewall)
      E_CONNECT_BACK="timeout@$LAPTOP"
      E_RELAY_SWEEP="time_exceeded@$INET/64 time_exceeded@$HUB/63 silence@/-" ;;
    *) lab_die "selftest6: no relay expectations for scenario '$1'" ;;
  esac
}

# ---------------------------------------------------------------- observations

# "no-ra" when no node holds an address or route that a router
# advertisement made, and the root namespace holds nothing of the lab's.
observe_quiet() {
  local node found=""
  for node in "${LAB_NODES[@]}"; do
    [[ -z $(ip -n "$(lab_ns "$node")" -6 route show proto ra) ]] || found+="$node:ra-route "
    [[ -z $(ip -n "$(lab_ns "$node")" -6 addr show dynamic) ]] || found+="$node:autoconf "
  done
  ! ip -6 addr show | grep -qF 2001:db8: || found+="root:address "
  ! ip -6 route show | grep -qF 2001:db8: || found+="root:route "
  echo "${found:-no-ra}"
}

observe_relay_name() {
  lab_exec laptop getent ahosts "$LAB_RELAY_NAME" | awk '{ print $1 }' | sort -u | paste -sd ' '
}

# NODE TRACEROUTE-ARGS...: the hop addresses traceroute -6 prints ("*": silence).
traceroute6_hops() {
  local node=$1
  shift
  lab_exec "$node" timeout 40 traceroute -6 -n -q 1 -w 1 -m 6 "$@" 2>/dev/null |
    awk 'NR > 1 { printf "%s%s", sep, $2; sep = " " } END { print "" }'
}

# The source address the relay sees for a connection from the laptop.
observe_seen_as() {
  local seen
  seen=$(lab_seen_as relay "$LAB_RELAY_V6" "$RELAY_PORT" laptop)
  seen=${seen#[}
  seen=${seen%]}
  # socat writes every group in full; ip prints the usual short form.
  [[ $seen != none ]] && lab_exec relay ip -6 route get "$seen" | awk '{ print $1; exit }' || echo none
}

# Turns tcpdump -v lines of answers into tokens, one per line.
sweep_tokens() {
  awk '/ IP6 \(/ {
    hlim = $0; sub(/.*hlim /, "", hlim); sub(/,.*/, "", hlim)
    rest = $0; sub(/.*payload length: [0-9]+\) /, "", rest); split(rest, w, " ")
    src = w[1]
    if (rest ~ /ICMP6, time exceeded/) kind = "te"
    else if (rest ~ /ICMP6, destination unreachable/) {
      code = "?"
      if (rest ~ /unreachable route/) code = 0
      if (rest ~ /unreachable prohibited/) code = 1
      if (rest ~ /unreachable address/) code = 3
      if (rest ~ /unreachable port/) code = 4
      kind = "icmp1/" code
    } else {
      sub(/\.[0-9]+$/, "", src)
      kind = (rest ~ /Flags \[S\.\]/) ? "synack" : (rest ~ /Flags \[R/ ? "rst" : "tcp")
    }
    printf "%s@%s/%s\n", kind, src, hlim
  }' "$1"
}

# The relay's TCP traceroute to [laptop]:3000, one probe per hop limit, one
# at a time, with tcpdump on the relay recording each answer's kind and hop
# limit on arrival. traceroute's "*" marks a silent hop.
observe_sweep() {
  local capture=$LAB_DIR/sweep6.log pid hop out=() i=0
  local -a hops answers
  lab_spawn relay sweep6 tcpdump -i eth0 -nn -v -l \
    "ip6 and ((icmp6 and (ip6[40] == 1 or ip6[40] == 3)) or (tcp and src port $LAB_PORT))"
  pid=$LAB_LAST_PID
  lab_wait_log "$capture" "listening on" "$pid" "tcpdump on the relay"
  mapfile -t hops < <(lab_exec relay timeout 40 traceroute -6 -n -T -p "$LAB_PORT" -N 1 -q 1 -w 1 \
    -m "$SWEEP_MAX_HOPS" "$LAPTOP" 2>/dev/null | awk 'NR > 1 { print $2 }')
  sleep 0.3
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  mapfile -t answers < <(sweep_tokens "$capture")
  for hop in "${hops[@]}"; do
    if [[ $hop == "*" ]]; then
      out+=(-)
    else
      out+=("${answers[i]:-missing}")
      i=$((i + 1))
    fi
  done
  echo "${out[*]}"
}

# The relay's full connect to ADDRESS (socat form) port 3000, as a token.
observe_connect() {
  local target=$1 out err rc=0
  out=$(lab_exec relay timeout 12 socat -T 2 -u "$target:$LAB_PORT,connect-timeout=6" STDOUT \
    2>"$LAB_DIR/connect.err") || rc=$?
  err=$(cat "$LAB_DIR/connect.err")
  if ((rc == 0)); then
    out=$(printf '%s' "$out" | tr -d '\r' | head -n 1)
    if [[ -n $out ]]; then echo "banner:$out"; else echo "empty"; fi
  elif [[ $err == *"refused"* ]]; then echo refused
  elif [[ $err == *"Permission denied"* ]]; then echo prohibited
  else echo timeout
  fi
}

# Starts a capture of relay IPv6 SYNs on the laptop; sets capture_pid. BPF
# has no tcp[] for IPv6: the flags are at 53, behind a bare 40-byte header.
start_laptop_capture() {
  lab_spawn laptop capture6 tcpdump -i eth0 -n -l -c 10 \
    "ip6 and src host $LAB_RELAY_V6 and tcp and ip6[53] & 2 != 0"
  capture_pid=$LAB_LAST_PID
  lab_wait_log "$LAB_DIR/capture6.log" "listening on" "$capture_pid" "tcpdump on the laptop"
}

# The destination port of the first captured SYN, or none.
stop_laptop_capture() {
  sleep 0.3
  kill -INT "$capture_pid" 2>/dev/null || true
  wait "$capture_pid" 2>/dev/null || true
  awk '/ IP6 / { n = split($5, a, "."); p = a[n]; sub(/:$/, "", p); print p; found = 1; exit }
       END { if (!found) print "none" }' "$LAB_DIR/capture6.log"
}

# Stands in for probe-client's own listener where the client would open one.
start_agent() {
  local arg
  for arg in "${SCENARIO_CLIENT_ARGS[@]}"; do
    [[ $arg != --service ]] || return 0
  done
  lab_listening laptop "$LAB_PORT" || lab6_serve_banner laptop "$LAB_PORT" agent
}

# ---------------------------------------------------------------- checks

failures=0

compare() {
  local what=$1 got=$2 want=$3
  if [[ $got == "$want" ]]; then
    printf '  %-10s %s\n' "$what" "$got"
  else
    printf '  %-10s %s   <-- MISMATCH, expected: %s\n' "$what" "$got" "$want"
    failures=$((failures + 1))
  fi
}

check_scenario() {
  local name=$1
  expect "$name"
  scenario_run "$name"
  start_agent
  echo "$name: $SCENARIO_TITLE"
  compare quiet "$(observe_quiet)" no-ra
  compare name "$(observe_relay_name)" "$LAB_RELAY_V6 $LAB_RELAY_ADDR"
  compare path "$(traceroute6_hops laptop "$LAB_RELAY_V6")" "$PATH6"
  compare inbound "$(traceroute6_hops relay -I "$LAPTOP")" "$INBOUND6"
  compare seen-as "$(observe_seen_as)" "$LAPTOP"
  compare sweep "$(observe_sweep)" "$E_SWEEP"
  start_laptop_capture
  compare connect6 "$(observe_connect "TCP6:[$LAPTOP]")" "$E_CONNECT6"
  compare laptop "$(stop_laptop_capture)" "$E_LAPTOP"
  compare connect4 "$(observe_connect "TCP4:$LAB_PUBLIC_ADDR")" "$E_CONNECT4"
}

# The relay's evidence, from probe-client's JSON report: connect_back as
# outcome@dialed_address, the sweep up to its first terminal reply (without
# one, up to the first of the silent TTLs at its end).
relay_connect_back() {
  jq -r '.probe.connect_back | "\(.outcome)@\(.dialed_address)"
         + (if .icmp then " icmp\(.icmp.type)/\(.icmp.code)@\(.icmp.from)" else "" end)' "$1"
}

relay_sweep() {
  jq -r '[.probe.sweep.hops[] | "\(.reply)@\(.from)/\(.reply_ttl // "-")"]
         | (map(test("^(time_exceeded|silence)@") | not) | index(true)) as $terminal
         | (map(test("^silence@") | not) | rindex(true)) as $answered
         | .[: (if $terminal != null then $terminal + 1 else ($answered // -1) + 2 end)]
         | join(" ")' "$1"
}

# probe-relay on both of the relay's addresses, probe-client on the laptop
# asking it over IPv6: the control connection comes from the laptop's own
# IPv6 address, which the relay dials back and sweeps toward.
check_relay() {
  local name=$1 report=$LAB_DIR/client.json rc=0
  [[ -x $relay_bin ]] || lab_die "probe-relay not found at '$relay_bin' (--relay-bin)"
  [[ -x $client_bin ]] || lab_die "probe-client not found at '$client_bin' (--client-bin)"
  expect_relay "$name"
  scenario_run "$name"
  echo "relay-$name: $SCENARIO_TITLE"
  lab_spawn relay relay "$relay_bin" --listen "$LAB_RELAY_ADDR:$RELAY_PORT" \
    --listen "[$LAB_RELAY_V6]:$RELAY_PORT"
  lab_wait_log "$LAB_DIR/relay.log" "probe-relay: listening on [$LAB_RELAY_V6]" "$LAB_LAST_PID" "probe-relay"
  timeout --kill-after=5 40 ip netns exec "$(lab_ns laptop)" env XDG_STATE_HOME="$LAB_DIR/state" \
    "$client_bin" --relay "$LAB_RELAY_V6" --port "$LAB_PORT" --json --no-routers \
    >"$report" 2>"$LAB_DIR/client.err" || rc=$?
  if ((rc > 1)) || ! jq -e '.probe.connect_back' "$report" >/dev/null 2>&1; then
    sed 's/^/  probe-client: | /' "$LAB_DIR/client.err" >&2
    sed 's/^/  probe-relay: | /' "$LAB_DIR/relay.log" >&2
    compare client "exit $rc" "a report"
    return 0
  fi
  compare connect "$(relay_connect_back "$report")" "$E_CONNECT_BACK"
  compare sweep "$(relay_sweep "$report")" "$E_RELAY_SWEEP"
}

# One datagram from the relay to [laptop]:PORT (lab_udp_exchange), waited
# for as long as the answer the test expects, EXPECTED, needs.
observe_udp() {
  lab_udp_exchange relay "$LAPTOP" "$1" "$(lab_answer_wait "$2")"
}

check_primitives() {
  local mode udp_port=3001
  local -A want=([drop]=timeout [reset]=refused [icmp-admin]=prohibited [icmp-port]=refused)
  lab_up double
  pinhole_both
  lab6_serve_banner laptop "$LAB_PORT" agent
  echo "primitives: lab6_host_firewall and a udp pinhole"
  compare none "$(observe_connect "TCP6:[$LAPTOP]")" banner:agent
  for mode in drop reset icmp-admin icmp-port; do
    lab6_host_firewall "$mode" "$LAB_PORT"
    compare "$mode" "$(observe_connect "TCP6:[$LAPTOP]")" "${want[$mode]}"
    lab_exec laptop nft delete table ip6 hostfw6
  done
  lab6_serve_udp laptop "$udp_port" pong
  compare udp-shut "$(observe_udp "$udp_port" timeout)" timeout
  lab6_pinhole hub "$udp_port" udp
  compare udp-hub "$(observe_udp "$udp_port" timeout)" timeout
  lab6_pinhole room "$udp_port" udp
  compare udp-open "$(observe_udp "$udp_port" reply:pong)" reply:pong
}

# The laptop's global IPv6 addresses, or none.
observe_laptop_v6() {
  local found
  found=$(lab_exec laptop ip -6 -o addr show scope global | awk '{ print $4 }' | paste -sd ' ')
  echo "${found:-none}"
}

observe_ping() {
  if lab_exec "$1" ping -6 -n -c 1 -W 2 "$2" >/dev/null 2>&1; then echo answered; else echo silence; fi
}

check_no_home_v6() {
  lab_up "$1"
  echo "no-home-v6-$1: the relay has IPv6, the home has none"
  compare laptop "$(observe_laptop_v6)" none
  compare name "$(observe_relay_name)" "$LAB_RELAY_V6 $LAB_RELAY_ADDR"
  compare relay "$(observe_ping relay "$INET")" answered
}

run_one() {
  lab_require_commands socat traceroute tcpdump ss awk jq
  lab_init
  case $1 in
    no-home-v6-cgnat | no-home-v6-ispgw) check_no_home_v6 "${1#no-home-v6-}" ;;
    primitives) check_primitives ;;
    relay-*)
      scenario_exists "${1#relay-}" || lab_die "unknown scenario '${1#relay-}'"
      check_relay "${1#relay-}"
      ;;
    *) scenario_exists "$1" || lab_die "unknown check '$1'"; check_scenario "$1" ;;
  esac
  if ((failures > 0)); then
    echo "selftest6: FAIL $1 ($failures mismatches)"
    exit 1
  fi
  echo "selftest6: PASS $1"
}

main() {
  local checks=() check passed=0 failed=0
  while (($#)); do
    case $1 in
      --relay-bin) relay_bin=${2:?}; shift 2 ;;
      --client-bin) client_bin=${2:?}; shift 2 ;;
      all)
        mapfile -t checks < <(ipv6_scenarios; printf 'relay-%s\n' v6-reachable v6-room-firewall \
          v6-room-firewall-reject v6-hub-firewall; printf '%s\n' primitives no-home-v6-cgnat no-home-v6-ispgw)
        shift
        ;;
      *) checks+=("$1"); shift ;;
    esac
  done
  ((${#checks[@]} > 0)) ||
    lab_die "usage: selftest6.sh [--relay-bin PATH] [--client-bin PATH] CHECK... (an IPv6 scenario, relay-SCENARIO, primitives, no-home-v6-TOPOLOGY, all)"
  if ((${#checks[@]} == 1)); then
    run_one "${checks[0]}"
    return
  fi
  # One process per check: each gets its own prefix, traps and teardown.
  for check in "${checks[@]}"; do
    if REACHBACK_RELAY=$relay_bin REACHBACK_CLIENT=$client_bin bash "${BASH_SOURCE[0]}" "$check"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done
  echo "selftest6: $passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
