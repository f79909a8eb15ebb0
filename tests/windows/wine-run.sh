#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one Windows program under Wine for ctest: wine-run.sh PROGRAM [ARGS...]
#   wine-run.sh --boot PREFIX    only prepares the prefix (tests/run.sh does this first)
# The prefix is the build tree's own, BUILD/wine-prefix, found from the
# program's path (the directory that holds CMakeCache.txt), unless
# REACHBACK_WINEPREFIX names one. ctest passes the emulator no arguments of
# its own when it lists tests, so the prefix cannot come from there.
# The prefix is created once (wineboot, ~20 s) and a persistent wineserver
# keeps each later start at a few hundredths of a second. Neither the server
# nor Wine's system processes ever hold a pipe of ctest's, so ctest never
# waits on them after a test or a test listing has ended.
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
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
      timeout 300 "$wine" wineboot --init </dev/null >/dev/null 2>&1
      # wineboot's own server lingers a moment; until it is gone, a new
      # persistent one would find it "already running" and not start.
      timeout 60 "$server" -w </dev/null >/dev/null 2>&1
    fi
  ) 9>"$WINEPREFIX.lock"
fi

# After the boot, so the prefix exists (a server for a missing prefix
# exits at once). The first Wine program under a server starts Wine's
# system processes (services.exe, winedevice.exe, rpcss.exe, ...), which
# live as long as the server and inherit that program's stderr: the boot
# starts them with /dev/null, so none holds a pipe that ctest waits on.
"$server" -p </dev/null >/dev/null 2>&1 || true  # already running: nothing to do
if $boot_only; then
  "$wine" cmd /c exit </dev/null >/dev/null 2>&1 || true
  exit 0
fi
# Without address space randomization: now and then the kernel puts a
# mapping where Wine must map Windows' shared user data (0x7ffe0000), and
# the program dies before it starts ("failed to map the shared user data:
# c0000018"), a test failure with no output. setarch -R is util-linux's.
# No test reads its input, and Wine blocks on an inherited pipe that never
# closes (ctest lists tests with one as stdin), so input is /dev/null.
# stderr goes through a file: should Wine restart a system process during
# this program, it inherits the file, never ctest's pipe.
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
status=0
setarch "$(uname -m)" -R "$wine" "$@" </dev/null 2>"$errors" || status=$?
cat "$errors" >&2
exit "$status"
