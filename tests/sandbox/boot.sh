#!/usr/bin/env bash
# Boots systemd as PID 1 of the private mount+pid namespace this script runs in, on an
# overlay of / whose upper layer is a tmpfs. Run through:
#   setsid unshare --mount --pid --fork --propagation private tests/sandbox/boot.sh DIR [BIND...]
# Each BIND is a host directory made visible at the same path inside (after the box's
# private /tmp and /run are mounted). The host is never touched: / is only a lower layer.
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"
mount -t tmpfs -o mode=0755 tmpfs "$dir"
mkdir -p "$dir/upper" "$dir/work" "$dir/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/work" "$dir/root"
r=$dir/root
mount --rbind /dev "$r/dev"
mount --rbind /sys "$r/sys"
mount -t proc proc "$r/proc"
mount -t tmpfs -o mode=0755 tmpfs "$r/run"
mount -t tmpfs -o mode=1777 tmpfs "$r/tmp"
for b in "$@"; do
  mkdir -p "$r$b"
  mount --bind "$b" "$r$b"
done
mask=(
  systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service
  systemd-tmpfiles-setup-dev-early.service systemd-tmpfiles-clean.service
  systemd-tmpfiles-clean.timer systemd-sysctl.service systemd-binfmt.service
  systemd-modules-load.service systemd-remount-fs.service systemd-sysusers.service
  getty@.service serial-getty@.service console-getty.service getty.target
  systemd-timesyncd.service systemd-firstboot.service systemd-udevd.service
  systemd-udev-trigger.service systemd-udev-settle.service timers.target
  apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer
  systemd-journald-audit.socket systemd-networkd.service systemd-resolved.service
  cron.service ssh.service systemd-hwdb-update.service systemd-journal-flush.service
  ldconfig.service systemd-update-utmp.service systemd-random-seed.service
  proc-sys-fs-binfmt_misc.automount sys-kernel-debug.mount sys-kernel-tracing.mount
  sys-kernel-config.mount sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount
  systemd-pstore.service systemd-boot-system-token.service
  # Boxes share the host's network: a second box's PostgreSQL cannot bind 5432 and
  # holds up the boot until it times out.
  postgresql.service postgresql@.service
)
mkdir -p "$r/etc/systemd/system"
for u in "${mask[@]}"; do
  ln -sf /dev/null "$r/etc/systemd/system/$u"
done
# Daemons installed on the host (a database, a web server...) are not started in the box:
# they are not needed, and one that hangs at start keeps the box from finishing its boot.
# The overlay's upper layer takes the removal; the host's own links are untouched.
for w in "$r"/etc/systemd/system/multi-user.target.wants/*; do
  [ -e "$w" ] || [ -L "$w" ] || continue
  rm -f "$w"
done
# The box shares the host's kernel log: its journald would replay and follow it, and
# under load that backlog delays the services' own output. Services' logs are all that
# tests read, so the box's journald leaves the kernel log alone.
mkdir -p "$r/etc/systemd/journald.conf.d"
printf '[Journal]\nReadKMsg=no\n' >"$r/etc/systemd/journald.conf.d/autostart-sandbox.conf"
# Read by the test harness to know the box is ours.
echo autostart-sandbox >"$r/etc/autostart-sandbox"
# Each box's systemd gets a cgroup subtree of its own, named after the box's directory.
# systemd takes the cgroup it starts in as the root of all it manages: started in the
# host's root cgroup, two boxes at once (two test runs) would share
# /system.slice/autostart-NAME.service and /user.slice/user-UID.slice, and one box's
# stop would remove the cgroups of the other's user manager (219/CGROUP).
# tests/sandbox.ts removes the subtree when the box stops.
cg=${dir##*/}
for h in /sys/fs/cgroup /sys/fs/cgroup/systemd /sys/fs/cgroup/unified; do
  [ -e "$h/cgroup.procs" ] || continue # cgroup v2 at /sys/fs/cgroup, or v1 + hybrid
  mkdir -p "$h/$cg"
  echo 0 >"$h/$cg/cgroup.procs" || {
    echo "sandbox: cannot move into cgroup $h/$cg" >&2
    exit 1
  }
done
exec chroot "$r" /lib/systemd/systemd --system --unit=multi-user.target </dev/null >/dev/null 2>&1
