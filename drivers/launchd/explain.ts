/**
 * Translation of launchctl's error numbers into what happened and what to do next.
 *
 * @module
 */

import type { CommandResult } from "../../core/runner.ts";
import { UNTIL_TIMEOUT } from "../../core/run_step.ts";
import { LABEL_PREFIX } from "../../templates/launchd_plist.ts";
import { LAUNCHCTL_PATH } from "./paths.ts";
import { HINT_USE_SUDO } from "../../core/errors.ts";

/** The launchd error number in a launchctl failure ("Bootstrap failed: 5: ..."). */
function errorNumber(r: CommandResult): number {
  const m = /failed: (\d+):/.exec(r.stderr) ?? /^(\d+): /m.exec(r.stderr);
  return m ? Number(m[1]) : r.code;
}

/**
 * Translates a failed launchctl command into what happened and what to do.
 *
 * @example Usage
 * ```ts
 * import { explainLaunchctl } from "./explain.ts";
 * const x = explainLaunchctl(["launchctl", "kickstart", "gui/501/dev.autostart.web"],
 *   { code: 113, stdout: "", stderr: "Could not find service" });
 * console.assert(x?.message?.includes("not loaded"));
 * ```
 */
export function explainLaunchctl(
  argv: string[],
  r: CommandResult,
): { message?: string; hint?: string } | undefined {
  if (argv[0] !== "launchctl" && argv[0] !== LAUNCHCTL_PATH) return undefined;
  const sub = argv[1] ?? "";
  const target = argv.find((a) => /^(gui\/\d+|system)\/./.test(a)) ?? "";
  const domain = sub === "bootstrap"
    ? argv[2] ?? ""
    : target.replace(/\/[^/]*$/, "");
  const plist = sub === "bootstrap" ? argv[3] ?? "" : "";
  const label = target.slice(domain.length + 1) ||
    (plist.split("/").pop() ?? "").replace(/\.plist$/, "");
  const name = label.startsWith(LABEL_PREFIX)
    ? label.slice(LABEL_PREFIX.length)
    : label;
  const daemon = domain === "system";
  if (sub === "print" && r.code === UNTIL_TIMEOUT) {
    return {
      message:
        `launchd still has the job ${label} in ${domain}: it has not exited since it was told to stop (launchd sends SIGTERM, then SIGKILL after its ExitTimeOut)`,
      hint: `see what it is doing with: ${
        daemon ? "sudo " : ""
      }launchctl print ${target}; then run the same command again`,
    };
  }
  const n = errorNumber(r);
  switch (n) {
    case 5:
      // launchd tells only root why; a user hears 5 for every cause, among them a
      // gui/UID domain without a desktop session (logged in over ssh).
      if (sub === "bootstrap" && domain.startsWith("gui/")) {
        return {
          message:
            `launchd refused to load the plist (error 5, Input/output error), also after waiting: there may be no desktop login session for ${domain} (ssh sessions have none), the plist may be invalid, or launchd still holds the previous job of this label`,
          hint:
            `\`launchctl print ${domain}\` fails when there is no desktop session: then log in to the Mac's desktop as this user, or use --condition=boot for a service started at boot; else check the plist with: plutil -lint ${
              plist || "PLIST"
            }, and what launchd holds with: launchctl print ${domain}/${label}`,
        };
      }
      return sub === "bootstrap"
        ? {
          message:
            "launchd refused to load the plist (error 5, Input/output error), also after waiting: the plist may be invalid, or launchd still holds the previous job of this label",
          hint: `check the plist with: plutil -lint ${
            plist || "PLIST"
          }, and what launchd holds with: ${
            daemon ? "sudo " : ""
          }launchctl print ${
            domain || "DOMAIN"
          }/${label}; then run the same command again`,
        }
        : {
          message:
            "launchd could not complete the request (error 5, Input/output error)",
          hint: "wait a few seconds and run the same command again",
        };
    case 37:
      return {
        message:
          "launchd is still busy with this service (error 37, Operation already in progress)",
        hint: "wait a few seconds and run the same command again",
      };
    case 113:
      return {
        message:
          `launchd has no service ${label} loaded in ${domain} (error 113, Could not find specified service)`,
        hint:
          `load and start it with: autostart start ${name}; see its state with: autostart status ${name}`,
      };
    case 119:
      return {
        message:
          `the service is disabled in launchd's overrides (error 119, Service is disabled)`,
        hint: `enable it again with: ${
          daemon ? "sudo " : ""
        }launchctl enable ${domain}/${label}, then run the same command again`,
      };
    case 3:
      return {
        message:
          "the service has no process to act on (error 3, No such process): it is not running or not loaded",
        hint: `see its state with: autostart status ${name}`,
      };
    case 122:
      return {
        message:
          "launchd refused the plist because of its ownership or permissions (error 122)",
        hint: daemon
          ? `a LaunchDaemon must be owned by root:wheel and not writable by others: sudo chown root:wheel ${
            plist || "PLIST"
          } && sudo chmod 644 ${plist || "PLIST"}`
          : `a LaunchAgent must be owned by you and not writable by others: chmod 644 ${
            plist || "PLIST"
          }`,
      };
    case 112:
    case 125:
      return {
        message: daemon
          ? `launchd has no domain ${domain} here (error ${n})`
          : `there is no GUI login session for ${domain} (error ${n}): LaunchAgents run in the desktop session of a logged-in user, which ssh sessions do not have`,
        hint: daemon
          ? "run the command on the Mac itself with sudo"
          : "log in to the Mac's desktop as this user and run it again, or use --condition=boot for a service started at boot",
      };
    case 109:
      return {
        message: "launchd says the plist is invalid (error 109)",
        hint: `check it with: plutil -lint ${plist || "PLIST"}`,
      };
    case 111:
      return {
        message: "launchd says the program is missing or invalid (error 111)",
        hint:
          "check that the program exists and is executable, then enable the service again",
      };
    case 114:
    case 115:
      return {
        message: `launchd does not know the ${
          n === 114 ? "user" : "group"
        } the service runs as (error ${n})`,
        hint: "enable it again with --user NAME of an existing account",
      };
    case 1:
    case 150:
      if (/not permitted|privilege/i.test(r.stderr)) {
        return { hint: HINT_USE_SUDO };
      }
      return undefined;
    default:
      return undefined;
  }
}
