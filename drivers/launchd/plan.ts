/**
 * The plans of the launchd drivers: enable, disable, start, stop and restart, as
 * `launchctl` command lines (never legacy `load`/`unload`) and file steps. Backups of
 * replaced plists go to `Library/Application Support/autostart/backups`, never beside
 * the plist: launchd reads every file in its directories.
 *
 * @module
 */

import type { PlanContext } from "../../core/context.ts";
import type {
  ControlAction,
  PriorState,
  ServiceRef,
} from "../../core/driver.ts";
import {
  envCopyPath,
  envCopyRemoveStep,
  envCopySteps,
  envFileNote,
  envShellCommand,
} from "../../core/env_file.ts";
import { UsageError } from "../../core/errors.ts";
import type { Plan, Step } from "../../core/plan.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { wantsBackoff } from "../../templates/backoff_sh.ts";
import {
  buildLaunchdPlist,
  LAUNCHD_MARKER_TEXT,
  type PlistCodec,
  renderLaunchdPlist,
  throttleSeconds,
} from "../../templates/launchd_plist.ts";
import {
  NEWSYSLOG_DIR,
  NEWSYSLOG_MARKER_TEXT,
  newsyslogPath,
  renderNewsyslogConf,
} from "../../templates/newsyslog_conf.ts";
import {
  bootoutAndWait,
  bootstrap,
  launchctl,
  UNKNOWN_EXIT_TIMEOUT_MS,
} from "./launchctl.ts";
import {
  backupDir,
  defaultLogDir,
  KINDS,
  labelOf,
  launchdDomain,
  type LaunchdKind,
  plistDir,
  plistPath,
  requireRoot,
  serviceTarget,
} from "./paths.ts";

/** What a plan needs to know of its driver. */
export interface LaunchdDriverId {
  /** Driver id (`launchd-agent`, `launchd-daemon`). */
  id: string;
  /** Agent or daemon. */
  kind: LaunchdKind;
}

/**
 * The steps that install and start a service (`enable`): `bootout TARGET` (not loaded
 * is fine), wait until it is gone, write the plist, `enable TARGET`, `bootstrap DOMAIN
 * PLIST` (skipped with `--no-start`: the plist is then loaded at the next login/boot, or
 * by `autostart start`). Pure.
 *
 * @param driver The driver's id and kind.
 * @param codec The plist serializer (loaded by the driver's `prepare()`).
 * @throws {UsageError} A daemon planned without root, or a spec of the other condition.
 */
export function planEnable(
  driver: LaunchdDriverId,
  codec: PlistCodec | undefined,
  spec: ServiceSpec,
  ctx: PlanContext,
  prior?: PriorState,
): Plan {
  const k = driver.kind;
  requireRoot(k, ctx, "Installing");
  if (spec.condition !== KINDS[k].condition) {
    throw new UsageError(
      `${driver.id} serves condition "${
        KINDS[k].condition
      }", not "${spec.condition}"`,
    );
  }
  if (codec === undefined) {
    throw new TypeError(
      `${driver.id}: call \`await driver.prepare(ctx)\` before plan()`,
    );
  }
  const domain = launchdDomain(k, ctx);
  const target = serviceTarget(k, ctx, spec);
  const path = plistPath(k, ctx, spec);
  const logDir = spec.logDir ?? defaultLogDir(k, ctx);
  // Who opens StandardOutPath for a daemon is not documented: root (reported for
  // today's launchd, without O_NOFOLLOW) or the UserName user (launchd's last open
  // source). Safe either way: the directory stays root's (never handed to the
  // service's user, refused when another user could change it), and the file is
  // the user's, made in advance, where the user cannot swap it for a symlink.
  const secure = k === "daemon" ? { secure: true } : {};
  // launchd has no EnvironmentFile, and what a plist's EnvironmentVariables hold is
  // shown by `launchctl print` ("environment = {...}"), which anyone may run on the
  // system domain (launchctl(1)). So the env file's values are a 0600 copy read by
  // /bin/sh, running as the service's user, before it execs the program.
  const copy = spec.envFile === undefined ? undefined : envCopyPath(spec, ctx);
  const runAs = k === "daemon" && spec.runAs && spec.runAs.uid !== 0
    ? { uid: spec.runAs.uid, gid: spec.runAs.gid }
    : undefined;
  const { envFile: _, ...plain } = spec;
  const obj = buildLaunchdPlist(
    copy === undefined ? spec : {
      ...plain,
      program: "/bin/sh",
      args: envShellCommand(copy, [spec.program, ...spec.args]).slice(1),
    },
    {
      label: labelOf(spec),
      logFile: `${logDir}/${spec.name}.log`,
      daemon: k === "daemon",
    },
  );
  // The job being replaced exits within its own plist's ExitTimeOut, which the plan
  // does not know (an earlier enable may have set a longer one, or a hand edit): wait
  // as long as for stop/disable, or the new stop timeout when that is longer. The
  // wait ends as soon as launchd answers 113, so the bound costs nothing otherwise.
  const exitTimeoutMs = Math.max(
    UNKNOWN_EXIT_TIMEOUT_MS,
    spec.stopTimeoutMs ?? 0,
  );
  const steps: Step[] = [
    { kind: "mkdir", path: plistDir(k, ctx), ...secure },
    { kind: "mkdir", path: logDir, ...secure },
    ...(runAs
      ? [{
        kind: "create" as const,
        path: `${logDir}/${spec.name}.log`,
        mode: 0o644,
        owner: runAs,
      }]
      : []),
    // A rollback puts the previous plist back and loads it again if it was running.
    ...bootoutAndWait(
      target,
      exitTimeoutMs,
      "unload the previous version",
      prior?.running ? { undo: ["launchctl", "bootstrap", domain, path] } : {},
    ),
    {
      kind: "write",
      path,
      content: renderLaunchdPlist(obj, codec),
      mode: 0o644,
      ...(k === "daemon" ? { owner: { uid: 0, gid: 0 } } : {}),
      marker: LAUNCHD_MARKER_TEXT,
      backupDir: backupDir(k, ctx),
    },
    // The copy, owned by the user the program runs as (who reads it).
    ...envCopySteps(spec, ctx, runAs),
    // A copy left by an earlier enable with --env-file goes with it.
    ...(prior !== undefined && copy === undefined
      ? [envCopyRemoveStep(spec, ctx)]
      : []),
    launchctl(["enable", target], "enable the service"),
  ];
  const notes: string[] = copy === undefined ? [] : envFileNote(
    spec,
    `${copy} (mode 0600; launchd has no EnvironmentFile key, so /bin/sh reads it at each start, as the service's user, before the program)`,
  );
  if (wantsBackoff(spec)) {
    notes.push(
      `launchd has no backoff: "${spec.name}" is restarted at most every ${
        throttleSeconds(spec.restartDelayMs)
      }s (ThrottleInterval) however long it keeps crashing; --restart-max-delay has no effect here`,
    );
  }
  // A daemon's log is rotated by newsyslog (root's); an agent's, which newsyslog
  // cannot take without sudo, by the wrapper its plist runs the program through
  // (templates/launchd_log_wrapper.ts). doctor watches the size of both.
  if (k === "daemon" && spec.identity === undefined) {
    const owner = spec.runAs
      ? `${spec.runAs.name}:${spec.runAs.group}`
      : "root:wheel";
    const conf = renderNewsyslogConf(
      spec.name,
      `${logDir}/${spec.name}.log`,
      owner,
    );
    if (conf !== null) {
      steps.splice(
        steps.length - 1,
        0,
        { kind: "mkdir", path: NEWSYSLOG_DIR },
        {
          kind: "write",
          path: newsyslogPath(labelOf(spec)),
          content: conf,
          mode: 0o644,
          owner: { uid: 0, gid: 0 },
          marker: NEWSYSLOG_MARKER_TEXT,
          // newsyslog reads every file of its directory: backups go elsewhere.
          backupDir: backupDir(k, ctx),
        },
      );
    } else {
      notes.push(
        `newsyslog cannot rotate ${logDir}/${spec.name}.log (its path has a space): it grows until you trim it; autostart doctor warns over 50 MiB`,
      );
    }
  }
  if (spec.start) {
    steps.push(
      bootstrap(domain, path, "load and start the service", {
        undo: ["launchctl", "bootout", target],
      }),
    );
  } else {
    notes.push(
      `"${spec.name}" is not loaded now (--no-start): launchd loads it at the next ${
        k === "daemon" ? "boot" : "login"
      }, or now with: autostart start ${spec.name}`,
    );
  }
  return {
    driver: driver.id,
    service: spec.name,
    steps,
    ...(notes.length ? { notes } : {}),
  };
}

/**
 * The steps that stop and remove a service (`disable`): `bootout TARGET`, wait until it
 * is gone, then remove the plist (`keepFiles`: `disable TARGET` instead, so the kept
 * plist is not loaded at the next login/boot). Pure.
 */
export function planDisable(
  driver: LaunchdDriverId,
  ref: ServiceRef,
  ctx: PlanContext,
  options: { keepFiles?: boolean } = {},
): Plan {
  const k = driver.kind;
  requireRoot(k, ctx, "Removing");
  const target = serviceTarget(k, ctx, ref);
  const steps: Step[] = bootoutAndWait(
    target,
    UNKNOWN_EXIT_TIMEOUT_MS,
    "stop and unload the service",
    { ignoreFailure: true },
  );
  if (options.keepFiles) {
    steps.push(
      launchctl(["disable", target], "keep launchd from loading it again"),
    );
  } else {
    steps.push({
      kind: "remove",
      path: plistPath(k, ctx, ref),
      marker: LAUNCHD_MARKER_TEXT,
      // A plist edited by hand is kept before removal, where launchd does not look.
      backupDir: backupDir(k, ctx),
    }, envCopyRemoveStep(ref, ctx));
    if (k === "daemon" && ref.identity === undefined) {
      steps.push({
        kind: "remove",
        path: newsyslogPath(labelOf(ref)),
        marker: NEWSYSLOG_MARKER_TEXT,
      });
    }
  }
  return { driver: driver.id, service: ref.name, steps };
}

/**
 * The steps of `start`, `stop` and `restart`. Pure.
 * - start: `enable TARGET`, `bootstrap DOMAIN PLIST` only when `print TARGET` answers
 *   113 (not loaded), then `kickstart TARGET` (as Lima and Homebrew: `enable` first,
 *   since a disabled label cannot be bootstrapped).
 * - restart: `enable TARGET`, then `kickstart -k TARGET` when `print TARGET` answers 0
 *   (loaded), else `bootstrap DOMAIN PLIST` (RunAtLoad starts it; a `kickstart -k`
 *   right after would kill the process launchd has just started).
 * - stop: `bootout TARGET` and wait until it is gone: the process is stopped and launchd
 *   forgets the job until the next login/boot (a `kill` would just be answered with a
 *   restart under KeepAlive).
 */
export function planControl(
  driver: LaunchdDriverId,
  ref: ServiceRef,
  action: ControlAction,
  ctx: PlanContext,
): Plan {
  const k = driver.kind;
  requireRoot(k, ctx, action === "stop" ? "Stopping" : "Starting");
  const target = serviceTarget(k, ctx, ref);
  const domain = launchdDomain(k, ctx);
  // Load it only when launchd does not have it: 5 from bootstrap is ambiguous
  // (disabled, still being booted out, bad plist), so ask first.
  const print = ["launchctl", "print", target];
  const enable = launchctl(["enable", target], "enable the service");
  const load = bootstrap(
    domain,
    plistPath(k, ctx, ref),
    "load the service",
    { when: { argv: print, codes: [113] } },
  );
  // restart: `kickstart -k` only a job launchd has; one it loads now is started by
  // RunAtLoad, and -k would kill that fresh process (launchctl(1): "kill the running
  // instance before restarting the service").
  const steps: Step[] = action === "stop"
    ? bootoutAndWait(target, UNKNOWN_EXIT_TIMEOUT_MS, "stop the service")
    : action === "start"
    ? [enable, load, launchctl(["kickstart", target], "start the service")]
    : [
      enable,
      launchctl(["kickstart", "-k", target], "restart the service", {
        when: { argv: print, codes: [0] },
      }),
      load,
    ];
  return { driver: driver.id, service: ref.name, steps };
}
