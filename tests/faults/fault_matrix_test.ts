// Fault matrix: every step k of every enable/disable plan fails for real (the runner
// returns an error, the filesystem throws), for fresh installs, re-enables over a
// running or stopped service, boot services with a log directory, and disables. After
// each: either the whole operation happened (same end state as without the fault), or
// nothing did (files, directories and the init system's state exactly as before), the
// init system never references a missing file, and the error names the failed step.
// Driver-generic: add a target to FAULT_TARGETS with a model of its init system.
import { assertEquals, assertOk } from "../assert.ts";
import { apply } from "../../core/apply.ts";
import type { Context } from "../../core/context.ts";
import type { Driver, PriorState } from "../../core/driver.ts";
import { OperationError } from "../../core/errors.ts";
import type { MemoryFs } from "../../core/fake.ts";
import type { Plan, Step } from "../../core/plan.ts";
import { bufferedStream } from "../../core/runner.ts";
import type { ServiceSpec } from "../../core/spec.ts";
import { systemdDriver, unitDir } from "../../drivers/systemd/mod.ts";
import { ALICE, fakeContext, ROOT_USER, webSpec } from "../helpers.ts";
import { SystemdModel } from "./systemd_model.ts";

/** An init-system model the matrix can drive. */
interface Model {
  arm(step: Step): void;
  state(): unknown;
  problems(): string[];
  prior(name: string): PriorState | undefined;
  stop(name: string): void;
  runnerLog(): string[];
}

interface FaultTarget {
  driver: Driver;
  /** A fresh context (as root for boot) and the model behind its runner. */
  make(condition: "login" | "boot"): { ctx: Context; model: Model };
}

const FAULT_TARGETS: FaultTarget[] = [{
  driver: systemdDriver,
  make(condition) {
    const ctx = condition === "boot"
      ? fakeContext({ self: ROOT_USER, sudoUser: ALICE.name })
      : fakeContext();
    const fs = ctx.fs as MemoryFs;
    const dir = unitDir(condition, ctx);
    const m = new SystemdModel(fs, dir);
    let target: Step | undefined;
    fs.failOn = (op, path) => {
      if (!target || op === "read") return false;
      const hit = (target.kind === "write" && op === "write" ||
        target.kind === "remove" && op === "remove" ||
        target.kind === "mkdir" && op === "mkdir") &&
        "path" in target && target.path === path;
      if (hit) target = undefined;
      return hit;
    };
    const runner = m.runner;
    const unit = (n: string) => `autostart-${n}.service`;
    return {
      ctx: {
        ...ctx,
        runner: {
          run(argv, o) {
            if (
              target?.kind === "run" && target.argv.join(" ") === argv.join(" ")
            ) {
              target = undefined;
              m.arm();
            }
            return runner.run(argv, o);
          },
          stream: bufferedStream((argv, o) => runner.run(argv, o)),
        },
      },
      model: {
        arm: (s) => void (target = s),
        state: () => ({
          model: m.state(),
          files: fs.snapshot(),
          dirs: [...fs.dirs].sort(),
        }),
        problems: () => m.problems(),
        prior: (n) =>
          fs.files.has(`${dir}/${unit(n)}`)
            ? {
              enabled: m.enabled.has(unit(n)),
              running: m.active.has(unit(n)),
            }
            : undefined,
        stop: (n) => void m.active.delete(unit(n)),
        runnerLog: () => m.log,
      },
    };
  },
}];

const base = webSpec({ env: [["A", "1"]] });

interface Scenario {
  name: string;
  condition: "login" | "boot";
  /** Installed before the operation (and then stopped when `stopped`). */
  existing?: ServiceSpec;
  stopped?: boolean;
  /** The old version may keep running (--no-start over a running service). */
  staleRunOk?: boolean;
  /** The operation. */
  op: { enable: ServiceSpec } | { disable: { keepFiles: boolean } };
}

const changed = { ...base, args: ["-m", "http.server", "9090"] };
const bootSpec: ServiceSpec = {
  ...base,
  condition: "boot",
  runAs: ALICE,
  logDir: "/var/log/autostart/web",
};

const SCENARIOS: Scenario[] = [
  { name: "fresh enable", condition: "login", op: { enable: base } },
  {
    name: "fresh enable --no-start",
    condition: "login",
    op: { enable: { ...base, start: false } },
  },
  {
    name: "re-enable over a running service",
    condition: "login",
    existing: base,
    op: { enable: changed },
  },
  {
    name: "re-enable over a stopped service",
    condition: "login",
    existing: base,
    stopped: true,
    op: { enable: changed },
  },
  {
    name: "re-enable --no-start over a running service",
    condition: "login",
    existing: base,
    staleRunOk: true,
    op: { enable: { ...changed, start: false } },
  },
  {
    name: "fresh boot enable with a log dir",
    condition: "boot",
    op: { enable: bootSpec },
  },
  {
    name: "boot re-enable over a running service",
    condition: "boot",
    existing: bootSpec,
    op: { enable: { ...bootSpec, args: ["x"] } },
  },
  {
    name: "disable a running service",
    condition: "login",
    existing: base,
    op: { disable: { keepFiles: false } },
  },
  {
    name: "disable a stopped service",
    condition: "login",
    existing: base,
    stopped: true,
    op: { disable: { keepFiles: false } },
  },
  {
    name: "disable --keep-files",
    condition: "login",
    existing: base,
    op: { disable: { keepFiles: true } },
  },
  {
    name: "boot disable",
    condition: "boot",
    existing: bootSpec,
    op: { disable: { keepFiles: false } },
  },
];

/** Sets up a scenario and returns its context, model and the operation's plan. */
async function prepare(t: FaultTarget, s: Scenario) {
  const { ctx, model } = t.make(s.condition);
  if (s.existing) {
    await apply(t.driver.plan(s.existing, ctx, undefined), {
      runner: ctx.runner,
      fs: ctx.fs,
    });
    if (s.stopped) model.stop(s.existing.name);
  }
  const prior = model.prior(base.name);
  const plan: Plan = "enable" in s.op
    ? t.driver.plan(s.op.enable, ctx, prior)
    : t.driver.planDisable({ name: base.name, condition: s.condition }, ctx, {
      keepFiles: s.op.disable.keepFiles,
      ...(prior ? { prior } : {}),
    });
  return { ctx, model, plan };
}

function names(step: Step, message: string): boolean {
  if (step.kind === "run") {
    return message.includes(step.title) &&
      message.includes(step.argv.join(" "));
  }
  return message.includes(step.path);
}

for (const target of FAULT_TARGETS) {
  Deno.test(`fault matrix (${target.driver.id}): every step failing leaves all or nothing`, async () => {
    let faults = 0, rolledBack = 0, completed = 0;
    const failures: string[] = [];
    for (const s of SCENARIOS) {
      // The end state without a fault.
      const clean = await prepare(target, s);
      await apply(clean.plan, { runner: clean.ctx.runner, fs: clean.ctx.fs });
      const done = clean.model.state();
      const ok = (p: string[]) =>
        p.filter((x) => !(s.staleRunOk && /runs a definition/.test(x)));
      assertEquals(ok(clean.model.problems()), [], `${s.name}: clean run`);
      for (let k = 0; k < clean.plan.steps.length; k++) {
        const { ctx, model, plan } = await prepare(target, s);
        const before = model.state();
        const step = plan.steps[k]!;
        const label = `${s.name}, step ${k} (${step.kind} ${
          step.kind === "run" ? step.argv.join(" ") : step.path
        })`;
        faults++;
        let error: unknown;
        try {
          await apply(plan, {
            runner: ctx.runner,
            fs: ctx.fs,
            onStep: (st, i) => {
              if (i === k) model.arm(st);
            },
          });
        } catch (e) {
          error = e;
        }
        const after = model.state();
        const problems = ok(model.problems());
        if (problems.length) failures.push(`${label}: ${problems.join("; ")}`);
        if (error === undefined) {
          completed++;
          if (JSON.stringify(after) !== JSON.stringify(done)) {
            failures.push(`${label}: succeeded but the end state differs`);
          }
          continue;
        }
        rolledBack++;
        if (!(error instanceof OperationError)) {
          failures.push(`${label}: not an OperationError: ${error}`);
          continue;
        }
        if (!names(step, error.message)) {
          failures.push(
            `${label}: the error does not name the step: ${error.message}`,
          );
        }
        if (error.rollbackProblems.length) {
          failures.push(
            `${label}: rollback problems ${error.rollbackProblems}`,
          );
        }
        if (JSON.stringify(after) !== JSON.stringify(before)) {
          failures.push(
            `${label}: not restored:\n  before ${
              JSON.stringify(before)
            }\n  after  ${JSON.stringify(after)}\n  commands ${
              model.runnerLog().join(" | ")
            }`,
          );
        }
      }
    }
    assertEquals(failures, []);
    assertOk(rolledBack > 0 && faults >= 50, `${faults} faults`);
    console.log(
      `${target.driver.id}: ${faults} faults injected in ${SCENARIOS.length} scenarios: ${rolledBack} rolled back, ${completed} completed (failure tolerated by the plan)`,
    );
  });
}
