/**
 * The plans of the OpenRC driver: install ({@link openrcPlan}: the init script in
 * {@link INIT_DIR}, `rc-update add` to the `default` runlevel, `rc-service restart`),
 * remove ({@link openrcPlanDisable}) and control ({@link openrcPlanControl}). Boot
 * services only, as root. Pure: steps only.
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
import { requireRoot } from "../../core/kit/require_root.ts";
import type { Plan, RunStep, Step } from "../../core/plan.ts";
import type { Condition, ServiceSpec } from "../../core/spec.ts";
import { wantsBackoff } from "../../templates/backoff_sh.ts";
import {
  OPENRC_MARKER_TEXT,
  openrcLogFile,
  openrcServiceName,
  renderOpenrcScript,
} from "../../templates/openrc_script.ts";

/** Directory of init scripts. */
export const INIT_DIR = "/etc/init.d";

/** The init script of a service: `/etc/init.d/autostart-NAME`. */
export function openrcScriptPath(name: string): string {
  return `${INIT_DIR}/${openrcServiceName(name)}`;
}

function requireBoot(condition: Condition) {
  if (condition !== "boot") {
    throw new UsageError(
      "The OpenRC driver serves boot services only",
      "use --condition=boot",
    );
  }
}

function cmd(argv: string[], title: string, extra: Partial<RunStep> = {}) {
  return { kind: "run", argv, title, ...extra } as RunStep;
}

/**
 * Steps that install `spec` and, unless `--no-start`, (re)start it. The notes say where
 * the env-file copy is, and that supervise-daemon cannot back off a crash loop when
 * `--restart-max-delay` asks for it (rather than dropping the cap silently).
 */
export function openrcPlan(
  spec: ServiceSpec,
  ctx: PlanContext,
  prior?: PriorState,
): Plan {
  requireBoot(spec.condition);
  requireRoot("boot", ctx, "Installing");
  const svc = openrcServiceName(spec.name);
  const envFile = spec.envFile === undefined
    ? undefined
    : envCopyPath(spec, ctx);
  const log = openrcLogFile(spec);
  const logDir = log.slice(0, log.lastIndexOf("/"));
  const owner = spec.runAs && spec.runAs.uid !== 0
    ? { uid: spec.runAs.uid, gid: spec.runAs.gid }
    : undefined;
  const steps: Step[] = [
    { kind: "mkdir", path: INIT_DIR },
    {
      kind: "mkdir",
      path: logDir,
      ...(owner ? { owner } : {}),
      // Every directory above it stays root's: root creates it.
      secure: true,
    },
    {
      kind: "write",
      path: openrcScriptPath(spec.name),
      content: renderOpenrcScript(
        spec,
        envFile === undefined ? {} : { envFile },
      ),
      mode: 0o755,
      marker: OPENRC_MARKER_TEXT,
    },
    // The env file's values: a 0600 copy owned by the user the program runs as.
    ...envCopySteps(spec, ctx, owner),
    ...(prior !== undefined && envFile === undefined
      ? [envCopyRemoveStep(spec, ctx)]
      : []),
    cmd(
      ["rc-update", "add", svc, "default"],
      "add the service to the default runlevel",
      prior?.enabled ? {} : { undo: ["rc-update", "del", svc, "default"] },
    ),
  ];
  if (spec.start) {
    steps.push(
      cmd(
        ["rc-service", svc, "restart"],
        "start the service",
        prior?.running ? {} : { undo: ["rc-service", svc, "stop"] },
      ),
    );
  }
  const notes = envFile === undefined ? [] : envFileNote(
    spec,
    `${envFile} (mode 0600, read by the init script at each start)`,
  );
  // supervise-daemon has a fixed respawn_delay: say so rather than drop the cap.
  if (wantsBackoff(spec)) {
    notes.push(
      `OpenRC's supervise-daemon has no backoff: "${spec.name}" is restarted every ${
        Math.max(1, Math.ceil(spec.restartDelayMs / 1000))
      }s (respawn_delay) however long it keeps crashing; --restart-max-delay has no effect here`,
    );
  }
  return {
    driver: "openrc",
    service: spec.name,
    steps,
    ...(notes.length ? { notes } : {}),
    ...(prior?.running
      ? { afterRollback: [{ argv: ["rc-service", svc, "restart"] }] }
      : {}),
  };
}

/** Steps that take a service out of the runlevel, stop it and remove its files. */
export function openrcPlanDisable(
  ref: ServiceRef,
  ctx: PlanContext,
  options: { keepFiles?: boolean; prior?: PriorState } = {},
): Plan {
  requireBoot(ref.condition);
  requireRoot("boot", ctx, "Removing");
  const svc = openrcServiceName(ref.name);
  const prior = options.prior ?? { enabled: true, running: true };
  const steps: Step[] = [
    cmd(
      ["rc-update", "del", svc, "default"],
      "remove the service from the default runlevel",
      prior.enabled
        ? { undo: ["rc-update", "add", svc, "default"] }
        : { ignoreFailure: true },
    ),
    cmd(
      ["rc-service", svc, "stop"],
      "stop the service",
      prior.running
        ? { undo: ["rc-service", svc, "start"] }
        : { ignoreFailure: true },
    ),
  ];
  if (!options.keepFiles) {
    steps.push({
      kind: "remove",
      path: openrcScriptPath(ref.name),
      marker: OPENRC_MARKER_TEXT,
    }, envCopyRemoveStep(ref, ctx));
  }
  return { driver: "openrc", service: ref.name, steps };
}

/** Steps of `start`, `stop`, `restart`: `rc-service autostart-NAME ACTION`. */
export function openrcPlanControl(
  ref: ServiceRef,
  action: ControlAction,
  ctx: PlanContext,
): Plan {
  requireBoot(ref.condition);
  requireRoot("boot", ctx, action === "stop" ? "Stopping" : "Starting");
  const svc = openrcServiceName(ref.name);
  return {
    driver: "openrc",
    service: ref.name,
    steps: [cmd(["rc-service", svc, action], `${action} the service`)],
  };
}
