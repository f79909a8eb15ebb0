#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one lab scenario, runs probe-relay in the relay namespace and
# probe-client on the laptop, prints the report and checks it.
#
#   run_scenario.sh NAME [options] [-- extra probe-client arguments]
#   run_scenario.sh --list
#
# Everything after -- goes to probe-client as is (e.g. -- --fix --yes).
#
# Options:
#   --build-dir DIR      where the three programs below are built (default build)
#   --relay-bin PATH     probe-relay  (env REACHBACK_RELAY; default DIR/relay/probe-relay)
#   --client-bin PATH    probe-client (env REACHBACK_CLIENT; default DIR/client/probe-client)
#   --wire-bin PATH      reachback-lab-wire, for delayed links (env LAB_WIRE_BIN;
#                        default DIR/tests/lab/reachback-lab-wire)
#   --expect-cause C     .verdict.cause must be C
#   --expect-hop ADDR    .hops[.verdict.blocking_hop].address must be ADDR ("null": none)
#   --expect-candidates A,B
#                        the addresses of the hops .verdict.candidates names, in
#                        order, must be A,B ("" : none; a hop without address: null)
#   --expect-exit N      probe-client must exit with N
#   --expect-jq EXPR     jq EXPR must be true on the report (repeatable)
#   --dump-tables        print each UPnP router's mappings before and after the run
#   --expect-tables-unchanged
#                        each UPnP router's mappings after the run must equal
#                        those before (implies --dump-tables)
#   --expect-mapping ROUTER:PORT:ADDR[:TPORT]
#                        after the run, ROUTER maps tcp PORT to ADDR:TPORT (repeatable)
#   --expect-no-mapping ROUTER:PORT
#                        after the run, ROUTER maps no tcp PORT (repeatable)
#   --then-unfix         after the run, probe-client --unfix --port PORT must exit 0
#                        and leave every UPnP router's mappings as before the run
#   --after-unfix-jq EXPR
#                        then jq EXPR must be true on a plain run's report (the
#                        scenario's arguments, none after --; implies --then-unfix)
#   --client-timeout S   stop probe-client after S seconds (default 40)
#   --human              the human-readable report (no --json, no checks)
#   --hold SECONDS       build the lab, start nothing, wait so you can explore it by hand
#   --keep-logs          keep the lab's logs directory
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=SCRIPTDIR/lab.sh
source "$here/lab.sh"
# shellcheck source=SCRIPTDIR/scenarios.sh
source "$here/scenarios.sh"
# shellcheck source=SCRIPTDIR/scenarios6.sh
source "$here/scenarios6.sh"

readonly RELAY_LISTEN="$LAB_RELAY_ADDR:4750"
readonly RELAY_LISTEN_V6="[$LAB_RELAY_V6]:4750"

usage() {
  sed -n '3,41s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
  exit "${1:-2}"
}

name=""
build_dir=""
relay_bin=""
client_bin=""
wire_env=${LAB_WIRE_BIN:-}
LAB_WIRE_BIN=""
expect_cause=""
expect_hop=""
expect_candidates=""
has_expect_candidates=0
dump_tables=0
tables_unchanged=0
then_unfix=0
after_unfix_jq=""
expect_mapping=()
expect_no_mapping=()
expect_exit=""
expect_jq=()
human=0
hold=""
extra=()
client_rc=0
client_timeout=${LAB_CLIENT_TIMEOUT_S:-40}

parse_args() {
  while (($#)); do
    case $1 in
      --list) scenario_names; exit 0 ;;
      -h | --help) usage 0 ;;
      --build-dir) build_dir=${2:?}; shift 2 ;;
      --relay-bin) relay_bin=${2:?}; shift 2 ;;
      --client-bin) client_bin=${2:?}; shift 2 ;;
      --wire-bin) LAB_WIRE_BIN=${2:?}; shift 2 ;;
      --expect-cause) expect_cause=${2:?}; shift 2 ;;
      --expect-hop) expect_hop=${2:?}; shift 2 ;;
      --expect-candidates) expect_candidates=${2?}; has_expect_candidates=1; shift 2 ;;
      --dump-tables) dump_tables=1; shift ;;
      --expect-tables-unchanged) tables_unchanged=1; dump_tables=1; shift ;;
      --then-unfix) then_unfix=1; dump_tables=1; shift ;;
      --after-unfix-jq) after_unfix_jq=${2:?}; then_unfix=1; dump_tables=1; shift 2 ;;
      --expect-mapping) expect_mapping+=("${2:?}"); shift 2 ;;
      --expect-no-mapping) expect_no_mapping+=("${2:?}"); shift 2 ;;
      --expect-exit) expect_exit=${2:?}; shift 2 ;;
      --expect-jq) expect_jq+=("${2:?}"); shift 2 ;;
      --client-timeout) client_timeout=${2:?}; shift 2 ;;
      --human) human=1; shift ;;
      --hold) hold=${2:?}; shift 2 ;;
      --keep-logs) LAB_KEEP_LOGS=1; shift ;;
      --) shift; extra=("$@"); break ;;
      -*) echo "run_scenario: unknown option '$1'" >&2; usage 2 ;;
      *) [[ -z $name ]] || usage 2; name=$1; shift ;;
    esac
  done
  [[ -n $name ]] || usage 2
  # --relay-bin and the like, then --build-dir, then the environment, then build/.
  if [[ -n $build_dir ]]; then
    relay_bin=${relay_bin:-$build_dir/relay/probe-relay}
    client_bin=${client_bin:-$build_dir/client/probe-client}
    LAB_WIRE_BIN=${LAB_WIRE_BIN:-$build_dir/tests/lab/reachback-lab-wire}
  fi
  relay_bin=${relay_bin:-${REACHBACK_RELAY:-$repo/build/relay/probe-relay}}
  client_bin=${client_bin:-${REACHBACK_CLIENT:-$repo/build/client/probe-client}}
  LAB_WIRE_BIN=${LAB_WIRE_BIN:-${wire_env:-$repo/build/tests/lab/reachback-lab-wire}}
  ((${#expect_mapping[@]} + ${#expect_no_mapping[@]} == 0)) || dump_tables=1
  scenario_exists "$name" || lab_die "unknown scenario '$name' (known: $(scenario_names | tr '\n' ' '))"
  [[ -z $hold || $hold =~ ^[0-9]+$ ]] || lab_die "--hold needs whole seconds"
  [[ $client_timeout =~ ^[0-9]+$ ]] || lab_die "--client-timeout needs whole seconds"
}

check_binaries() {
  [[ -x $relay_bin ]] ||
    lab_die "probe-relay not found at '$relay_bin' (ninja -C build probe-relay, or pass --relay-bin)"
  [[ -x $client_bin ]] ||
    lab_die "probe-client not found at '$client_bin' (ninja -C build probe-client, or pass --client-bin)"
}

# Waits, interruptibly, so Ctrl-C or SIGTERM tears the lab down at once.
hold_lab() {
  local nodes="" node proto trace_flag
  for node in "${LAB_NODES[@]}"; do
    nodes+="$(lab_ns "$node") "
  done
  proto=$(client_protocol)
  # traceroute's -T is TCP, -U UDP to one fixed port.
  trace_flag=${proto:0:1}
  {
    echo "lab: scenario '$name' is up for $hold s; Ctrl-C tears it down. Try:"
    echo "  ip netns exec $(lab_ns relay) nping --$proto -p $LAB_PORT --ttl 3 -c 1 $LAB_PUBLIC_ADDR"
    echo "  ip netns exec $(lab_ns relay) traceroute -${trace_flag^^} -n -p $LAB_PORT $LAB_PUBLIC_ADDR"
    echo "  ip netns exec $(lab_ns laptop) traceroute -n $LAB_RELAY_ADDR"
    echo "  namespaces: $nodes"
  } >&2
  sleep "$hold" &
  LAB_SPAWNED_PIDS+=($!)
  wait $!
}

start_relay() {
  lab_spawn relay relay "$relay_bin" --listen "$RELAY_LISTEN" --listen "$RELAY_LISTEN_V6"
  lab_wait_log "$LAB_DIR/relay.log" "probe-relay: listening on $RELAY_LISTEN_V6" "$LAB_LAST_PID" "probe-relay"
}

# Runs probe-client on the laptop; sets client_rc. The human report (and
# any progress display) goes straight to the terminal; the JSON report is
# kept for the checks and printed.
run_client() {
  local args=(--relay "${SCENARIO_RELAY:-$LAB_RELAY_ADDR}" --port "$LAB_PORT")
  ((human == 1)) || args+=(--json)
  args+=("${SCENARIO_CLIENT_ARGS[@]}" "${extra[@]}")
  local cmd=(timeout --kill-after=5 "$client_timeout"
    ip netns exec "$(lab_ns laptop)" env XDG_STATE_HOME="$LAB_DIR/state" "$client_bin" "${args[@]}")
  if ((human == 1)); then
    printf '%s\n$ probe-client %s\n\n' "$SCENARIO_TITLE" "${args[*]}"
    "${cmd[@]}" || client_rc=$?
    return 0
  fi
  "${cmd[@]}" >"$LAB_DIR/client.out" 2>"$LAB_DIR/client.err" || client_rc=$?
  cat "$LAB_DIR/client.out"
  sed 's/^/probe-client: | /' "$LAB_DIR/client.err" >&2
}

# --fix's state file stays in the lab (XDG_STATE_HOME), never in root's home.
# --unfix removes what the run's --fix recorded there; the routers' tables
# must then be as they were before the run.
unfix_and_check() {
  local rc=0 router
  timeout --kill-after=5 "$client_timeout" ip netns exec "$(lab_ns laptop)" env XDG_STATE_HOME="$LAB_DIR/state" \
    "$client_bin" --unfix --port "$LAB_PORT" >&2 || rc=$?
  ((rc == 0)) || fail "probe-client --unfix exited $rc"
  read_tables unfixed
  for router in "${LAB_UPNP_ROUTERS[@]}"; do
    [[ ${tables_before[$router]} == "${tables_unfixed[$router]}" ]] ||
      fail "$router's UPnP mappings after --unfix differ from those before the run"
  done
  [[ -z $after_unfix_jq ]] || probe_after_unfix
}

# The port is as it was before --fix: a plain run's report meets after_unfix_jq.
probe_after_unfix() {
  local cause rc=0
  timeout --kill-after=5 "$client_timeout" ip netns exec "$(lab_ns laptop)" "$client_bin" \
    --relay "${SCENARIO_RELAY:-$LAB_RELAY_ADDR}" --port "$LAB_PORT" --json "${SCENARIO_CLIENT_ARGS[@]}" \
    >"$LAB_DIR/unfixed.out" 2>"$LAB_DIR/unfixed.err" || rc=$?
  cause=$(jq -r '[.verdict.cause, .ipv6.verdict.cause // empty] | join(", ")' "$LAB_DIR/unfixed.out" 2>/dev/null ||
    echo "no report")
  jq -e "$after_unfix_jq" "$LAB_DIR/unfixed.out" >/dev/null 2>&1 ||
    fail "after --unfix: report check failed: $after_unfix_jq (causes: $cause; probe-client exit $rc)"
  echo "lab: after --unfix: $cause (probe-client exit $rc)" >&2
}

# Each UPnP router's mappings (lab_upnp_table), into tables_before,
# tables_after or tables_unfixed.
declare -A tables_before=() tables_after=() tables_unfixed=()
read_tables() {
  local when=$1 router table label="$1 the run"
  [[ $when != unfixed ]] || label="after --unfix"
  for router in "${LAB_UPNP_ROUTERS[@]}"; do
    table=$(lab_upnp_table "$router")
    case $when in
      before) tables_before[$router]=$table ;;
      after) tables_after[$router]=$table ;;
      *) tables_unfixed[$router]=$table ;;
    esac
    {
      echo "lab: $router's UPnP mappings $label:"
      # shellcheck disable=SC2001 # every line, not one substitution
      sed 's/^/  | /' <<<"${table:-(none)}"
    } >&2
  done
}

check_tables() {
  local router spec r port addr tport
  if ((tables_unchanged == 1)); then
    for router in "${LAB_UPNP_ROUTERS[@]}"; do
      [[ ${tables_before[$router]} == "${tables_after[$router]}" ]] ||
        fail "$router's UPnP mappings changed during the run"
    done
  fi
  for spec in "${expect_mapping[@]}"; do
    IFS=: read -r r port addr tport <<<"$spec"
    tport=${tport:-$port}
    [[ -n ${tables_after[$r]+set} ]] || fail "--expect-mapping $spec: $r runs no miniupnpd"
    grep -qF "upnp TCP $port->$addr:$tport " <<<"${tables_after[$r]}" ||
      fail "$r does not map tcp $port to $addr:$tport after the run"
  done
  for spec in "${expect_no_mapping[@]}"; do
    IFS=: read -r r port <<<"$spec"
    [[ -n ${tables_after[$r]+set} ]] || fail "--expect-no-mapping $spec: $r runs no miniupnpd"
    ! grep -qF "upnp TCP $port->" <<<"${tables_after[$r]}" ||
      fail "$r still maps tcp $port after the run"
  done
  return 0
}

fail() {
  echo "lab: FAIL $name: $*" >&2
  echo "lab: probe-relay's log (last 40 lines):" >&2
  tail -n 40 "$LAB_DIR/relay.log" 2>/dev/null | sed 's/^/probe-relay: | /' >&2
  exit 1
}

# probe-client exits 0 (reachable) or 1 (not reachable, with a report);
# anything else means it could not produce a diagnosis.
check_finished() {
  ((client_rc != 124 && client_rc != 137)) ||
    fail "probe-client did not finish within $client_timeout s"
  ((client_rc < 124)) || fail "probe-client died (exit status $client_rc)"
  ((client_rc <= 1 || ${#expect_exit} > 0)) ||
    fail "probe-client gave no diagnosis (exit status $client_rc)"
}

check_report() {
  local report=$LAB_DIR/client.out cause hop candidates expr
  check_finished
  # jq 1.6 -e succeeds on empty input: an empty report needs its own check.
  [[ -s $report ]] || fail "probe-client printed no report (exit status $client_rc)"
  jq -e 'type == "object"' "$report" >/dev/null 2>&1 || fail "the report is not a JSON object"
  cause=$(jq -r '.verdict.cause // "missing"' "$report")
  hop=$(jq -r 'if .verdict.blocking_hop == null then "null"
               else (.hops[.verdict.blocking_hop].address // "missing") end' "$report")
  [[ -z $expect_cause || $cause == "$expect_cause" ]] ||
    fail "expected cause $expect_cause, got $cause (blocking hop $hop)"
  [[ -z $expect_hop || $hop == "$expect_hop" ]] ||
    fail "expected blocking hop $expect_hop, got $hop (cause $cause)"
  candidates=$(jq -r '[(.verdict.candidates // [])[] as $i | (.hops[$i].address // "null")] | join(",")' \
    "$report")
  ((has_expect_candidates == 0)) || [[ $candidates == "$expect_candidates" ]] ||
    fail "expected candidates '$expect_candidates', got '$candidates' (cause $cause)"
  [[ -z $expect_exit || $client_rc == "$expect_exit" ]] ||
    fail "expected probe-client to exit $expect_exit, it exited $client_rc"
  for expr in "${expect_jq[@]}"; do
    jq -e "$expr" "$report" >/dev/null 2>&1 || fail "report check failed: $expr"
  done
  check_tables
  echo "lab: PASS $name: $cause at $hop, candidates [$candidates] (probe-client exit $client_rc)" >&2
}

main() {
  parse_args "$@"
  [[ -n $hold ]] || check_binaries
  ((human == 1)) || [[ -n $hold ]] || lab_require_commands jq
  lab_init
  scenario_run "$name"
  lab_log "scenario $name: $SCENARIO_TITLE"
  if [[ -n $hold ]]; then
    hold_lab
    return 0
  fi
  start_relay
  ((dump_tables == 0)) || read_tables before
  run_client
  ((dump_tables == 0)) || read_tables after
  if ((human == 1)); then
    check_finished
    check_tables
  else
    check_report
  fi
  ((then_unfix == 0)) || unfix_and_check
}

main "$@"
