/**
 * The plans of the runit driver: install ({@link runitPlan}: write the service
 * directory, link it into the directory runsvdir watches, or restart a running one),
 * remove ({@link runitPlanDisable}) and control ({@link runitPlanControl}, with `sv`).
 * Pure: steps only, from the spec, the context's user and environment, and the prior
 * state the operation read.
 *
 * `--no-start` writes a `down` file: runsv does not start the service, now or at the
 * next boot, until `autostart start NAME` removes it.
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
import { UnsupportedError } from "../../core/errors.ts";
import { requireRoot } from "../../core/kit/require_root.ts";
import type { Plan, RunStep, Step } from "../../core/plan.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import {
  renderRunitDown,
  renderRunitFinish,
  renderRunitLog,
  renderRunitRun,
  RUNIT_MARKER_TEXT,
  runitUser,
} from "../../templates/runit_scripts.ts";
import { runitLogDir, runitPaths } from "./paths.ts";

/** Seconds `sv` waits for a stop before it kills the service. */
export const SV_WAIT_SECONDS = 10;

const W = ["-w", String(SV_WAIT_SECONDS)];

/**
 * Why runit cannot honour `--stop-timeout`: runsv has no per-service stop timeout. On
 * `sv down` it sends SIGTERM (then SIGCONT) and waits without end; only the program
 * that stops it chooses a deadline (`sv -w SECONDS force-stop`), and at shutdown that is
 * runit's stage 3, with one wait for every service (runsv(8), sv(8)).
 */
export function stopTimeoutUnsupported(): UnsupportedError {
  return new UnsupportedError(
    "--stop-timeout is not supported by runit: runsv has no per-service stop timeout (sv down waits without end; at shutdown runit's stage 3 gives every service the same wait)",
    "leave out --stop-timeout, or use a driver that supports it (see: autostart drivers)",
  );
}

/** Removes a directory when it is empty; one that holds other files stays (exit 1). */
function rmdirIfEmpty(dir: string): RunStep {
  return {
    kind: "run",
    argv: ["rmdir", "--", dir],
    okCodes: [1],
    title: `remove ${dir} if nothing else is in it`,
  };
}

function sv(args: string[], title: string, extra: Partial<RunStep> = {}) {
  return { kind: "run", argv: ["sv", ...args], title, ...extra } as RunStep;
}

const remove = (path: string): Step => ({
  kind: "remove",
  path,
  marker: RUNIT_MARKER_TEXT,
});

/**
 * Steps that install `spec` and, unless `--no-start`, start it: a fresh service is
 * linked into the directory runsvdir watches (runsvdir starts it within 5 seconds); a
 * running one is stopped and started again with its new files.
 */
export function runitPlan(
  spec: ServiceSpec,
  ctx: PlanContext,
  prior?: PriorState,
): Plan {
  if (spec.stopTimeoutMs !== undefined) throw stopTimeoutUnsupported();
  requireRoot(spec.condition, ctx, "Installing");
  const p = runitPaths(spec, ctx);
  const logDir = runitLogDir(spec, ctx);
  const owner = runitUser(spec) !== null && spec.runAs
    ? { owner: { uid: spec.runAs.uid, gid: spec.runAs.gid } }
    : {};
  const envFile = spec.envFile === undefined
    ? undefined
    : envCopyPath(spec, ctx);
  const file = (path: string, content: string, mode = 0o755): Step => ({
    kind: "write",
    path,
    content,
    mode,
    marker: RUNIT_MARKER_TEXT,
  });
  // svlogd runs as the service's user (chpst -u) in a directory of its own; every
  // directory above it stays root's (checked for boot services, where root creates it).
  const secure = spec.condition === "boot" ? { secure: true } : {};
  const steps: Step[] = [
    { kind: "mkdir", path: `${p.dir}/log`, mode: 0o755 },
    { kind: "mkdir", path: logDir, mode: 0o755, ...owner, ...secure },
    file(
      p.run,
      renderRunitRun(spec, envFile === undefined ? {} : { envFile }),
    ),
    file(p.finish, renderRunitFinish(spec)),
    file(p.logRun, renderRunitLog(spec, logDir)),
    // The env file's values: a 0600 copy owned by the user the program runs as,
    // who reads it after chpst switched to them.
    ...envCopySteps(spec, ctx, owner.owner),
    ...(prior !== undefined && envFile === undefined
      ? [envCopyRemoveStep(spec, ctx)]
      : []),
    spec.start ? remove(p.down) : file(p.down, renderRunitDown(spec), 0o644),
  ];
  const afterRollback: NonNullable<Plan["afterRollback"]> = [];
  const notes: string[] = envFile === undefined ? [] : envFileNote(
    spec,
    `${envFile} (mode 0600, read by the run script at each start)`,
  );
  if (!prior?.enabled && !prior?.running) {
    // runsvdir starts a runsv for the link within 5 seconds; without a down file
    // runsv starts the service right away.
    steps.push({
      kind: "run",
      argv: ["ln", "-s", p.dir, p.link],
      title: "link the service into the runsvdir directory",
      undo: ["rm", "-f", p.link],
    });
    notes.push(
      spec.start
        ? "runsvdir starts it within 5 seconds."
        : `runit will not start "${spec.name}" (not at boot either) until: autostart start ${spec.name}`,
    );
  } else {
    if (!prior.enabled) {
      steps.push({
        kind: "run",
        argv: ["ln", "-sfn", p.dir, p.link],
        title: "link the service into the runsvdir directory",
      });
    }
    if (spec.start && prior.running) {
      // Stop (waiting for finish), then up: the new run script starts.
      steps.push(
        sv([...W, "force-stop", p.dir], "stop the old version"),
        sv(["up", p.dir], "start the service"),
      );
    } else if (spec.start) {
      // Not running: up. When runsvdir has not picked the service up yet, sv cannot
      // reach it, and runsv starts the new version when it does.
      steps.push(
        sv(["up", p.dir], "start the service", { ignoreFailure: true }),
      );
    }
    if (prior.running) afterRollback.push({ argv: ["sv", "up", p.dir] });
  }
  return {
    driver: "runit",
    service: spec.name,
    steps,
    ...(afterRollback.length ? { afterRollback } : {}),
    ...(notes.length ? { notes } : {}),
  };
}

/**
 * Steps that stop and remove a service: unlink it first (so runsvdir starts no new
 * runsv), stop the service and its runsv, then remove only what autostart wrote and
 * runsv's state of it (with `keepFiles`, the files stay).
 */
export function runitPlanDisable(
  ref: ServiceRef,
  ctx: PlanContext,
  options: { keepFiles?: boolean; prior?: PriorState } = {},
): Plan {
  requireRoot(ref.condition, ctx, "Removing");
  const p = runitPaths(ref, ctx);
  const prior = options.prior ?? { enabled: true, running: true };
  // Unlink first so runsvdir does not start a new runsv, then make runsv stop the
  // service and exit (waiting, killing it after the timeout).
  const steps: Step[] = [
    {
      kind: "run",
      argv: ["rm", "-f", p.link],
      title: "unlink the service from the runsvdir directory",
      ...(prior.enabled ? { undo: ["ln", "-sfn", p.dir, p.link] } : {}),
    },
    sv(
      [...W, "force-shutdown", p.dir],
      "stop the service and its runsv",
      prior.running ? {} : { ignoreFailure: true },
    ),
  ];
  if (!options.keepFiles) {
    // Only what autostart wrote, and runsv's state of this service: a backup or a
    // file of the user's in the service directory stays, and so does the directory.
    steps.push(
      remove(p.run),
      remove(p.finish),
      remove(p.logRun),
      remove(p.down),
      envCopyRemoveStep(ref, ctx),
      {
        kind: "run",
        argv: [
          "rm",
          "-rf",
          "--",
          `${p.dir}/supervise`,
          `${p.dir}/log/supervise`,
        ],
        title: "remove the runsv state of the service",
      },
      rmdirIfEmpty(`${p.dir}/log`),
      rmdirIfEmpty(p.dir),
    );
  }
  return {
    driver: "runit",
    service: ref.name,
    steps,
    ...(prior.running
      ? { afterRollback: [{ argv: ["sv", "up", p.dir] }] }
      : {}),
  };
}

/** Steps of `start`, `stop`, `restart`: `sv`, and a start removes the `down` file. */
export function runitPlanControl(
  ref: ServiceRef,
  action: ControlAction,
  ctx: PlanContext,
): Plan {
  requireRoot(ref.condition, ctx, action === "stop" ? "Stopping" : "Starting");
  const p = runitPaths(ref, ctx);
  const steps: Step[] = [];
  if (action === "stop") {
    steps.push(sv([...W, "force-stop", p.dir], "stop the service"));
  } else {
    steps.push(remove(p.down));
    if (action === "restart") {
      steps.push(sv([...W, "force-stop", p.dir], "stop the service"));
    }
    steps.push(sv(["up", p.dir], "start the service"));
  }
  return { driver: "runit", service: ref.name, steps };
}
