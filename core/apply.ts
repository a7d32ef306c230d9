/**
 * Performs a {@link Plan}: every step through the injected runner and filesystem, in
 * order. When a step fails, the steps before it are undone in reverse order (files
 * restored, commands undone), then the plan's `afterRollback` commands run, so the
 * machine is left as it was. Files lacking the plan's marker are never overwritten or
 * removed unless `force` is set, and then the old file is kept as `PATH.autostart-backup`.
 *
 * @module
 */

import { OperationError } from "./errors.ts";
import {
  basename,
  dirname,
  type FileSystem,
  type Owner,
  tempPrefix,
} from "./fs.ts";
import { checkSeal } from "./seal.ts";
import type { Plan, RunStep, Step } from "./plan.ts";
import type { CommandResult, Runner } from "./runner.ts";
import { runStep, type Sleep } from "./run_step.ts";

/** Turns a failed command into a message and a next step, when the driver knows better. */
export type Explain = (
  argv: string[],
  result: CommandResult,
) => { message?: string; hint?: string } | undefined;

/** Options of {@link apply}. */
export interface ApplyOptions {
  /** Runs commands. */
  runner: Runner;
  /** Writes files. */
  fs: FileSystem;
  /** Overwrite or remove files that lack the marker (keeping a backup). */
  force?: boolean;
  /** Driver-specific translation of command failures. */
  explain?: Explain;
  /** Called before each step (progress output, fault injection in tests). */
  onStep?: (step: Step, index: number) => void | Promise<void>;
  /** Sleeps between the tries of a step with `until` / `retry` (default: real time). */
  sleep?: Sleep;
}

/** What {@link apply} did besides the plan's steps. */
export interface ApplyResult {
  /** Failures of steps marked `ignoreFailure`. */
  warnings: string[];
  /** Backups made of foreign files taken over with `force`, and of hand-edited files. */
  backups: string[];
  /** Files of ours that had been edited by hand (seal broken); the edits were replaced. */
  replacedEdits: string[];
}

type Undo =
  | {
    kind: "restore";
    path: string;
    content: string | null;
    mode: number;
    owner?: Owner;
  }
  | { kind: "run"; argv: string[]; env?: Record<string, string> }
  | { kind: "rmdir"; path: string };

/** Suffix of the backup kept when `--force` takes over a foreign file. */
export const BACKUP_SUFFIX = ".autostart-backup";

function trimOutput(s: string): string {
  const t = s.trim();
  return t.length > 2000 ? `${t.slice(0, 2000)}...` : t;
}

/** Error for a command step that failed. */
function commandError(
  step: RunStep,
  r: CommandResult,
  explain?: Explain,
): OperationError {
  const said = trimOutput(r.stderr) || trimOutput(r.stdout) || "(no output)";
  const x = explain?.(step.argv, r);
  const base = `Cannot ${step.title}: ${
    step.argv.join(" ")
  } exited with code ${r.code}: ${said}`;
  const message = x?.message ? `${base}\n${x.message}` : base;
  const hint = x?.hint;
  return new OperationError(message, {
    command: {
      argv: step.argv,
      code: r.code,
      stderr: trimOutput(r.stderr),
      stdout: trimOutput(r.stdout),
    },
    ...(hint === undefined ? {} : { hint }),
  });
}

function fsError(what: string, path: string, e: unknown): OperationError {
  const msg = e instanceof Error ? e.message : String(e);
  const denied = e instanceof Deno.errors.PermissionDenied ||
    /permission denied/i.test(msg);
  return new OperationError(
    `Cannot ${what} ${path}: ${msg}`,
    denied
      ? { hint: "check the permissions of the directory, or run with sudo" }
      : {},
  );
}

/**
 * Checks, before anything is done, that every file the plan writes or removes is ours
 * (carries the marker) or absent. Returns the current contents by path.
 */
async function preflight(
  plan: Plan,
  fs: FileSystem,
  force: boolean,
): Promise<Map<string, string | null>> {
  const current = new Map<string, string | null>();
  for (const s of plan.steps) {
    if (s.kind !== "write" && s.kind !== "remove") continue;
    if (current.has(s.path)) continue;
    let content: string | null;
    try {
      content = await fs.readText(s.path);
    } catch (e) {
      throw fsError("read", s.path, e);
    }
    current.set(s.path, content);
    if (content !== null && !content.includes(s.marker) && !force) {
      throw new OperationError(
        `Refusing to ${
          s.kind === "write" ? "overwrite" : "remove"
        } ${s.path}: it was not written by autostart`,
        {
          hint:
            "move it away, or pass --force to take it over (a backup is kept)",
        },
      );
    }
  }
  return current;
}

/**
 * Performs a plan with rollback.
 *
 * @example Usage
 * ```ts
 * import { apply } from "./apply.ts";
 * import { FakeRunner, MemoryFs } from "./fake.ts";
 * const fs = new MemoryFs();
 * const runner = new FakeRunner();
 * await apply({
 *   driver: "demo",
 *   service: "web",
 *   steps: [
 *     { kind: "write", path: "/u/web.service", content: "# managed by autostart\n", mode: 0o644, marker: "managed by autostart" },
 *     { kind: "run", argv: ["systemctl", "daemon-reload"], title: "reload systemd" },
 *   ],
 * }, { runner, fs });
 * console.assert(runner.calls.length === 1);
 * ```
 */
export async function apply(
  plan: Plan,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const { runner, fs, force = false, explain, onStep, sleep } = options;
  const current = await preflight(plan, fs, force);
  const undo: Undo[] = [];
  const result: ApplyResult = { warnings: [], backups: [], replacedEdits: [] };
  let index = 0;
  try {
    for (const step of plan.steps) {
      await onStep?.(step, index++);
      switch (step.kind) {
        case "mkdir": {
          let created: string[];
          try {
            created = await fs.mkdirp(step.path, {
              ...(step.mode === undefined ? {} : { mode: step.mode }),
              ...(step.owner === undefined ? {} : { owner: step.owner }),
            });
          } catch (e) {
            throw fsError("create directory", step.path, e);
          }
          for (const d of created) undo.push({ kind: "rmdir", path: d });
          break;
        }
        case "write": {
          const before = current.get(step.path) ?? null;
          const foreign = before !== null && !before.includes(step.marker);
          const edited = before !== null && !foreign &&
            before !== step.content && checkSeal(before) === "drifted";
          if (foreign || edited) {
            const backup = (step.backupDir
              ? `${step.backupDir}/${basename(step.path)}`
              : step.path) + BACKUP_SUFFIX;
            try {
              if (step.backupDir) {
                await fs.mkdirp(step.backupDir, { mode: 0o700 });
              }
              await fs.writeAtomic(backup, before, { mode: 0o600 });
            } catch (e) {
              throw fsError("back up", step.path, e);
            }
            result.backups.push(backup);
            if (edited) {
              result.replacedEdits.push(step.path);
            }
          }
          await sweepTemporaries(fs, step.path);
          undo.push({
            kind: "restore",
            path: step.path,
            content: before,
            mode: step.mode,
            ...(step.owner === undefined ? {} : { owner: step.owner }),
          });
          try {
            await fs.writeAtomic(step.path, step.content, {
              mode: step.mode,
              ...(step.owner === undefined ? {} : { owner: step.owner }),
            });
          } catch (e) {
            throw fsError("write", step.path, e);
          }
          current.set(step.path, step.content);
          break;
        }
        case "remove": {
          const before = current.get(step.path) ?? null;
          if (before === null) break;
          undo.push({
            kind: "restore",
            path: step.path,
            content: before,
            mode: 0o644,
          });
          try {
            await fs.remove(step.path);
          } catch (e) {
            throw fsError("remove", step.path, e);
          }
          current.set(step.path, null);
          break;
        }
        case "run": {
          const r = await runStep(step, runner, sleep);
          if (r === null) break;
          if (r.code !== 0 && !(step.okCodes ?? []).includes(r.code)) {
            if (step.ignoreFailure) {
              const said = trimOutput(r.stderr) || trimOutput(r.stdout);
              result.warnings.push(
                `${step.argv.join(" ")} exited with code ${r.code}${
                  said ? `: ${said}` : ""
                }`,
              );
              break;
            }
            throw commandError(step, r, explain);
          }
          if (step.undo) {
            undo.push({
              kind: "run",
              argv: step.undo,
              ...(step.env ? { env: step.env } : {}),
            });
          }
          break;
        }
      }
    }
  } catch (e) {
    const problems = await rollback(undo, plan, runner, fs);
    if (e instanceof OperationError) {
      e.rollbackProblems = problems;
      throw e;
    }
    const err = new OperationError(
      `Cannot complete ${plan.driver} plan for "${plan.service}": ${
        (e as Error).message
      }`,
    );
    err.rollbackProblems = problems;
    throw err;
  }
  return result;
}

/**
 * Removes temporary files a killed writer of `path` left behind (`.NAME.autostart-tmp-*`).
 * Callers hold the scope's lock, so no live writer owns them. Best effort.
 */
async function sweepTemporaries(fs: FileSystem, path: string): Promise<void> {
  const prefix = tempPrefix(path);
  try {
    for (const n of await fs.list(dirname(path))) {
      if (n.startsWith(prefix) && n !== basename(path)) {
        await fs.remove(`${dirname(path)}/${n}`);
      }
    }
  } catch {
    // a leftover temporary file is untidy, not wrong
  }
}

/** Undoes what was done, newest first; returns what could not be undone. */
async function rollback(
  undo: Undo[],
  plan: Plan,
  runner: Runner,
  fs: FileSystem,
): Promise<string[]> {
  const problems: string[] = [];
  for (const u of undo.reverse()) {
    try {
      if (u.kind === "restore") {
        if (u.content === null) await fs.remove(u.path);
        else {
          await fs.writeAtomic(u.path, u.content, {
            mode: u.mode,
            ...(u.owner === undefined ? {} : { owner: u.owner }),
          });
        }
      } else if (u.kind === "rmdir") {
        await fs.rmdir(u.path);
      } else {
        const r = await runner.run(u.argv, u.env ? { env: u.env } : {});
        if (r.code !== 0) {
          problems.push(
            `${
              u.argv.join(" ")
            } exited with code ${r.code}: ${r.stderr.trim()}`,
          );
        }
      }
    } catch (e) {
      problems.push(
        `${u.kind} ${"path" in u ? u.path : ""}: ${(e as Error).message}`,
      );
    }
  }
  if (undo.length > 0) {
    for (const c of plan.afterRollback ?? []) {
      const r = await runner.run(c.argv, c.env ? { env: c.env } : {});
      if (r.code !== 0) {
        problems.push(
          `${c.argv.join(" ")} exited with code ${r.code}: ${r.stderr.trim()}`,
        );
      }
    }
  }
  return problems;
}
