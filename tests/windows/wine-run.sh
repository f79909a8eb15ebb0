#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one Windows program under Wine for ctest: wine-run.sh PROGRAM [ARGS...]
#   wine-run.sh --boot PREFIX    only prepares the prefix (tests/run.sh does this first)
# The prefix is the build tree's own, BUILD/wine-prefix, found from the
# program's path (the directory that holds CMakeCache.txt), unless
# REACHBACK_WINEPREFIX names one. ctest passes the emulator no arguments of
# its own when it lists tests, so the prefix cannot come from there.
# The prefix is created once (wineboot, ~20 s) and a persistent wineserver
# keeps each later start at a few hundredths of a second. Wine's own servers
# are started with no inherited pipe, so ctest never waits on them after the
# test has ended.
set -euo pipefail

wine=${REACHBACK_WINE:-/usr/lib/wine/wine64}
server=${REACHBACK_WINESERVER:-/usr/lib/wine/wineserver}
die() { echo "wine-run.sh: $*" >&2; exit 2; }

# The build tree that holds `path`: the nearest directory with a CMakeCache.txt.
build_tree_of() {
  local dir
  dir=$(cd "$(dirname "$1")" && pwd)
  while [ "$dir" != "/" ] && [ ! -f "$dir/CMakeCache.txt" ]; do dir=$(dirname "$dir"); done
  [ -f "$dir/CMakeCache.txt" ] || die "$1 is not inside a build tree; set REACHBACK_WINEPREFIX"
  echo "$dir"
}

boot_only=false
if [ "${1:-}" = "--boot" ]; then
  [ $# -eq 2 ] || die "usage: wine-run.sh --boot PREFIX"
  boot_only=true
  export WINEPREFIX=$2
else
  [ $# -ge 1 ] || die "usage: wine-run.sh PROGRAM [ARGS...] | wine-run.sh --boot PREFIX"
  export WINEPREFIX=${REACHBACK_WINEPREFIX:-$(build_tree_of "$1")/wine-prefix}
fi
[ -x "$wine" ] || die "$wine is missing: run ./deploy/install-deps.sh"
export WINEDEBUG=-all
# No Mono or Gecko: nothing here needs .NET or a browser engine, and Wine
# would otherwise ask to download them.
export WINEDLLOVERRIDES="mscoree,mshtml="
export WINEARCH=win64
mkdir -p "$(dirname "$WINEPREFIX")"

if [ ! -f "$WINEPREFIX/system.reg" ]; then
  (
    flock 9
    [ -f "$WINEPREFIX/system.reg" ] || timeout 300 "$wine" wineboot --init </dev/null >/dev/null 2>&1
  ) 9>"$WINEPREFIX.lock"
fi

# After the boot, so the prefix exists (a server for a missing prefix
# exits at once): a persistent server that ctest did not start holds none
# of its pipes, while one that Wine starts on demand inside a test listing
# keeps ctest waiting for the pipe to close.
"$server" -p </dev/null >/dev/null 2>&1 || true  # already running: nothing to do
$boot_only && exit 0
# Without address space randomization: now and then the kernel puts a
# mapping where Wine must map Windows' shared user data (0x7ffe0000), and
# the program dies before it starts ("failed to map the shared user data:
# c0000018"), a test failure with no output. setarch -R is util-linux's.
# No test reads its input, and Wine blocks on an inherited pipe that never
# closes (ctest lists tests with one as stdin), so input is /dev/null.
exec setarch "$(uname -m)" -R "$wine" "$@" </dev/null
