#!/bin/sh
# Installs the autostart binary from a GitHub release:
#
#   curl -fsSL https://github.com/autostart-dev/autostart/releases/latest/download/install.sh | sh
#
# Settings (environment variables):
#   AUTOSTART_VERSION       version to install, e.g. 0.1.0 (default: latest)
#   AUTOSTART_INSTALL_DIR   where to put it (default: ~/.local/bin, or /usr/local/bin as root)
#   AUTOSTART_DOWNLOAD_URL  release downloads (default:
#                           https://github.com/autostart-dev/autostart/releases/download)
#   AUTOSTART_TARGET        target triple to install (default: detected)
#   AUTOSTART_FORCE=1       reinstall even when that version is already installed
#
# URL layout: version V is read from $AUTOSTART_DOWNLOAD_URL/vV/, "latest" from the
# sibling .../latest/download/ (GitHub redirects it to the newest release; when the
# URL does not end in /download, from $AUTOSTART_DOWNLOAD_URL/latest/). Each holds
#   SHA256SUMS                        sha256sum lines for the archives
#   autostart-V-TARGET.tar.gz         one file inside: autostart
# The version of "latest" is read from the archive names in its SHA256SUMS.
#
# The archive is checked against SHA256SUMS before anything is written; the binary is
# installed with a temporary file in the target directory and a rename, so an
# interrupted run leaves the old binary (or nothing) in place. Everything is inside
# main(), called on the last line: a truncated download runs nothing.

main() {
  set -u
  say() { printf 'autostart-install: %s\n' "$*" >&2; }
  die() {
    say "$*"
    exit 1
  }

  base=${AUTOSTART_DOWNLOAD_URL:-https://github.com/autostart-dev/autostart/releases/download}
  base=${base%/}
  version=${AUTOSTART_VERSION:-latest}
  version=${version#v}

  # --- where to install
  if [ -n "${AUTOSTART_INSTALL_DIR:-}" ]; then
    dir=$AUTOSTART_INSTALL_DIR
  elif [ "$(id -u)" = 0 ]; then
    dir=/usr/local/bin
  else
    [ -n "${HOME:-}" ] || die "HOME is not set; set AUTOSTART_INSTALL_DIR to the directory to install into"
    dir=$HOME/.local/bin
  fi
  dest=$dir/autostart

  # --- what to install
  target=${AUTOSTART_TARGET:-}
  if [ -z "$target" ]; then
    os=$(uname -s)
    arch=$(uname -m)
    case $os in
      Linux) sys=unknown-linux-gnu ;;
      Darwin)
        sys=apple-darwin
        # A shell running under Rosetta reports x86_64 on Apple silicon.
        if [ "$arch" = x86_64 ] && [ "$(sysctl -n sysctl.proc_translated 2>/dev/null)" = 1 ]; then
          arch=arm64
        fi
        ;;
      MINGW* | MSYS* | CYGWIN* | Windows*)
        die "on Windows, download autostart-VERSION-x86_64-pc-windows-msvc.zip from https://github.com/autostart-dev/autostart/releases and put autostart.exe on your PATH"
        ;;
      *) die "no prebuilt autostart for $os (there are builds for Linux, macOS and Windows); run it from source with Deno instead" ;;
    esac
    case $arch in
      x86_64 | amd64) cpu=x86_64 ;;
      aarch64 | arm64) cpu=aarch64 ;;
      *) die "no prebuilt autostart for $os on $arch (there are builds for x86_64 and aarch64)" ;;
    esac
    target=$cpu-$sys
  fi

  # --- tools
  if command -v curl >/dev/null 2>&1; then
    fetch() { curl -fsSL --retry 2 -o "$2" "$1"; }
  elif command -v wget >/dev/null 2>&1; then
    fetch() { wget -q -O "$2" "$1"; }
  else
    die "curl or wget is needed to download autostart; install one of them and run this again"
  fi
  if command -v sha256sum >/dev/null 2>&1; then
    sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
  elif command -v shasum >/dev/null 2>&1; then
    sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
  else
    die "sha256sum or shasum is needed to verify the download; install coreutils (or perl's shasum) and run this again"
  fi
  command -v tar >/dev/null 2>&1 || die "tar is needed to unpack the download; install it and run this again"

  # --- temporary files, removed on every way out
  tmp=
  partial=
  cleanup() {
    [ -z "$partial" ] || rm -f "$partial"
    [ -z "$tmp" ] || rm -rf "$tmp"
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM HUP
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/autostart-install.XXXXXX") || die "could not make a temporary directory in ${TMPDIR:-/tmp}"

  # --- the release and its checksums
  if [ "$version" = latest ]; then
    case $base in
      */download) rel=${base%/download}/latest/download ;;
      *) rel=$base/latest ;;
    esac
  else
    rel=$base/v$version
  fi
  fetch "$rel/SHA256SUMS" "$tmp/SHA256SUMS" || die "could not download $rel/SHA256SUMS; check the version (AUTOSTART_VERSION=$version) and your connection"
  if [ "$version" = latest ]; then
    version=$(sed -n "s/^[0-9a-fA-F]\{64\} [ *]autostart-\(.*\)-$target\.tar\.gz\$/\1/p" "$tmp/SHA256SUMS" | head -n 1)
    [ -n "$version" ] || die "the latest release has no archive for $target ($rel/SHA256SUMS lists none)"
  fi
  archive=autostart-$version-$target.tar.gz
  archive_re=$(printf '%s' "$archive" | sed 's/[.[\*^$]/\\&/g')
  expected=$(sed -n "s/^\([0-9a-fA-F]\{64\}\) [ *]$archive_re\$/\1/p" "$tmp/SHA256SUMS" | head -n 1 | tr 'A-F' 'a-f')
  [ -n "$expected" ] || die "release $version has no archive for $target ($rel/SHA256SUMS does not list $archive)"

  # --- already there?
  if [ -x "$dest" ] && [ "${AUTOSTART_FORCE:-}" != 1 ]; then
    have=$("$dest" --version 2>/dev/null || true)
    if [ "$have" = "autostart $version" ]; then
      say "autostart $version is already installed at $dest (AUTOSTART_FORCE=1 reinstalls it)"
      exit 0
    fi
  fi

  # --- download and verify
  say "downloading $rel/$archive"
  fetch "$rel/$archive" "$tmp/$archive" || die "could not download $rel/$archive"
  actual=$(sha256 "$tmp/$archive")
  if [ "$actual" != "$expected" ]; then
    die "checksum mismatch for $archive: expected $expected, got $actual; nothing was installed (the download is corrupt or was tampered with)"
  fi
  mkdir "$tmp/x" || die "could not make $tmp/x"
  tar -xzf "$tmp/$archive" -C "$tmp/x" || die "could not unpack $archive; nothing was installed"
  if [ ! -f "$tmp/x/autostart" ] || [ -L "$tmp/x/autostart" ]; then
    die "$archive holds no file named autostart; nothing was installed"
  fi
  chmod 755 "$tmp/x/autostart"
  got=$("$tmp/x/autostart" --version 2>&1) || die "the downloaded autostart does not run on this machine ($target): $got"

  # --- install: temporary file in the same directory, then rename
  mkdir -p "$dir" || die "could not create $dir; set AUTOSTART_INSTALL_DIR to a directory you can write"
  partial=$dir/.autostart.tmp.$$
  if ! cp "$tmp/x/autostart" "$partial" || ! chmod 755 "$partial"; then
    die "could not write to $dir; run as root, or set AUTOSTART_INSTALL_DIR to a directory you can write"
  fi
  mv -f "$partial" "$dest" || die "could not move the new binary to $dest"
  partial=
  say "installed $got at $dest"

  case ":${PATH:-}:" in
    *":$dir:"*) ;;
    *)
      say "$dir is not on your PATH; add it, e.g.:"
      say "  echo 'export PATH=\"$dir:\$PATH\"' >> ~/.profile  (then open a new shell)"
      ;;
  esac
  say "next: autostart --help; shell completion: autostart completions --help"
}

main "$@"
