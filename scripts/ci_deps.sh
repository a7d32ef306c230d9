#!/usr/bin/env sh
# Installs the programs the tests use (plistutil for plists; dash, busybox ash, shellcheck,
# ruby for `ruby -c`, zsh and fish for completion syntax checks; man-db for `man -l` of the man page; minisign for the
# installer's signature check; runit for the runit
# plugin's e2e test: Debian's `runit` package only, never `runit-init`, which would
# replace the init system; ansible-core for the Ansible playbook test of docs/fleet.md), with Debian's apt,
# when running as root and only those that are missing. Fast when all are present:
# no `apt-get update` then. Never fails the caller: a program that cannot be installed
# makes its tests skip, saying why.
set -u

# command:package pairs.
wanted="dash:dash busybox:busybox shellcheck:shellcheck ruby:ruby zsh:zsh fish:fish plistutil:libplist-utils runsvdir:runit ansible-playbook:ansible-core minisign:minisign man:man-db"

missing=""
for pair in $wanted; do
  cmd=${pair%%:*}
  pkg=${pair#*:}
  command -v "$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ci_deps: missing:$missing (not root or no apt-get: the tests that need them skip)" >&2
  exit 0
fi

echo "ci_deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # $missing is a list of package names
if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 || true
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null 2>&1 ||
    echo "ci_deps: apt-get could not install:$missing (the tests that need them skip)" >&2
fi
exit 0
