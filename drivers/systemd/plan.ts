/**
 * Plans of the systemd driver, pure: install (write the unit, reload, enable, start),
 * disable (disable, stop, remove, reload) and control (start, stop, restart), each with
 * what a rollback must restore.
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
} from "../../core/env_file.ts";
import { UsageError } from "../../core/errors.ts";
import { requireRoot } from "../../core/kit/mod.ts";
import type { Plan, Step } from "../../core/plan.ts";
import type { Condition, ServiceSpec } from "../../core/spec.ts";
import { backoffDelays, wantsBackoff } from "../../templates/backoff_sh.ts";
import {
  EXEC_PATH_FORBIDDEN,
  formatTimespan,
} from "../../templates/systemd_escape.ts";
import {
  renderSystemdUnit,
  SYSTEMD_BACKOFF_VERSION,
  SYSTEMD_MARKER_TEXT,
  unitName,
} from "../../templates/systemd_unit.ts";
import {
  systemctl,
  systemctlStep,
  unitDir,
  unitFileOf,
  unitOf,
  userEnv,
} from "./paths.ts";
import { preparedVersion } from "./version.ts";

/**
 * Commands run after a rollback: reload (so systemd sees the restored files), then start
 * the service again when it was running before (the restored version; `start` does
 * nothing to a service that is still up).
 */
function restoreAfterRollback(
  c: Condition,
  ctx: PlanContext,
  unit: string,
  prior: PriorState | undefined,
): NonNullable<Plan["afterRollback"]> {
  const e = userEnv(c, ctx);
  return [
    { argv: [...systemctl(c), "daemon-reload"], ...e },
    ...(prior?.running
      ? [{ argv: [...systemctl(c), "start", unit], ...e }]
      : []),
  ];
}

/** Words for the pauses of a backoff: `2s, 4s, 8s, ... up to 1m`. */
function backoffWords(spec: ServiceSpec): string {
  const ds = backoffDelays(spec.restartDelayMs, spec.restartMaxDelayMs!, 4);
  const capped = ds.includes(spec.restartMaxDelayMs!);
  return `${
    ds.filter((d) => d < spec.restartMaxDelayMs!).map(formatTimespan).join(", ")
  }${capped ? ", then" : ", ..."} up to ${
    formatTimespan(spec.restartMaxDelayMs!)
  }`;
}

/**
 * Pure: the steps that write a unit for `spec`, reload systemd, enable it and (unless
 * `--no-start`) start it. `prior` says what a rollback must restore.
 */
export function planInstall(
  spec: ServiceSpec,
  ctx: PlanContext,
  prior?: PriorState,
): Plan {
  requireRoot(spec.condition, ctx, "Installing");
  const version = preparedVersion(ctx);
  const notes: string[] = [];
  if (wantsBackoff(spec) && (version ?? 0) < SYSTEMD_BACKOFF_VERSION) {
    notes.push(
      `systemd ${
        version ?? "(version unknown)"
      } has no RestartSteps= (it came in ${SYSTEMD_BACKOFF_VERSION}): a crash loop of "${spec.name}" backs off in an ExecStartPre= step of its unit instead, pausing ${
        backoffWords(spec)
      }`,
    );
  }
  if (EXEC_PATH_FORBIDDEN.test(spec.program)) {
    throw new UsageError(
      `Invalid program path ${
        JSON.stringify(spec.program)
      }: systemd cannot run a program whose path contains a quote or a backslash`,
      "make a symlink to it with a plain name and give that instead",
    );
  }
  const c = spec.condition;
  const unit = unitOf(spec);
  const dir = unitDir(c, ctx);
  // systemd opens `StandardOutput=append:` as root, before User= applies, and
  // follows symlinks (systemd/systemd#14385): a boot service's log directory stays
  // root's, and one another user could change is refused.
  const secure = c === "boot" ? { secure: true } : {};
  const steps: Step[] = [{ kind: "mkdir", path: dir, ...secure }];
  if (spec.logDir !== undefined) {
    steps.push({ kind: "mkdir", path: spec.logDir, ...secure });
  }
  const envFile = spec.envFile === undefined
    ? undefined
    : envCopyPath(spec, ctx);
  steps.push(
    {
      kind: "write",
      path: `${dir}/${unit}`,
      content: renderSystemdUnit(spec, {
        systemdVersion: version,
        ...(envFile === undefined ? {} : { envFile }),
      }),
      mode: 0o644,
      marker: SYSTEMD_MARKER_TEXT,
    },
    // The env file's values: a 0600 copy (root's for boot), read by systemd at start.
    ...envCopySteps(spec, ctx),
    // A copy left by an earlier enable with --env-file goes with it.
    ...(prior !== undefined && envFile === undefined
      ? [envCopyRemoveStep(spec, ctx)]
      : []),
    systemctlStep(c, ctx, ["daemon-reload"], "reload systemd"),
    // A service that was enabled before stays enabled when a later step fails.
    // `--no-reload`: systemd read the unit just above; a second reload (which a
    // plain `enable` does) would double the cost of the whole command.
    systemctlStep(
      c,
      ctx,
      ["enable", "--no-reload", unit],
      "enable the service",
      prior?.enabled ? {} : { undo: [...systemctl(c), "disable", unit] },
    ),
  );
  if (spec.start) {
    steps.push(
      systemctlStep(c, ctx, ["reset-failed", unit], "clear a failed state", {
        okCodes: [1, 5],
      }),
      systemctlStep(
        c,
        ctx,
        // --no-block: a program that dies at once is reported by the wait after the
        // start (with its log), not by a failed job that would roll the enable back.
        ["--no-block", "restart", unit],
        "start the service",
        prior?.running ? {} : { undo: [...systemctl(c), "stop", unit] },
      ),
    );
  }
  if (envFile !== undefined) {
    notes.push(...envFileNote(
      spec,
      `${envFile} (mode 0600, read by systemd at each start)`,
    ));
  }
  return {
    driver: "systemd",
    service: spec.name,
    steps,
    afterRollback: restoreAfterRollback(c, ctx, unit, prior),
    ...(notes.length ? { notes } : {}),
  };
}

/** Pure: the steps that disable, stop and (unless `keepFiles`) remove a unit. */
export function planDisable(
  ref: ServiceRef,
  ctx: PlanContext,
  options: { keepFiles?: boolean; prior?: PriorState } = {},
): Plan {
  requireRoot(ref.condition, ctx, "Removing");
  const c = ref.condition;
  const unit = unitOf(ref);
  const prior = options.prior ?? { enabled: true, running: true };
  // Disable first and fail hard: removing the file of a unit that is still enabled
  // would leave systemd pointing at a missing file. A stop of a unit systemd has not
  // loaded (exit 5) is fine; a rollback starts it again when it was running.
  const steps: Step[] = [
    systemctlStep(c, ctx, ["disable", unit], "disable the service", {
      ...(prior.enabled ? { undo: [...systemctl(c), "enable", unit] } : {}),
    }),
    systemctlStep(c, ctx, ["stop", unit], "stop the service", { okCodes: [5] }),
    systemctlStep(c, ctx, ["reset-failed", unit], "clear a failed state", {
      okCodes: [1, 5],
    }),
  ];
  if (!options.keepFiles) {
    steps.push(
      // The crash-loop count of systemd < 254 (RuntimeDirectory=): systemd keeps the
      // directory when the stop caught the unit between two restarts.
      systemctlStep(
        c,
        ctx,
        ["clean", "--what=runtime", unit],
        "remove its runtime directory",
        { ignoreFailure: true },
      ),
      {
        kind: "remove",
        path: unitFileOf(ref, ctx),
        marker: SYSTEMD_MARKER_TEXT,
      },
      envCopyRemoveStep(ref, ctx),
      systemctlStep(c, ctx, ["daemon-reload"], "reload systemd"),
    );
  }
  return {
    driver: "systemd",
    service: ref.name,
    steps,
    afterRollback: restoreAfterRollback(c, ctx, unit, prior),
  };
}

/**
 * Pure: the steps of `autostart start`, `stop` or `restart`. A start asked for by hand
 * is no part of a crash loop: on systemd < 254 a unit may be pausing in its backoff's
 * `ExecStartPre=` (a start would only join that pending start), so the pause is ended
 * first (SIGTERM to the unit's control process: the pause then forgets the count, and
 * the start goes on now). A restart (or stop) ends a pause by itself.
 */
export function planControl(
  ref: ServiceRef,
  action: ControlAction,
  ctx: PlanContext,
): Plan {
  requireRoot(
    ref.condition,
    ctx,
    action === "stop" ? "Stopping" : "Starting",
  );
  const unit = unitOf(ref);
  const steps: Step[] = [];
  if (action !== "stop") {
    steps.push(
      systemctlStep(
        ref.condition,
        ctx,
        ["reset-failed", unit],
        "clear a failed state",
        {
          okCodes: [1, 5],
        },
      ),
    );
  }
  if (action === "start" && unit === unitName(ref.name)) {
    steps.push(
      systemctlStep(
        ref.condition,
        ctx,
        ["kill", "--kill-who=control", "--signal=SIGTERM", unit],
        "end a crash-loop pause",
        // Nothing to end is the usual answer: "No control process to kill" (1), or
        // not loaded (5). Anything else is a warning; the start goes on.
        { okCodes: [1, 5], ignoreFailure: true },
      ),
    );
  }
  steps.push(
    systemctlStep(
      ref.condition,
      ctx,
      action === "stop" ? [action, unit] : ["--no-block", action, unit],
      `${action} the service`,
    ),
  );
  return { driver: "systemd", service: ref.name, steps };
}
