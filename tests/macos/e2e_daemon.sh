#!/usr/bin/env bash
# End-to-end test of the launchd-daemon driver on a real Mac (run by CI on macos-latest,
# whose runner user has password-less sudo): `sudo autostart enable --condition=boot`
# as the runner user installs a LaunchDaemon that runs as that user (UserName from
# SUDO_USER, found in Open Directory), root:wheel 0644; kill it and see launchd start it
# again; enable it again while it runs (launchd's asynchronous bootout); disable it.
# Usage: tests/macos/e2e_daemon.sh   (as a normal user with sudo; not as root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
if [ "$(uname -s)" != "Darwin" ]; then
  echo "skipped: tests/macos/e2e_daemon.sh needs macOS"
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  echo "FAIL: run tests/macos/e2e_daemon.sh as a normal user (it uses sudo itself)" >&2
  exit 1
fi
if ! sudo -n true 2>/dev/null; then
  if [ -n "${GITHUB_ACTIONS:-}" ]; then
    echo "FAIL: no password-less sudo on the CI runner" >&2
    exit 1
  fi
  echo "skipped: tests/macos/e2e_daemon.sh needs password-less sudo"
  exit 0
fi
deno=$(./scripts/setup.sh)
"$deno" run -A --quiet scripts/bundle.ts >/dev/null
me=$(id -un)
# As root: from /, with root's own HOME (Deno's cache) and no deno.json, so root
# writes nothing into the checkout or the runner's cache that later steps use.
autostart() { (cd / && sudo -H "$deno" run -A --quiet --no-config "$root/dist/autostart.js" "$@"); }

name="e2e-boot-$$"
label="dev.autostart.$name"
target="system/$label"
plist="/Library/LaunchDaemons/$label.plist"
cleanup() {
  sudo launchctl bootout "$target" >/dev/null 2>&1 || true
  sudo rm -f "$plist"
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  sudo launchctl print "$target" 2>&1 | head -40 >&2 || true
  exit 1
}
tab=$(printf '\t')
field() { sudo launchctl print "$target" 2>/dev/null | sed -n "s/^${tab}$1 = //p" | head -n 1; }
wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local secs=$1 what=$2
  shift 2
  local i=0
  until "$@"; do
    i=$((i + 1))
    [ "$i" -le $((secs * 4)) ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.25
  done
}
running() { [ "$(field state)" = "running" ] && [ -n "$(field pid)" ]; }
new_pid() { running && [ "$(field pid)" != "$1" ]; }
not_loaded() { ! sudo launchctl print "$target" >/dev/null 2>&1; }

echo "== sudo autostart enable --condition=boot (as $me)"
autostart enable "$name" --condition=boot --keep-alive=always --restart-delay=1s -- /bin/sleep 3600
[ -f "$plist" ] || fail "no plist at $plist"
[ "$(stat -f '%Su:%Sg %Lp' "$plist")" = "root:wheel 644" ] ||
  fail "plist is $(stat -f '%Su:%Sg %Lp' "$plist"), not root:wheel 644"
plutil -lint "$plist" >/dev/null || fail "plutil -lint rejects $plist"
[ "$(plutil -extract UserName raw "$plist")" = "$me" ] || fail "UserName is not $me"
[ "$(plutil -extract GroupName raw "$plist")" = "$(id -gn)" ] || fail "GroupName is not $(id -gn)"
for f in /Library/LaunchDaemons/*autostart-backup*; do
  [ ! -e "$f" ] || fail "a backup lies in /Library/LaunchDaemons, where launchd reads it: $f"
done
wait_for 20 "daemon running" running
pid1=$(field pid)
[ "$(ps -o user= -p "$pid1" | tr -d ' ')" = "$me" ] || fail "pid $pid1 does not run as $me"
echo "running as pid $pid1 (user $me)"

echo "== status (no root needed to read)"
json=$("$deno" run -A --quiet --no-config "$root/dist/autostart.js" status "$name" --json)
echo "$json" | grep -q '"state": "running"' || fail "status does not say running: $json"

echo "== kill -9, launchd restarts it"
sudo kill -9 "$pid1"
wait_for 30 "a new pid after kill" new_pid "$pid1"
pid2=$(field pid)
echo "restarted as pid $pid2"

echo "== enable again while it runs (a changed command)"
autostart enable "$name" --condition=boot --keep-alive=always --restart-delay=1s -- /bin/sleep 7200
wait_for 20 "the new version running" new_pid "$pid2"
[ "$(plutil -extract ProgramArguments.1 raw "$plist")" = "7200" ] || fail "the plist was not replaced"
kill -0 "$pid2" 2>/dev/null && fail "the old process $pid2 is still alive"
pid3=$(field pid)

echo "== disable"
autostart disable "$name" --condition=boot
not_loaded || fail "still loaded right after disable (disable must wait for launchd)"
[ ! -e "$plist" ] || fail "plist still there after disable"
kill -0 "$pid3" 2>/dev/null && fail "pid $pid3 still alive after disable"

echo "e2e_daemon: ok"
