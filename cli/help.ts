/**
 * Help text of every command, with examples.
 *
 * @module
 */

/** Help shown by `autostart --help`. */
export const MAIN_HELP =
  `autostart: start any program at login or at boot, and keep it alive

Usage:
  autostart enable NAME [options] -- COMMAND [ARGS...]
  autostart disable NAME [--condition=login|boot] [--keep-files] [--dry-run]
  autostart disable --all [--condition=login|boot] [--yes]
  autostart status [NAME...] [--fast] [--json] (alias: list)
  autostart start|stop|restart NAME [--wait=DURATION | --no-wait]
  autostart logs NAME [-f] [-n LINES] [--since TIME] [--all]
  autostart show NAME [--file] [--reveal] [--json]
  autostart export [NAME...] [--condition=login|boot] > services.json
  autostart apply FILE [--prune] [--check] [--json]
  autostart doctor [--json]
  autostart drivers [--json]
  autostart lima enable|disable|status INSTANCE [options]
  autostart completions bash|zsh|fish
  autostart help [COMMAND]
  autostart --version

Examples:
  autostart enable web -- python3 -m http.server 8080
  sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel --port 22
  autostart status
  autostart logs web -f
  autostart doctor
  autostart disable web

Global option:
  --plugin PATH_OR_URL      load a driver plugin (repeatable; also AUTOSTART_PLUGINS,
                            paths separated by ":"); see plugins/README.md. As root:
                            AUTOSTART_PLUGINS is ignored, a file must be one only
                            root can change, a URL must be https://...#sha256-BASE64

Exit codes: 0 ok, 1 the operation failed, 2 invalid input (nothing written),
3 not supported here. Run "autostart COMMAND --help" for the options of a command.
`;

/** Help of each command. */
export const COMMAND_HELP: Record<string, string> = {
  enable: `Usage: autostart enable NAME [options] -- COMMAND [ARGS...]

Installs NAME so it starts at login (default) or at boot, and starts it now.
Running it again with the same NAME updates the service; with the same
settings it changes nothing and says so.

Options:
  --condition=login|boot    when it starts (default: login; boot needs sudo)
  --keep-alive[=MODE]       true (= on-failure, default), false, always, on-failure
  --no-keep-alive           same as --keep-alive=false
  --restart-delay=DURATION  pause before a restart, e.g. 2s (default), 500ms
                            (at least 100ms)
  --restart-max-delay=DURATION
                            a crash loop doubles the pause after each restart
                            up to this (default 1m; equal to --restart-delay:
                            no backoff); launchd has no backoff
  --stop-timeout=DURATION   on stop, wait this long after SIGTERM before SIGKILL,
                            e.g. 30s, 3m10s (default: the init system's own)
  --env KEY=VALUE           environment variable (repeatable); written into the
                            service file, which every user can read: no secrets
  --env-file FILE           .env file (NAME=VALUE, 'single' or "double" quotes,
                            export, # comments), read now; its values are kept in
                            a copy only the service's user and root can read
  --cwd DIR                 working directory
  --path inherit|default    inherit (default) stores your PATH in the service;
                            default leaves the init system's own PATH
  --user USER               account a boot service runs as (default: the sudo user)
  --log-dir DIR             write the output to DIR/NAME.log (boot services: DIR
                            and the directories above it must be root's only;
                            on systemd rotated at start when over 10 MiB)
  --driver ID               use this driver (see: autostart drivers)
  --no-start                install, but do not start now
  --wait=DURATION           after starting, wait this long for it to be running
                            or to fail (default 5s); on failure show the last
                            log lines and exit 1 (the service stays installed)
  --no-wait                 start it and return at once
  --force                   take over a file not written by autostart (keeps a backup)
  --allow-unsafe            run as root what a non-root user could change (the
                            program, PATH entries, --cwd, file arguments, LD_*)
  --dry-run                 print the files and commands, change nothing
  --json                    print the result as JSON

Examples:
  autostart enable web -- python3 -m http.server 8080
  autostart enable worker --keep-alive=always --env QUEUE=jobs -- ./worker.sh
  sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel
  autostart enable web --dry-run -- python3 -m http.server 8080
`,
  disable: `Usage: autostart disable NAME [options]
       autostart disable --all [--condition=login|boot] [--yes] [options]

Stops NAME, removes it from login/boot and deletes its file.

With --all, does that to every service autostart manages in one scope: the
--condition given, else login services (boot services under sudo). It asks
first on a terminal; elsewhere it needs --yes.

Options:
  --condition=login|boot    which one, when NAME exists for both
  --all                     every managed service of the scope
  -y, --yes                 do not ask (needed with --all when not on a terminal)
  --keep-files              stop and disable, but keep the file
  --dry-run                 print the files and commands, change nothing
  --json                    print the result as JSON

Examples:
  autostart disable web
  sudo autostart disable tunnel --condition=boot
  autostart disable --all
  sudo autostart disable --all --condition=boot --yes
`,
  status: `Usage: autostart status [NAME...] [options]     (alias: list)

Shows the managed services and their real state, as the init system reports it.

Columns: NAME, STATE, PID, UPTIME, RESTARTS (since it was last started),
LAST EXIT (how its last run ended), CONDITION, DRIVER. Colour only on a terminal,
never with NO_COLOR.

States:
  running        its process is up
  starting       being started, or waiting to be restarted after an exit
  stopped        not running, and did not fail (stopped, or exited with 0)
  failed         its last run failed and it is not being restarted
  crash-looping  it keeps dying and being restarted (3 restarts or more)
  not-loaded     its file exists but the init system has not loaded it
  unknown        the init system could not be asked
  "(drifted)" after a state: its file was edited by hand since autostart wrote it

Options:
  --condition=login|boot    only this condition
  --fast                    state and PID only, from the init system's cheapest
                            source: much faster with many services (no restarts,
                            last exit, uptime, or crash-looping)
  --json                    print as JSON (schema: docs/json.md)

Examples:
  autostart status
  autostart status web --json
  NO_COLOR=1 autostart status
  autostart status --fast
`,
  start: `Usage: autostart start NAME [options]

Starts NAME now, then waits until it is running or has failed.

Options:
  --condition=login|boot    which one, when NAME exists for both
  --wait=DURATION           how long to wait for it (default 5s)
  --no-wait                 return at once
  --json                    print the result as JSON

Examples:
  autostart start web
  autostart start web --wait=30s
`,
  stop: `Usage: autostart stop NAME [--condition=login|boot] [--json]

Stops NAME now. It still starts at the next login/boot; use "disable" to remove it.

Example:
  autostart stop web
`,
  restart: `Usage: autostart restart NAME [options]

Restarts NAME (starts it when it is not running), then waits until it is running
or has failed.

Options:
  --condition=login|boot    which one, when NAME exists for both
  --wait=DURATION           how long to wait for it (default 5s)
  --no-wait                 return at once
  --json                    print the result as JSON

Examples:
  autostart restart web
  autostart restart web --no-wait
`,
  logs: `Usage: autostart logs NAME [options]

Shows the output of NAME: from the journal on systemd (or its --log-dir file),
from its log file on macOS. With -f, keeps showing new lines until Ctrl-C.
Only the program's own lines, unless --all: then the init system's notes about
it too (started, exited with status 1, scheduled restart...).

Options:
  -n, --lines=N             how many recent lines of the program (default 100)
  --all                     include the init system's notes (systemd journal)
  -f, --follow              keep showing new lines; Ctrl-C stops (exit 0)
  --since=TIME              only lines since TIME (systemd journal only):
                            10m, 2h, 1d, "today", "2024-05-01 10:00"
  --condition=login|boot    which one, when NAME exists for both

Examples:
  autostart logs web
  autostart logs web -n 20
  autostart logs web -f
  autostart logs web --since 1h
  autostart logs web --all -n 20
`,
  doctor: `Usage: autostart doctor [--json]

Checks what makes services start or not: the init system is reachable (on
systemd: the user manager, XDG_RUNTIME_DIR, the user bus), lingering for login
services, unit/plist directories writable, PATH of the service manager against
yours, managed files edited by hand (drifted) or orphaned, plugins that failed
to load. Each problem comes with how to fix it.

Exit 0 when nothing fails (warnings allowed), 1 when a check fails.

Options:
  --json                    print as JSON (schema: docs/json.md)

Examples:
  autostart doctor
  autostart doctor --json
`,
  drivers: `Usage: autostart drivers [--json]

Lists the drivers: platforms, conditions, keep-alive modes, and whether each is
available here (and why not).

Example:
  autostart drivers --json
`,
  lima: `Usage: autostart lima enable INSTANCE [options]
       autostart lima disable INSTANCE [--condition=login|boot] [--adopt]
       autostart lima status [INSTANCE] [--json]

Starts a Lima VM at login or at boot with the files limactl itself writes
(io.lima-vm.autostart.INSTANCE / io.lima-vm.daemon.INSTANCE for launchd,
lima-vm@INSTANCE.service for systemd), so "limactl start/stop" keep working.
The service gets a PATH that finds limactl and qemu, and LIMA_HOME when it is set.
On Linux, --condition=boot installs a system unit, lima-vm-boot@INSTANCE.service,
that runs as the sudo user. Keep-alive "always" is refused: "limactl stop" ends
the VM with exit code 0, and "always" would start it again.

Options of enable:
  --condition=login|boot    when it starts (default: login; boot needs sudo)
  --keep-alive[=MODE]       true (= on-failure, default), false, always, on-failure
  --no-keep-alive           same as --keep-alive=false
  --adopt                   take over a file written by limactl (a backup is kept)
  --no-start                install, but do not start now
  --no-wait                 do not wait for the VM to boot
  --timeout=DURATION        how long to wait for the VM (default: 10m)
  --stop-timeout=DURATION   how long a stop waits for the VM to shut down before
                            SIGKILL (default: 3m10s, as long as "limactl stop" waits)
  --dry-run                 print the files and commands, change nothing
  --json                    print the result as JSON

Examples:
  autostart lima enable default
  sudo autostart lima enable default --condition=boot
  autostart lima status default
  autostart lima disable default
`,
  completions: `Usage: autostart completions bash|zsh|fish

Prints a shell completion script: commands, options, option values, and the names
of the services autostart manages (read as you type with the cheap
"autostart status --fast --json").

Setup:
  bash  echo 'source <(autostart completions bash)' >> ~/.bashrc
  zsh   echo 'source <(autostart completions zsh)' >> ~/.zshrc   (after compinit)
        or save it as _autostart in a directory of $fpath
  fish  autostart completions fish > ~/.config/fish/completions/autostart.fish

Homebrew installs these scripts for you.
`,
};
COMMAND_HELP.show = `Usage: autostart show NAME [options]

Shows what NAME runs, read back from the file autostart wrote: the command and
its arguments, working directory, environment, condition, keep-alive, restart
delay, account, log directory, the file and the state. Values of variables whose
names look secret (TOKEN, SECRET, PASSWORD, KEY, ...) are masked.

Options:
  --condition=login|boot    which one, when NAME exists for both
  --file                    print the file itself (secret values masked)
  --reveal                  show secret-looking values as they are
  --json                    print as JSON

Examples:
  autostart show web
  autostart show web --file
  sudo autostart show tunnel --json --reveal
`;
COMMAND_HELP.export =
  `Usage: autostart export [NAME...] [--condition=login|boot]

Prints a manifest (JSON, schema: docs/manifest.schema.json) of the services
autostart manages, read from the files it wrote. "autostart apply" of it on
another machine recreates the same services.

Options:
  --condition=login|boot    only this condition

Examples:
  autostart export > services.json
  sudo autostart export --condition=boot > boot-services.json
`;
COMMAND_HELP.apply = `Usage: autostart apply FILE [options]

Makes this machine match a manifest (see "autostart export"): creates what is
missing, updates what differs, leaves what is equal untouched (no reload, no
restart). Relative paths in the manifest are relative to its directory; FILE -
reads standard input. Exit 0 when converged, 1 when a service failed (the
others are still applied), 2 for an invalid manifest (nothing applied).

Options:
  --prune                   also disable managed services the manifest lacks
                            (never files autostart did not write)
  --check                   change nothing; report what would change
  --condition=login|boot    only the services of this condition (and, with
                            --prune, only this scope)
  --json                    print {"changed": ..., "services": [...]}

Examples:
  autostart apply services.json
  autostart apply services.json --check
  sudo autostart apply services.json --condition=boot --prune --json
`;
COMMAND_HELP.list = COMMAND_HELP.status!;
