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
  autostart status [NAME...] [--fast] [--json] (alias: list)
  autostart start|stop|restart NAME
  autostart drivers [--json]
  autostart lima enable|disable|status INSTANCE [options]
  autostart completions bash|zsh|fish
  autostart help [COMMAND]
  autostart --version

Examples:
  autostart enable web -- python3 -m http.server 8080
  sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel --port 22
  autostart status
  autostart disable web

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
  --env KEY=VALUE           environment variable (repeatable)
  --env-file FILE           KEY=VALUE lines read now and stored in the service
  --cwd DIR                 working directory
  --path inherit|default    inherit (default) stores your PATH in the service;
                            default leaves the init system's own PATH
  --user USER               account a boot service runs as (default: the sudo user)
  --log-dir DIR             write the output to DIR/NAME.log
  --driver ID               use this driver (see: autostart drivers)
  --no-start                install, but do not start now
  --force                   take over a file not written by autostart (keeps a backup)
  --allow-unsafe            run as root a program that a non-root user could replace
  --dry-run                 print the files and commands, change nothing
  --json                    print the result as JSON

Examples:
  autostart enable web -- python3 -m http.server 8080
  autostart enable worker --keep-alive=always --env QUEUE=jobs -- ./worker.sh
  sudo autostart enable tunnel --condition=boot -- /usr/local/bin/tunnel
  autostart enable web --dry-run -- python3 -m http.server 8080
`,
  disable: `Usage: autostart disable NAME [options]

Stops NAME, removes it from login/boot and deletes its file.

Options:
  --condition=login|boot    which one, when NAME exists for both
  --keep-files              stop and disable, but keep the file
  --dry-run                 print the files and commands, change nothing
  --json                    print the result as JSON

Examples:
  autostart disable web
  sudo autostart disable tunnel --condition=boot
`,
  status: `Usage: autostart status [NAME...] [options]     (alias: list)

Shows the managed services and their real state, as the init system reports it.

Options:
  --condition=login|boot    only this condition
  --fast                    state and PID only, from the init system's cheapest
                            source: much faster with many services (no restarts,
                            last exit, uptime, or crash-looping)
  --json                    print as JSON

States: running, starting, stopped, failed, crash-looping, not-loaded, unknown.

Examples:
  autostart status
  autostart status web --json
  autostart status --fast
`,
  start: `Usage: autostart start NAME [--condition=login|boot]

Starts NAME now.

Example:
  autostart start web
`,
  stop: `Usage: autostart stop NAME [--condition=login|boot]

Stops NAME now. It still starts at the next login/boot; use "disable" to remove it.

Example:
  autostart stop web
`,
  restart: `Usage: autostart restart NAME [--condition=login|boot]

Restarts NAME (starts it when it is not running).

Example:
  autostart restart web
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
On Linux, --condition=boot installs a system unit that runs as the sudo user.

Options of enable:
  --condition=login|boot    when it starts (default: login; boot needs sudo)
  --keep-alive[=MODE]       true (= on-failure, default), false, always, on-failure
  --no-keep-alive           same as --keep-alive=false
  --adopt                   take over a file written by limactl (a backup is kept)
  --no-start                install, but do not start now
  --no-wait                 do not wait for the VM to boot
  --timeout=DURATION        how long to wait for the VM (default: 10m)
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
of the services autostart manages (read with "autostart status --json" as you type).

Setup:
  bash  echo 'source <(autostart completions bash)' >> ~/.bashrc
  zsh   echo 'source <(autostart completions zsh)' >> ~/.zshrc   (after compinit)
        or save it as _autostart in a directory of $fpath
  fish  autostart completions fish > ~/.config/fish/completions/autostart.fish

Homebrew installs these scripts for you.
`,
};
COMMAND_HELP.list = COMMAND_HELP.status!;
