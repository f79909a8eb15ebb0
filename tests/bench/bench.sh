#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The benchmark: for each lab scenario, with a one-way delay on each internet
# link, how long probe-client takes to name the blocking hop, next to the
# closest tools a user could run from the relay host (nmap -sS --traceroute,
# nmap's firewalk script, traceroute -T), and what each of them can tell.
# UDP scenarios (udp-*, probe-client --udp) pit it against the same tools'
# UDP modes: nmap -sU --traceroute, firewalk with -sU, traceroute -U.
# IPv6-only scenarios (v6-*, probe-client -6) get them with -6, aimed at the
# laptop's own IPv6 address.
#
#   bench.sh [options] [SCENARIO...]
#
# Options:
#   --runs N            runs per scenario and tool (default 5); the table shows medians
#   --delay MS          one-way delay on each internet link (default 20)
#   --pause S           untimed pause after each tool, so ICMP rate limits refill (default 1.1)
#   --tool-timeout S    stop nmap or traceroute after S seconds (default 150)
#   --tools LIST        comma-separated subset of client,nmap,firewalk,traceroute (default all)
#   --out FILE          also write the tables to FILE
#   --results DIR       keep every tool's raw output in DIR (default: a new /tmp/reachback-bench.*)
#   --from DIR          do not run anything: print the tables of an earlier --results DIR
#   --relay-bin PATH    probe-relay  (env REACHBACK_RELAY; default build/relay/probe-relay)
#   --client-bin PATH   probe-client (env REACHBACK_CLIENT; default build/client/probe-client)
#   --wire-bin PATH     reachback-lab-wire (env LAB_WIRE_BIN; default build/tests/lab/reachback-lab-wire)
#
# Default scenarios: reachable fw-drop fw-reset room-no-forward hub-no-forward
# wrong-target bind-conflict loopback-only cgnat room-stealth-no-forward
# hub-stealth-no-forward.
#
# probe-client's cause and blocking hop are checked against the expectations
# in tests/lab/CMakeLists.txt. Exit status: 0 when every run of every
# scenario gave the expected verdict, 1 when one did not (or a scenario could
# not run), 2 for bad arguments. Needs root, nmap, traceroute and jq.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/options.sh
source "$here/options.sh"

readonly DEFAULT_SCENARIOS=(reachable fw-drop fw-reset room-no-forward hub-no-forward
  wrong-target bind-conflict loopback-only cgnat room-stealth-no-forward hub-stealth-no-forward)
readonly LAB_EXPECTATIONS=$repo/tests/lab/CMakeLists.txt
readonly LAB_PORT=3000
# probe-client's targets, in ms, per protocol: a verdict when the port
# answers (open or refused), and when it stays silent.
declare -rA TARGET_ANSWER_MS=([tcp]=1500 [udp]=300)
declare -rA TARGET_SILENT_MS=([tcp]=3500 [udp]=1500)

runs=5
delay_ms=20
pause_s=1.1
tool_timeout=150
tools=client,nmap,firewalk,traceroute
out=""
results=""
from=""
scenarios=()
scenario_opts=()
relay_bin=${REACHBACK_RELAY:-$repo/build/relay/probe-relay}
client_bin=${REACHBACK_CLIENT:-$repo/build/client/probe-client}
child_pid=""

usage() {
  sed -n '3,29s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}


parse_args() {
  while (($#)); do
    case $1 in
      -h | --help) usage 0 ;;
      --runs) runs=${2:?}; shift 2 ;;
      --delay) delay_ms=${2:?}; shift 2 ;;
      --pause) pause_s=${2:?}; shift 2 ;;
      --tool-timeout) tool_timeout=${2:?}; shift 2 ;;
      --tools) tools=${2:?}; shift 2 ;;
      --out) out=${2:?}; shift 2 ;;
      --results) results=${2:?}; shift 2 ;;
      --from) from=${2:?}; shift 2 ;;
      --relay-bin) relay_bin=${2:?}; scenario_opts+=("$1" "$2"); shift 2 ;;
      --client-bin) client_bin=${2:?}; scenario_opts+=("$1" "$2"); shift 2 ;;
      --wire-bin) scenario_opts+=("$1" "${2:?}"); shift 2 ;;
      -*) echo "bench: unknown option '$1'" >&2; usage 2 ;;
      *) scenarios+=("$1"); shift ;;
    esac
  done
  check_timing_options "$runs" "$delay_ms" "$pause_s" "$tool_timeout"
  local tool_list
  IFS=, read -r -a tool_list <<<"$tools"
  check_tools "${tool_list[@]}"
  [[ -z $from || -d $from ]] || die "--from: no directory '$from'"
  ((${#scenarios[@]})) || scenarios=("${DEFAULT_SCENARIOS[@]}")
}

# ---------------------------------------------------------------- numbers

# Median, min and max of the numbers on stdin, as "median min max" (empty
# when there are none).
stats() {
  sort -n | awk '{ v[NR] = $1 }
    END { if (NR == 0) exit
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%s %s %s\n", m, v[1], v[NR] }'
}

# Milliseconds as seconds with two decimals.
secs() {
  awk -v ms="$1" 'BEGIN { printf "%.2f s", ms / 1000 }'
}

# Wall-clock times of TOOL in DIR, one per line.
times_of() {
  awk -F '\t' -v tool="$2" '$2 == tool { print $3 }' "$1/times.tsv"
}

# How many runs of TOOL in DIR hit the timeout (exit 124 or 137).
timeouts_of() {
  awk -F '\t' -v tool="$2" '$2 == tool && ($4 == 124 || $4 == 137) { n++ } END { print n + 0 }' \
    "$1/times.tsv"
}

# A table cell for TOOL's times in DIR: median, and with RANGE=1 min-max.
time_cell() {
  local dir=$1 tool=$2 range=${3:-0} median min max cell killed
  read -r median min max < <(times_of "$dir" "$tool" | stats) || true
  [[ -n ${median:-} ]] || { echo "-"; return; }
  cell=$(secs "$median")
  ((range == 0)) || cell+=" ($(secs "$min" | cut -d' ' -f1)–$(secs "$max"))"
  killed=$(timeouts_of "$dir" "$tool")
  ((killed == 0)) || cell+=" (timed out in $killed)"
  echo "$cell"
}

# ---------------------------------------------------------------- what each tool tells

# The protocol the scenario in DIR probed (bench_scenario.sh's
# protocol.txt; results from before UDP have none and were TCP).
protocol_of() {
  cat "$1/protocol.txt" 2>/dev/null || echo tcp
}

# nmap -sS (-sU) --traceroute: the port's state and the traceroute's hops.
nmap_tells() {
  awk -v port="$LAB_PORT/$2" '
    $1 == port { state = $2 }
    /^TRACEROUTE/ { trace = 1; next }
    trace && /^HOP/ { next }
    trace && NF == 0 { trace = 0 }
    trace && $2 == "..." { path = path sep "* (hops " $1 "-" $3 " silent)"; sep = " → " }
    trace && $2 != "..." && NF >= 2 { path = path sep $NF; sep = " → " }
    END {
      if (state == "") { print "no answer (see raw output)"; exit }
      out = port " " state
      if (path != "") out = out "; trace " path
      print out
    }' "$1"
}

# firewalk: the hop it names as blocking the port, if the script ran.
firewalk_tells() {
  awk -v port="$LAB_PORT/$2" '
    $1 == port { state = $2 }
    /^\| firewalk:/ { fw = 1; next }
    fw && /HOP +HOST/ { next }
    fw && /^\|/ {
      line = $0; sub(/^\|_? */, "", line); n = split(line, f, " +")
      if (n >= 4 && f[1] ~ /^[0-9]+$/) { hops = hops sep "hop " f[1] " " f[2]; sep = ", " }
      if ($0 ~ /^\|_/) fw = 0
      next
    }
    END {
      if (hops != "") print "blocking: " hops
      else if (state == "filtered") print "filtered; no blocking hop found"
      else if (state != "") print "nothing: script skipped (" port " " state ", not filtered)"
      else print "no answer (see raw output)"
    }' "$1"
}

# traceroute -T (-U): the last hop that answered, and whether it ended there.
traceroute_tells() {
  local reply="TCP reply"
  [[ $2 != udp ]] || reply="port unreachable or UDP reply"
  awk -v max=8 -v reply="$reply" '
    NR == 1 && /^traceroute to/ { next }
    $1 ~ /^[0-9]+$/ {
      hop = $1; addr = ""; flag = ""
      for (i = 2; i <= NF; i++) {
        # An IPv4 address, or (traceroute -6) an IPv6 one.
        if (($i ~ /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/ || $i ~ /^[0-9a-f]*:[0-9a-f:]+$/) && addr == "") addr = $i
        if ($i ~ /^!/) flag = flag " " $i
      }
      if (addr != "") { last = hop; last_addr = addr; last_flag = flag }
      end_hop = hop
    }
    END {
      if (end_hop == "") { print "no output (see raw output)"; exit }
      if (last == "") { print "silent from hop 1 to " end_hop; exit }
      if (last == end_hop && end_hop < max)
        print "ends at hop " last ": " last_addr " answered" (last_flag != "" ? " (" substr(last_flag, 2) ")" : " (" reply ")")
      else if (last == end_hop)
        print "last answer hop " last " " last_addr last_flag
      else
        print "last answer hop " last " " last_addr last_flag ", silent to hop " end_hop
    }' "$1"
}

# The most frequent line on stdin, with "(k/N runs)" when the runs differ.
consensus() {
  sort | uniq -c | sort -k1,1nr -k2 | awk '
    { n[NR] = $1; total += $1; sub(/^ *[0-9]+ /, ""); line[NR] = $0 }
    END {
      if (NR == 0) { print "-"; exit }
      if (NR == 1) print line[1]
      else printf "%s (%d/%d runs)\n", line[1], n[1], total
    }'
}

# What TOOL said over all runs in DIR.
tells_cell() {
  local dir=$1 tool=$2 run file proto
  proto=$(protocol_of "$dir")
  for ((run = 1; run <= $(run_count "$dir"); run++)); do
    file=$dir/run$run.$tool.out
    [[ -e $file ]] || continue
    "${tool}_tells" "$file" "$proto"
  done | consensus | sed 's/|/\\|/g'
}

run_count() {
  awk -F '\t' '$1 > n { n = $1 } END { print n + 0 }' "$1/times.tsv"
}

# ---------------------------------------------------------------- probe-client's verdict

# "CAUSE HOP" that tests/lab/CMakeLists.txt expects for scenario $1, or nothing.
expected_verdict() {
  awk -v name="$1" '
    /^[[:space:]]*reachback_lab_scenario\(/ {
      line = $0; sub(/^[[:space:]]*reachback_lab_scenario\(/, "", line)
      n = split(line, f, /[[:space:])]+/)
      if (f[1] == name && n >= 3) { print f[2], f[3]; exit }
    }' "$LAB_EXPECTATIONS"
}

# "CAUSE HOP" of the report in FILE ("none none" if there is none).
client_verdict() {
  jq -r '"\(.verdict.cause // "none") \(if .verdict.blocking_hop == null then "null"
         else (.hops[.verdict.blocking_hop].address // "missing") end)"' "$1" 2>/dev/null ||
    echo "none none"
}

# Exit status of run RUN of TOOL in DIR.
exit_of() {
  awk -F '\t' -v run="$2" -v tool="$3" '$1 == run && $2 == tool { print $4 }' "$1/times.tsv"
}

# Sets verdict_cell for DIR/NAME; it starts with MISMATCH unless every run
# gave the expected cause, blocking hop and exit status.
check_verdicts() {
  local dir=$1 name=$2 expected cause hop got run matched=0 total exit_want rc bad=""
  expected=$(expected_verdict "$name")
  total=$(run_count "$dir")
  read -r cause hop < <(client_verdict "$dir/run1.client.out")
  got="$cause @ $hop"
  [[ $hop != null ]] || got=$cause
  if [[ -z $expected ]]; then
    verdict_cell="$got (no expectation in tests/lab)"
    return
  fi
  exit_want=1
  [[ ${expected%% *} != reachable ]] || exit_want=0
  for ((run = 1; run <= total; run++)); do
    rc=$(exit_of "$dir" "$run" client)
    read -r cause hop < <(client_verdict "$dir/run$run.client.out")
    if [[ "$cause $hop" == "$expected" && $rc == "$exit_want" ]]; then
      matched=$((matched + 1))
    elif [[ -z $bad ]]; then
      bad="run $run gave $cause @ $hop (exit $rc)"
    fi
  done
  if ((total > 0 && matched == total)); then
    verdict_cell="$got ✓"
  else
    verdict_cell="MISMATCH $matched/$total: expected ${expected/ / @ }; $bad"
  fi
}

# Median of a probe-client JSON number over the runs in DIR, in ms.
client_field_median() {
  local dir=$1 expr=$2 run
  for ((run = 1; run <= $(run_count "$dir"); run++)); do
    jq -r "$expr // empty" "$dir/run$run.client.out" 2>/dev/null || true
  done | stats | awk '{ printf "%.0f", $1 }'
}

# Median of the relay's own session durations (its log says duration=NNNms
# for each session, and the benchmark's only sessions are probe-client's).
relay_session_median() {
  local median
  median=$(sed -n 's/.* duration=\([0-9]*\)ms.*/\1/p' "$1/relay.log" 2>/dev/null | stats | cut -d' ' -f1)
  echo "${median:--}"
}

# ---------------------------------------------------------------- tables

main_table_row() {
  local dir=$1 name=$2
  check_verdicts "$dir" "$name"
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
    "$(time_cell "$dir" client 1)" "$verdict_cell" \
    "$(time_cell "$dir" nmap)" "$(tells_cell "$dir" nmap)" \
    "$(time_cell "$dir" firewalk)" "$(tells_cell "$dir" firewalk)" \
    "$(time_cell "$dir" traceroute)" "$(tells_cell "$dir" traceroute)"
}

# Where probe-client's time goes, and whether it met its targets.
timing_row() {
  local dir=$1 name=$2 client nmap outcome target goal verdict=met why=() proto
  proto=$(protocol_of "$dir")
  client=$(times_of "$dir" client | stats | cut -d' ' -f1)
  nmap=$(times_of "$dir" nmap | stats | cut -d' ' -f1)
  # A connect-back that timed out means the port never answered: the
  # all-silent target applies.
  outcome=$(jq -r '.probe.connect_back.outcome // "-"' "$dir/run1.client.out" 2>/dev/null || echo -)
  if [[ $outcome == timeout ]]; then
    target=${TARGET_SILENT_MS[$proto]} goal="port silent: ≤ $(secs "$target")"
  else
    target=${TARGET_ANSWER_MS[$proto]} goal="port answers: ≤ $(secs "$target")"
  fi
  [[ $proto == tcp ]] || goal="$proto, $goal"
  if [[ -z $client ]]; then
    verdict="no data"
  else
    if awk -v a="$client" -v b="$target" 'BEGIN { exit !(a > b) }'; then
      why+=("$client ms > $target ms")
    fi
    if [[ -n $nmap ]] && awk -v a="$client" -v b="$nmap" 'BEGIN { exit !(a > b) }'; then
      why+=("slower than nmap ($client ms > $nmap ms)")
    fi
    if ((${#why[@]} > 0)); then
      verdict="MISSED: ${why[0]}"
      ((${#why[@]} == 1)) || verdict+="; ${why[1]}"
    fi
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
    "$(client_field_median "$dir" .probe.timings.local_ms)" \
    "$(client_field_median "$dir" .probe.timings.session_ms)" \
    "$(relay_session_median "$dir")" \
    "$(client_field_median "$dir" .probe.timings.total_ms)" \
    "$outcome" \
    "$(jq -r '[.probe.sweep.hops[]?.attempts] | max // "-"' "$dir/run1.client.out" 2>/dev/null || echo -)" \
    "$goal" "$verdict"
}

print_tables() {
  local dir=$1 name
  if grep -qs rebuilt "$dir/binaries.txt"; then
    echo "**Warning: probe-relay or probe-client was rebuilt during this run; the numbers mix versions.**"
    echo
  fi
  echo "| scenario | probe-client median (min–max) | verdict | nmap -sS (UDP: -sU) --traceroute median | what nmap tells | firewalk median | what firewalk tells | traceroute -T (UDP: -U) median | what it tells |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for name in "${scenarios[@]}"; do
    if [[ -s $dir/$name/times.tsv ]]; then
      main_table_row "$dir/$name" "$name"
    else
      echo "| $name | did not run | | | | | | | |"
    fi
  done
  echo
  echo "Where probe-client's time goes (medians in ms: local_ms, session_ms and total_ms from the"
  echo "report's probe.timings, the relay's session from its log), and its targets:"
  echo
  echo "| scenario | local_ms | session_ms | relay session | total_ms | connect-back | sweep attempts (max) | target | met? |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for name in "${scenarios[@]}"; do
    [[ -s $dir/$name/times.tsv ]] || continue
    timing_row "$dir/$name" "$name"
  done
}

# ---------------------------------------------------------------- running

# Stops the running scenario (its own traps tear its lab down) and exits.
on_signal() {
  if [[ -n $child_pid ]]; then
    kill -TERM "$child_pid" 2>/dev/null || true
    wait "$child_pid" 2>/dev/null || true
  fi
  exit "$1"
}

# Checksums of the programs under test: a rebuild in the middle of a run
# would mix two versions in one table.
fingerprint() {
  sha256sum "$relay_bin" "$client_bin" 2>/dev/null || echo "programs missing"
}

run_scenarios() {
  local name rc
  fingerprint >"$results/binaries.txt"
  for name in "${scenarios[@]}"; do
    mkdir -p "$results/$name"
    rm -f "$results/$name/times.tsv"
    echo "bench: scenario $name ($runs runs, ${delay_ms} ms one-way delay per internet link)" >&2
    rc=0
    "$here/bench_scenario.sh" "$name" --results "$results/$name" --runs "$runs" \
      --delay "$delay_ms" --pause "$pause_s" --tool-timeout "$tool_timeout" --tools "$tools" \
      "${scenario_opts[@]}" &
    child_pid=$!
    wait "$child_pid" || rc=$?
    child_pid=""
    ((rc == 0)) || echo "bench: scenario $name failed (exit $rc); see $results/$name" >&2
  done
  if [[ "$(fingerprint)" != "$(cat "$results/binaries.txt")" ]]; then
    echo "bench: WARNING: probe-relay or probe-client was rebuilt during the run; the numbers mix versions" >&2
    echo "rebuilt during the run" >>"$results/binaries.txt"
  fi
}

main() {
  parse_args "$@"
  command -v jq >/dev/null || die "jq is missing"
  if [[ -n $from ]]; then
    results=$from
  else
    [[ $(id -u) == 0 ]] || die "needs root (the lab creates network namespaces); run it with sudo"
    if [[ -z $results ]]; then
      results=$(mktemp -d "${TMPDIR:-/tmp}/reachback-bench.XXXXXX")
    fi
    mkdir -p "$results"
    trap 'on_signal 130' INT
    trap 'on_signal 143' TERM
    run_scenarios
  fi
  local table
  table=$(print_tables "$results")
  echo "$table"
  [[ -z $out ]] || echo "$table" >"$out"
  echo "bench: raw output in $results" >&2
  if grep -qE '\| (MISMATCH|did not run)' <<<"$table"; then
    echo "bench: probe-client did not give the expected verdict everywhere" >&2
    exit 1
  fi
}

main "$@"
