#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The relay's cost per session, on loopback (issue 10 §2):
#   - relay CPU per verified session: probe-relay's own utime + stime from
#     /proc/PID/stat across a run of verified sessions, divided by them;
#   - verified sessions per second, next to a plain TCP accept + connect on
#     the same loopback in the same run (the peer; on 2 cores the load
#     generator shares the CPUs, so the ratio is reported, not a goal);
#   - the CPU of that plain accept + connect, both ends (relay_load's own
#     CPU in `plain`): the yardstick that tells this machine from the one
#     the goal was set on, where it cost 63 µs;
#   - the floor: relay_floor's CPU per session for the same verified
#     sessions, a session's system calls with no other work (blocking
#     calls, canned frames), the least any relay can cost here;
#   - RSS per idle session: probe-relay's VmRSS with N welcomed sessions
#     open, minus its VmRSS before, divided by N.
# Medians of --runs runs. Traffic stays on 127.0.0.0/8.
#
#   relay_load.sh [--runs N] [--sessions N] [--idle N] [--concurrency N]
#                 [--relay-bin PATH] [--load-bin PATH] [--floor-bin PATH]
#                 [--out FILE]
#
# Exit status: 0 when every run completed with no failed session, 1 when
# one failed, 2 for bad arguments.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

runs=5 sessions=20000 idle=10000 concurrency=64 out=""
relay_bin=$repo/build/relay/probe-relay
load_bin=$repo/build/tests/bench/relay_load
floor_bin=$repo/build/tests/bench/relay_floor

die() { echo "relay_load.sh: $*" >&2; exit 2; }
number() { [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 needs a positive number, got '$2'"; }
while (($#)); do
  [[ $# -ge 2 ]] || die "$1 needs a value"
  case $1 in
    --runs) number "$1" "$2"; runs=$2 ;;
    --sessions) number "$1" "$2"; sessions=$2 ;;
    --idle) number "$1" "$2"; idle=$2 ;;
    --concurrency) number "$1" "$2"; concurrency=$2 ;;
    --relay-bin) relay_bin=$2 ;;
    --load-bin) load_bin=$2 ;;
    --floor-bin) floor_bin=$2 ;;
    --out) out=$2 ;;
    *) die "unknown option '$1'" ;;
  esac
  shift 2
done
[[ -x $relay_bin ]] || die "no probe-relay at $relay_bin (build first)"
[[ -x $load_bin ]] || die "no relay_load at $load_bin (build first)"
[[ -x $floor_bin ]] || die "no relay_floor at $floor_bin (build first)"

work=$(mktemp -d /tmp/reachback-relay-load.XXXXXX)
server_pid=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
  [[ -z $server_pid ]] || kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=47501
sources=250
cat >"$work/relay.toml" <<EOF
listen = ["127.0.0.1:$port"]
[limits]
sessions_per_ip = 1000
probes_per_minute = 1000000
sessions_total = $((idle + 1000))
[sweep]
enabled = false
EOF

# Each side holds one fd per idle session, plus a few.
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) >= idle + 200)) || die "--idle $idle needs $((idle + 200)) open files, the hard limit is $(ulimit -Hn)"
clock_ticks=$(getconf CLK_TCK)

# start_server COMMAND...: probe-relay or relay_floor on $port, once it
# says it is listening.
start_server() {
  "$@" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/server.log" && return 0
    sleep 0.05
  done
  die "$1 did not start: $(cat "$work/server.log")"
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

# utime + stime of the server, in clock ticks (fields 14 and 15 of stat).
server_ticks() { awk '{print $14 + $15, $14, $15}' "/proc/$server_pid/stat"; }
server_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$server_pid/status"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

# verified_run NAME: relay_load's verified sessions against the server on
# $port; relay_load's line in NAME.$run, the server's CPU per session
# (total, user, kernel, µs) in NAME-cpu.$run.
verified_run() {
  local name=$1 before user_before sys_before after user_after sys_after done_sessions
  read -r before user_before sys_before < <(server_ticks)
  "$load_bin" verified --relay "127.0.0.1:$port" --sessions "$sessions" \
    --concurrency "$concurrency" --sources "$sources" >"$work/$name.$run" || status=1
  read -r after user_after sys_after < <(server_ticks)
  done_sessions=$(field sessions <"$work/$name.$run")
  awk -v t="$((after - before))" -v u="$((user_after - user_before))" \
      -v s="$((sys_after - sys_before))" -v n="$done_sessions" -v hz="$clock_ticks" \
      'BEGIN {if (n > 0) printf "%.1f %.1f %.1f\n", t*1e6/hz/n, u*1e6/hz/n, s*1e6/hz/n; else print "0 0 0"}' \
      >"$work/$name-cpu.$run"
}

status=0
for run in $(seq "$runs"); do
  "$load_bin" plain --sessions "$sessions" --concurrency "$concurrency" \
    --sources "$sources" >"$work/plain.$run" || status=1

  start_server "$relay_bin" --config "$work/relay.toml"
  verified_run verified
  stop_server

  start_server "$floor_bin" --listen "127.0.0.1:$port" --threads "$concurrency"
  verified_run floor
  stop_server

  start_server "$relay_bin" --config "$work/relay.toml"
  rss_before=$(server_rss_kib)
  mkfifo "$work/hold.$run"
  "$load_bin" idle --relay "127.0.0.1:$port" --sessions "$idle" --sources "$sources" \
    --ready "$work/ready.$run" <"$work/hold.$run" >"$work/idle.$run" &
  load_pid=$!
  exec 3>"$work/hold.$run"
  for _ in $(seq 600); do [[ -s $work/ready.$run ]] && break; sleep 0.05; done
  [[ -s $work/ready.$run ]] || { echo "relay_load.sh: idle sessions did not open" >&2; status=1; }
  rss_after=$(server_rss_kib)
  exec 3>&-
  wait "$load_pid" || status=1
  held=$(cat "$work/ready.$run" 2>/dev/null || echo 0)
  awk -v a="$rss_after" -v b="$rss_before" -v n="$held" \
    'BEGIN {printf "%.2f\n", (n > 0) ? (a - b) / n : 0}' >"$work/rss.$run"
  stop_server
  echo "relay_load.sh: run $run/$runs: relay: $(cat "$work/verified.$run") relay_cpu_us=$(cut -d' ' -f1 "$work/verified-cpu.$run") rss_kib=$(cat "$work/rss.$run")" >&2
  echo "relay_load.sh: run $run/$runs: floor: $(cat "$work/floor.$run") floor_cpu_us=$(cut -d' ' -f1 "$work/floor-cpu.$run")" >&2
done

col() { for run in $(seq "$runs"); do cut -d' ' -f"$2" "$work/$1.$run"; done | median; }
# field_median MODE NAME: the median over the runs of relay_load MODE's NAME=.
field_median() { for run in $(seq "$runs"); do field "$2" <"$work/$1.$run"; done | median; }
verified_rate=$(field_median verified per_second)
plain_rate=$(field_median plain per_second)
relay_cpu=$(col verified-cpu 1)
floor_cpu=$(col floor-cpu 1)
plain_cpu=$(field_median plain cpu_us)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
table=$(cat <<EOF
| relay on loopback, median of $runs runs | value | peer or goal |
|---|---:|---|
| verified sessions/s ($sessions per run, $concurrency at a time, $sources sources) | $verified_rate | plain accept+connect $plain_rate/s, ratio $(ratio "$verified_rate" "$plain_rate") |
| relay CPU per verified session (µs) | $relay_cpu | goal ≤ 120 (user $(col verified-cpu 2), kernel $(col verified-cpu 3)) |
| floor CPU per verified session (µs): relay_floor, the session's system calls alone | $floor_cpu | user $(col floor-cpu 2), kernel $(col floor-cpu 3); relay/floor $(ratio "$relay_cpu" "$floor_cpu") |
| plain accept+connect CPU, both ends (µs) | $plain_cpu | relay/plain $(ratio "$relay_cpu" "$plain_cpu"), floor/plain $(ratio "$floor_cpu" "$plain_cpu"); the goal's machine: 120/63 = 1.90 |
| relay RSS per idle welcomed session at $idle (KiB) | $(col rss 1) | goal ≤ 12 |
EOF
)
echo "$table"
[[ -z $out ]] || echo "$table" >"$out"
exit "$status"
