#!/usr/bin/env bash
# The test command of README.md: sets up Deno, builds the bundle that e2e tests run,
# runs every test (unit, golden, e2e in a sandboxed real systemd when root), and ends
# with one plain line "N passed, N failed, N skipped". Extra arguments go to `deno test`.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
deno=$(./scripts/setup.sh) || { echo "0 passed, 1 failed"; exit 1; }
# Test tools from Debian (plistutil, dash, busybox, shellcheck, ruby, zsh, fish, runit)
# when running as root and they are missing; tests that still lack one skip, saying why.
./scripts/ci_deps.sh >&2 || true
"$deno" run -A --quiet scripts/bundle.ts >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$deno" test -A "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# deno's closing line: "ok | 12 passed (3 steps) | 0 failed | 2 ignored (1s)"
# (ESC from printf: macOS's sed knows no \x escapes.)
esc=$(printf '\033')
summary=$(sed "s/${esc}\[[0-9;]*m//g" "$log" | grep -E '^(ok|FAILED) \| ' | tail -n 1)
passed=$(printf '%s' "$summary" | sed -n 's/.* \([0-9][0-9]*\) passed.*/\1/p')
failed=$(printf '%s' "$summary" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
ignored=$(printf '%s' "$summary" | sed -n 's/.* \([0-9][0-9]*\) ignored.*/\1/p')
if [ -z "$summary" ]; then
  echo "0 passed, 1 failed"
  exit 1
fi
echo "${passed:-0} passed, ${failed:-0} failed, ${ignored:-0} skipped"
[ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ]
