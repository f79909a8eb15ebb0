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
# and compares them with the expectations below.
#
#   selftest.sh [--wire-bin PATH] CHECK...
#   CHECK: a scenario name, wire-delay, wire-loss, nft-loss, or all;
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
    *) lab_die "selftest: no expectations for scenario '$1'" ;;
  esac
}

# ---------------------------------------------------------------- observations

# The laptop's route toward the relay, one address per hop ("*": silence).
observe_path() {
  lab_exec laptop timeout 20 traceroute -n -q 3 -w 1 -m 6 "$LAB_RELAY_ADDR" 2>/dev/null |
    awk 'NR > 1 { a = "*"; for (i = 2; i <= NF; i++) if ($i ~ /^[0-9.]+$/ && $i ~ /\./) { a = $i; break }
                  printf "%s%s", sep, a; sep = " " }'
}

# The source address the relay sees for a connection from the laptop.
observe_seen_as() {
  local seen
  # shellcheck disable=SC2016 # socat's shell expands it, per connection
  lab_spawn relay seen-as socat TCP-LISTEN:4750,bind="$LAB_RELAY_ADDR",reuseaddr \
    'SYSTEM:echo $SOCAT_PEERADDR'
  lab_wait_listening relay 4750
  seen=$(lab_exec laptop timeout 10 socat -T 3 -u "TCP:$LAB_RELAY_ADDR:4750,connect-timeout=5" \
    STDOUT 2>/dev/null || true)
  echo "${seen:-none}"
}

# One TTL of the relay's sweep, as a token (see the header).
sweep_ttl() {
  local ttl=$1 tries=$2 line
  line=$(lab_exec relay timeout 15 nping --tcp -p "$LAB_PORT" --ttl "$ttl" -c "$tries" \
    --delay 300ms "$PUB" 2>/dev/null | grep -m 1 '^RCVD' || true)
  awk -v line="$line" 'BEGIN {
    if (line == "") { print "-"; exit }
    n = split(line, w, " ")
    ttl = ""; for (i = 1; i <= n; i++) if (w[i] ~ /^\[?ttl=/) { ttl = w[i]; sub(/.*ttl=/, "", ttl) }
    if (w[3] == "ICMP") {
      src = substr(w[4], 2)
      match(line, /type=[0-9]+\/code=[0-9]+/); tc = substr(line, RSTART, RLENGTH)
      gsub(/type=|code=/, "", tc)
      kind = (tc == "11/0") ? "te" : "icmp" tc
    } else {
      src = w[4]; sub(/:[0-9]+$/, "", src)
      kind = (w[7] ~ /S/ && w[7] ~ /A/) ? "synack" : (w[7] ~ /R/ ? "rst" : "tcp" w[7])
    }
    printf "%s@%s/%s\n", kind, src, ttl
  }'
}

# TTL 1..SWEEP_MAX_TTL, one after the other: concurrent npings would each
# see the others' replies on their raw sockets.
observe_sweep() {
  local tries=$1 ttl out=()
  for ((ttl = 1; ttl <= SWEEP_MAX_TTL; ttl++)); do
    out+=("$(sweep_ttl "$ttl" "$tries")")
  done
  echo "${out[*]}"
}

# Starts a capture of relay SYNs on the laptop; sets capture_pid.
start_laptop_capture() {
  lab_spawn laptop capture tcpdump -i eth0 -n -l -c 10 \
    "src host $LAB_RELAY_ADDR and tcp[tcpflags] & tcp-syn != 0"
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

# Stands in for probe-client's own listener where the client would open one.
start_agent() {
  local arg
  for arg in "${SCENARIO_CLIENT_ARGS[@]}"; do
    [[ $arg != --service ]] || return 0
  done
  lab_listening laptop "$LAB_PORT" || lab_serve_banner laptop "$LAB_PORT" agent
}

# ---------------------------------------------------------------- checks

failures=0

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
  local name=$1 tries=1
  expect "$name"
  scenario_run "$name"
  [[ $name != lossy-* ]] || tries=4
  start_agent
  echo "$name: $SCENARIO_TITLE"
  compare path "$(observe_path)" "$E_PATH"
  compare seen-as "$(observe_seen_as)" "$PUB"
  compare sweep "$(observe_sweep "$tries")" "$E_SWEEP"
  start_laptop_capture
  compare connect "$(observe_connect)" "$E_CONNECT"
  compare laptop "$(stop_laptop_capture)" "$E_LAPTOP"
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

run_one() {
  if [[ $1 == reap ]]; then
    [[ $(id -u) == 0 ]] || lab_die "needs root"
    lab_reap_stale
    echo "selftest: PASS reap"
    return 0
  fi
  lab_require_commands nping socat traceroute tcpdump ping ss awk
  lab_init
  case $1 in
    wire-delay) check_wire_delay ;;
    wire-loss) check_wire_loss ;;
    nft-loss) check_nft_loss ;;
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
      all) mapfile -t checks < <(scenario_names; printf '%s\n' wire-delay wire-loss nft-loss); shift ;;
      *) checks+=("$1"); shift ;;
    esac
  done
  ((${#checks[@]} > 0)) || lab_die "usage: selftest.sh [--wire-bin PATH] CHECK... (a scenario, wire-delay, wire-loss, nft-loss, all)"
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
