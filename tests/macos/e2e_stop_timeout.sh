#!/usr/bin/env bash
# On a real Mac (CI, macos-latest): a program that traps SIGTERM and needs 8 s to exit
# cleanly, enabled with --stop-timeout 20s (launchd ExitTimeOut 20), must not be
# SIGKILLed when it is stopped (launchd's default exit timeout is 5 s), and
# `autostart stop` must return only once launchd has let the job go.
# Usage: tests/macos/e2e_stop_timeout.sh   (needs a GUI login session)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ "$(uname -s)" != "Darwin" ]; then
  echo "skipped: tests/macos/e2e_stop_timeout.sh needs macOS"
  exit 0
fi
domain="gui/$(id -u)"
if ! launchctl print "$domain" >/dev/null 2>&1; then
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "FAIL: no launchd GUI domain $domain on the CI runner (no desktop login session)" >&2
    exit 1
  fi
  echo "skipped: no launchd GUI domain $domain (no desktop login session)"
  exit 0
fi
deno=$(./scripts/setup.sh)
"$deno" run -A --quiet scripts/bundle.ts >/dev/null
autostart() { "$deno" run -A "$root/dist/autostart.js" "$@"; }
if ! autostart help enable 2>&1 | grep -q -- "--stop-timeout"; then
  echo "skipped: this build has no --stop-timeout"
  exit 0
fi

name="e2e-slow-$$"
label="dev.autostart.$name"
target="$domain/$label"
plist="$HOME/Library/LaunchAgents/$label.plist"
work=$(mktemp -d)
cleanup() {
  launchctl bootout "$target" >/dev/null 2>&1 || true
  rm -f "$plist"
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; launchctl print "$target" 2>&1 | head -40 >&2 || true; exit 1; }

# The program: on SIGTERM it takes 8 s to shut down, then says so and exits 0. It
# appends one line per event to the log given as its argument.
cat >"$work/slow_exit.sh" <<'PROGRAM'
#!/bin/sh
log=$1
on_term() {
  echo "stopping" >>"$log"
  sleep 8
  echo "clean exit" >>"$log"
  exit 0
}
trap on_term TERM
echo "started" >>"$log"
while :; do
  sleep 3600 &
  wait $!
done
PROGRAM
chmod 755 "$work/slow_exit.sh"
log="$work/events.log"
count() { grep -c "^$1\$" "$log" 2>/dev/null || true; }
wait_count() { # wait_count EVENT N SECONDS
  local i=0
  until [ "$(count "$1")" -ge "$2" ]; do
    i=$((i + 1))
    [ "$i" -le $(($3 * 4)) ] || fail "no $2 \"$1\" events after $3 s: $(tr '\n' ',' <"$log")"
    sleep 0.25
  done
}

echo "== enable with --stop-timeout 20s"
autostart enable "$name" --stop-timeout 20s -- "$work/slow_exit.sh" "$log"
[ "$(plutil -extract ExitTimeOut raw "$plist")" = "20" ] || fail "ExitTimeOut is not 20"
wait_count started 1 20

echo "== stop: launchd sends SIGTERM and waits up to 20 s; autostart waits for launchd"
start=$(date +%s)
autostart stop "$name"
took=$(($(date +%s) - start))
[ "$(count "clean exit")" = 1 ] ||
  fail "the program was SIGKILLed before its 8 s: $(tr '\n' ',' <"$log")"
[ "$took" -ge 7 ] || fail "stop returned after ${took}s, before the program had exited"
if launchctl print "$target" >/dev/null 2>&1; then fail "still loaded after stop"; fi

echo "== enable again while it runs: the old process still gets its 8 s"
autostart start "$name"
wait_count started 2 20
autostart enable "$name" --stop-timeout 20s -- "$work/slow_exit.sh" "$log" --again
wait_count started 3 40
[ "$(count "clean exit")" = 2 ] ||
  fail "re-enable did not let the old process exit cleanly: $(tr '\n' ',' <"$log")"
autostart disable "$name"
[ "$(count "clean exit")" = 3 ] ||
  fail "disable did not let the program exit cleanly: $(tr '\n' ',' <"$log")"

echo "e2e_stop_timeout: ok"
