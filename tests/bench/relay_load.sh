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
#   - RSS per idle session: probe-relay's VmRSS with N welcomed sessions
#     open, minus its VmRSS before, divided by N.
# Medians of --runs runs. Traffic stays on 127.0.0.0/8.
#
#   relay_load.sh [--runs N] [--sessions N] [--idle N] [--concurrency N]
#                 [--relay-bin PATH] [--load-bin PATH] [--out FILE]
#
# Exit status: 0 when every run completed with no failed session, 1 when
# one failed, 2 for bad arguments.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

runs=5 sessions=20000 idle=10000 concurrency=64 out=""
relay_bin=$repo/build/relay/probe-relay
load_bin=$repo/build/tests/bench/relay_load

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
    --out) out=$2 ;;
    *) die "unknown option '$1'" ;;
  esac
  shift 2
done
[[ -x $relay_bin ]] || die "no probe-relay at $relay_bin (build first)"
[[ -x $load_bin ]] || die "no relay_load at $load_bin (build first)"

work=$(mktemp -d /tmp/reachback-relay-load.XXXXXX)
relay_pid=""
cleanup() {
  [[ -z $relay_pid ]] || kill "$relay_pid" 2>/dev/null || true
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

start_relay() {
  "$relay_bin" --config "$work/relay.toml" 2>"$work/relay.log" &
  relay_pid=$!
  for _ in $(seq 100); do
    grep -q "listening on" "$work/relay.log" && return 0
    sleep 0.05
  done
  die "probe-relay did not start: $(cat "$work/relay.log")"
}
stop_relay() { kill "$relay_pid"; wait "$relay_pid" 2>/dev/null || true; relay_pid=""; }

# utime + stime of the relay, in clock ticks (fields 14 and 15 of stat).
relay_ticks() { awk '{print $14 + $15, $14, $15}' "/proc/$relay_pid/stat"; }
relay_rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$relay_pid/status"; }
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }

status=0
for run in $(seq "$runs"); do
  "$load_bin" plain --sessions "$sessions" --concurrency "$concurrency" \
    --sources "$sources" >"$work/plain.$run" || status=1

  start_relay
  read -r before user_before sys_before < <(relay_ticks)
  "$load_bin" verified --relay "127.0.0.1:$port" --sessions "$sessions" \
    --concurrency "$concurrency" --sources "$sources" >"$work/verified.$run" || status=1
  read -r after user_after sys_after < <(relay_ticks)
  done_sessions=$(field sessions <"$work/verified.$run")
  awk -v t="$((after - before))" -v u="$((user_after - user_before))" \
      -v s="$((sys_after - sys_before))" -v n="$done_sessions" -v hz="$clock_ticks" \
      'BEGIN {printf "%.1f %.1f %.1f\n", t*1e6/hz/n, u*1e6/hz/n, s*1e6/hz/n}' >"$work/cpu.$run"
  stop_relay

  start_relay
  rss_before=$(relay_rss_kib)
  mkfifo "$work/hold.$run"
  "$load_bin" idle --relay "127.0.0.1:$port" --sessions "$idle" --sources "$sources" \
    --ready "$work/ready.$run" <"$work/hold.$run" >"$work/idle.$run" &
  load_pid=$!
  exec 3>"$work/hold.$run"
  for _ in $(seq 600); do [[ -s $work/ready.$run ]] && break; sleep 0.05; done
  [[ -s $work/ready.$run ]] || { echo "relay_load.sh: idle sessions did not open" >&2; status=1; }
  rss_after=$(relay_rss_kib)
  exec 3>&-
  wait "$load_pid" || status=1
  held=$(cat "$work/ready.$run" 2>/dev/null || echo 0)
  awk -v a="$rss_after" -v b="$rss_before" -v n="$held" \
    'BEGIN {printf "%.2f\n", (n > 0) ? (a - b) / n : 0}' >"$work/rss.$run"
  stop_relay
  echo "relay_load.sh: run $run/$runs: $(cat "$work/verified.$run") relay_cpu_us=$(cut -d' ' -f1 "$work/cpu.$run") rss_kib=$(cat "$work/rss.$run")" >&2
done

col() { for run in $(seq "$runs"); do cut -d' ' -f"$2" "$work/$1.$run"; done | median; }
# field_median MODE NAME: the median over the runs of relay_load MODE's NAME=.
field_median() { for run in $(seq "$runs"); do field "$2" <"$work/$1.$run"; done | median; }
verified_rate=$(field_median verified per_second)
plain_rate=$(field_median plain per_second)
relay_cpu=$(col cpu 1)
plain_cpu=$(field_median plain cpu_us)
table=$(cat <<EOF
| relay on loopback, median of $runs runs | value | peer or goal |
|---|---:|---|
| verified sessions/s ($sessions per run, $concurrency at a time, $sources sources) | $verified_rate | plain accept+connect $plain_rate/s, ratio $(awk -v a="$verified_rate" -v b="$plain_rate" 'BEGIN {printf "%.2f", a/b}') |
| relay CPU per verified session (µs) | $relay_cpu | goal ≤ 120 (user $(col cpu 2), kernel $(col cpu 3)) |
| plain accept+connect CPU, both ends (µs) | $plain_cpu | the same session in plain TCP: relay/plain $(awk -v a="$relay_cpu" -v b="$plain_cpu" 'BEGIN {printf "%.2f", a/b}'); the goal's machine: 120/63 = 1.90 |
| relay RSS per idle welcomed session at $idle (KiB) | $(col rss 1) | goal ≤ 12 |
EOF
)
echo "$table"
[[ -z $out ]] || echo "$table" >"$out"
exit "$status"
