#!/usr/bin/env sh
# Installs what autostart needs on a fresh machine: Deno (from the npm registry, into
# .tools/, git-ignored) and the npm packages of deno.json. Safe to run again.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(sed -n 's/.*"deno_version": *"\([^"]*\)".*/\1/p' scripts/versions.json)
bin="$root/.tools/node_modules/deno/deno"
if [ ! -x "$bin" ] || [ "$("$bin" --version 2>/dev/null | sed -n 's/^deno \([^ ]*\).*/\1/p')" != "$version" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "setup: npm is needed to install Deno (Debian: apt-get install npm)" >&2
    exit 1
  fi
  echo "setup: installing deno $version into .tools/" >&2
  mkdir -p .tools
  npm install --silent --no-audit --no-fund --prefix .tools "deno@$version" >&2
  if [ ! -x "$bin" ]; then
    # npm may skip the package's install script; take the platform binary directly.
    found=$(ls "$root"/.tools/node_modules/@deno/*/deno 2>/dev/null | head -n 1)
    [ -n "$found" ] || { echo "setup: the deno package has no binary for this platform" >&2; exit 1; }
    ln -sf "$found" "$bin"
  fi
fi
# Fetch the npm packages of deno.json into node_modules/ now, not at first use.
"$bin" install --quiet >/dev/null 2>&1 || "$bin" install
echo "$bin"
