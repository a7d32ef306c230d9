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
#   AUTOSTART_RELEASE_KEY   minisign public key the release must be signed with
#                           (default: the project's, written into released copies)
#
# URL layout: version V is read from $AUTOSTART_DOWNLOAD_URL/vV/, "latest" from the
# sibling .../latest/download/ (GitHub redirects it to the newest release; when the
# URL does not end in /download, from $AUTOSTART_DOWNLOAD_URL/latest/). Each holds
#   SHA256SUMS                        sha256sum lines for the archives
#   autostart-V-TARGET.tar.gz         autostart (installed) and its man page autostart.1
# The version of "latest" is read from the archive names in its SHA256SUMS.
#
#   SHA256SUMS.minisig                minisign signature of SHA256SUMS
#
# What is checked, honestly: downloads use https URLs only (plain http only from this
# machine, for tests); curl also refuses a redirect to http (--proto-redir =https).
# wget cannot promise that (GNU wget's --https-only, passed where it exists, is
# documented for recursive downloads; busybox wget has nothing alike). The
# archive is checked against SHA256SUMS before anything is written, but SHA256SUMS
# comes from the same server: that detects a corrupted download, not a tampered
# release. When minisign is installed, SHA256SUMS.minisig is checked against the
# release key (signed in the release workflow with a key the server does not hold),
# which does detect tampering; without minisign, the script says it could not.
#
# The binary is installed through a temporary file (mktemp) in the target directory and
# a rename, so an interrupted run leaves the old binary (or nothing) in place.
# Everything is inside main(), called on the last line: a truncated download runs
# nothing.

main() {
  set -u
  say() { printf 'autostart-install: %s\n' "$*" >&2; }
  die() {
    say "$*"
    exit 1
  }

  base=${AUTOSTART_DOWNLOAD_URL:-https://github.com/autostart-dev/autostart/releases/download}
  base=${base%/}
  # The release workflow writes the project's minisign public key here.
  release_key=''
  release_key=${AUTOSTART_RELEASE_KEY:-$release_key}
  case $base in
    https://*) proto='=https' ;;
    http://127.0.0.1[:/]* | http://localhost[:/]* | 'http://[::1]'[:/]*) proto='=http,https' ;;
    *) die "refusing to download from $base: only https is accepted (plain http could be changed on the way)" ;;
  esac
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
    fetch() { curl -fsSL --proto "$proto" --proto-redir "$proto" --retry 2 -o "$2" "$1"; }
  elif command -v wget >/dev/null 2>&1; then
    # GNU wget: --https-only where it exists; busybox wget has no such option.
    if [ "$proto" = '=https' ] && wget --help 2>&1 | grep -q -e '--https-only'; then
      fetch() { wget -q --https-only -O "$2" "$1"; }
    else
      fetch() { wget -q -O "$2" "$1"; }
    fi
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
  # --- the signature of SHA256SUMS, where minisign can check it
  if ! command -v minisign >/dev/null 2>&1; then
    say "minisign is not installed: the download is checked against SHA256SUMS only, which detects corruption, not tampering (install minisign to check the release signature)"
  elif [ -z "$release_key" ]; then
    say "this copy of install.sh carries no release key (it is not from a release; set AUTOSTART_RELEASE_KEY): the signature is not checked"
  else
    fetch "$rel/SHA256SUMS.minisig" "$tmp/SHA256SUMS.minisig" || die "could not download $rel/SHA256SUMS.minisig (the signature of SHA256SUMS); nothing was installed"
    minisign -V -q -P "$release_key" -m "$tmp/SHA256SUMS" -x "$tmp/SHA256SUMS.minisig" >/dev/null 2>&1 ||
      die "the signature of $rel/SHA256SUMS does not verify with the release key: the release was changed after it was signed, or the key is wrong; nothing was installed"
    say "signature of SHA256SUMS verified (minisign)"
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
    die "checksum mismatch for $archive: expected $expected, got $actual; nothing was installed (the download is corrupt, or it was changed on the way or on the server)"
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
  partial=$(mktemp "$dir/.autostart.XXXXXX") || {
    partial=
    die "could not write to $dir; run as root, or set AUTOSTART_INSTALL_DIR to a directory you can write"
  }
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
