#!/usr/bin/env sh
# Installs what the test suite uses besides Deno, when it is missing: plistutil
# (Debian/Ubuntu package libplist-utils) to check the golden launchd plists with a second,
# independent plist parser. Idempotent: does nothing when plistutil is already there, and
# only installs as root with apt-get available (elsewhere it says what it skipped; the
# tests then print "skipped: ..." for the plistutil checks). macOS needs nothing: the
# tests use Apple's own plutil there.
set -eu
if command -v plistutil >/dev/null 2>&1; then
  exit 0
fi
if [ "$(uname -s)" = "Darwin" ]; then
  echo "ci_deps: macOS: plutil is used instead of plistutil" >&2
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "ci_deps: not root: skipped installing libplist-utils (plistutil); run with sudo to install it" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ci_deps: no apt-get: skipped installing plistutil" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq libplist-utils >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get install -y -qq libplist-utils >/dev/null
fi
command -v plistutil >/dev/null 2>&1 || { echo "ci_deps: libplist-utils installed but plistutil is missing" >&2; exit 1; }
echo "ci_deps: installed libplist-utils (plistutil)" >&2
