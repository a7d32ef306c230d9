#!/usr/bin/env bash
# End-to-end test of the launchd-agent driver on a real Mac (run by CI on macos-latest):
# enable a sleeping program as a LaunchAgent, see it running in `launchctl print`, kill
# it and see launchd start it again (new pid), restart/stop/start it, disable it and see
# the plist gone. Uses the bundle (dist/autostart.js) like the Linux e2e tests.
# Usage: tests/macos/e2e_agent.sh   (from anywhere; needs a GUI login session)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ "$(uname -s)" != "Darwin" ]; then
  echo "skipped: tests/macos/e2e_agent.sh needs macOS"
  exit 0
fi
uid=$(id -u)
domain="gui/$uid"
if ! launchctl print "$domain" >/dev/null 2>&1; then
  # GitHub's macOS runners log the runner user in to the desktop: there a missing
  # domain is a broken runner, not a reason to pass without testing anything.
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "FAIL: no launchd GUI domain $domain on the CI runner (no desktop login session)" >&2
    exit 1
  fi
  echo "skipped: no launchd GUI domain $domain (no desktop login session)"
  exit 0
fi
deno=$(./scripts/setup.sh)
"$deno" run -A --quiet scripts/bundle.ts >/dev/null
autostart() { "$deno" run -A dist/autostart.js "$@"; }

name="e2e-$$"
label="dev.autostart.$name"
target="$domain/$label"
plist="$HOME/Library/LaunchAgents/$label.plist"
log="$HOME/Library/Logs/autostart/$name.log"
cleanup() {
  launchctl bootout "$target" >/dev/null 2>&1 || true
  rm -f "$plist" "$log" "$log".[123]
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; launchctl print "$target" 2>&1 | head -40 >&2 || true; exit 1; }
tab=$(printf '\t')
field() { launchctl print "$target" 2>/dev/null | sed -n "s/^${tab}$1 = //p" | head -n 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2; shift 2
  local i=0
  until "$@"; do
    i=$((i + 1))
    [ "$i" -le $((secs * 4)) ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.25
  done
}
running() { [ "$(field state)" = "running" ] && [ -n "$(field pid)" ]; }
new_pid() { running && [ "$(field pid)" != "$1" ]; }
not_loaded() { ! launchctl print "$target" >/dev/null 2>&1; }

echo "== enable"
autostart enable "$name" --keep-alive=always --restart-delay=1s -- /bin/sleep 3600
[ -f "$plist" ] || fail "no plist at $plist"
plutil -lint "$plist" >/dev/null || fail "plutil -lint rejects $plist"
grep -q "Managed by autostart" "$plist" || fail "plist lacks the marker"
wait_for 20 "service running" running
pid1=$(field pid)
echo "running as pid $pid1"

echo "== status"
json=$(autostart status "$name" --json)
echo "$json" | grep -q '"state": "running"' || fail "status does not say running: $json"
echo "$json" | grep -q "\"pid\": $pid1" || fail "status shows another pid: $json"

echo "== kill -9, launchd restarts it"
kill -9 "$pid1"
wait_for 30 "a new pid after kill" new_pid "$pid1"
pid2=$(field pid)
echo "restarted as pid $pid2"

echo "== restart"
autostart restart "$name"
wait_for 20 "a new pid after restart" new_pid "$pid2"
pid3=$(field pid)

echo "== enable again while it runs (a changed command): launchd's bootout is asynchronous"
autostart enable "$name" --keep-alive=always --restart-delay=1s -- /bin/sleep 7200
wait_for 20 "the new version running" new_pid "$pid3"
# ProgramArguments: /bin/sh -c SCRIPT autostart-log-rotate LOG /bin/sleep 7200 (the
# wrapper that rotates the agent's log at each start, then the command as given).
[ "$(plutil -extract ProgramArguments.6 raw "$plist")" = "7200" ] || fail "the plist was not replaced"
[ "$(plutil -extract ProgramArguments.4 raw "$plist")" = "$log" ] || fail "the wrapper does not rotate $log"
kill -0 "$pid3" 2>/dev/null && fail "the old process $pid3 is still alive"
for f in "$HOME"/Library/LaunchAgents/*autostart-backup*; do
  [ ! -e "$f" ] || fail "a backup lies in ~/Library/LaunchAgents, where launchd reads it: $f"
done
pid3=$(field pid)

echo "== a log over 10 MiB is rotated at the next start; show prints the command, not the wrapper"
dd if=/dev/zero of="$log" bs=1048576 count=11 2>/dev/null
autostart restart "$name"
wait_for 20 "a new pid after restart" new_pid "$pid3"
pid3=$(field pid)
[ "$(wc -c < "$log.1")" -ge 11534336 ] || fail "$log was not moved to $log.1"
[ "$(wc -c < "$log")" -lt 1048576 ] || fail "$log is still big after the start"
show=$(autostart show "$name" --json)
echo "$show" | grep -q '"/bin/sleep"' || fail "show does not print the program: $show"
if echo "$show" | grep -q 'autostart-log-rotate'; then fail "show prints the wrapper: $show"; fi

echo "== stop (bootout; the plist stays)"
autostart stop "$name"
not_loaded || fail "still loaded right after stop (stop must wait for launchd)"
kill -0 "$pid3" 2>/dev/null && fail "pid $pid3 still alive after stop"
[ -f "$plist" ] || fail "stop removed the plist"
autostart status "$name" --json | grep -q '"state": "not-loaded"' || fail "status after stop is not not-loaded"

echo "== start"
autostart start "$name"
wait_for 20 "service running again" running

echo "== disable"
pid4=$(field pid)
autostart disable "$name"
wait_for 20 "service unloaded" not_loaded
[ ! -e "$plist" ] || fail "plist still there after disable"
kill -0 "$pid4" 2>/dev/null && fail "pid $pid4 still alive after disable"
if autostart status "$name" >/dev/null 2>&1; then fail "status still finds $name"; fi

echo "e2e_agent: ok"
