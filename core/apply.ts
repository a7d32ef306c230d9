/**
 * Performs a {@link Plan}: every step through the injected runner and filesystem, in
 * order. When a step fails, the steps before it are undone in reverse order (files
 * restored, commands undone), then the plan's `afterRollback` commands run, so the
 * machine is left as it was, content, mode and owner of every file included. Files
 * that are not ours (no marker with a seal in their header: core/ownership.ts) are
 * never overwritten or removed unless `force` is set; a foreign file taken over and a
 * file of ours edited by hand are first kept as a backup, `PATH.autostart-backup`, or
 * `PATH.autostart-backup.N` when that name is taken: a backup is never overwritten.
 * Directories that root writes in (`mkdir` steps with `secure`) are checked before any
 * step runs.
 *
 * @module
 */

import { OperationError, UsageError } from "./errors.ts";
import {
  basename,
  dirname,
  type FileInfo,
  type FileSystem,
  type Owner,
  rootOnlyProblem,
  tempPrefix,
} from "./fs.ts";
import { ownershipOf } from "./ownership.ts";
import type { Plan, Step, WriteStep } from "./plan.ts";
import type { Explain } from "./driver.ts";
import type { Runner } from "./runner.ts";
import { runStep, type Sleep } from "./run_step.ts";
import { commandError, fsError, trimOutput } from "./apply_errors.ts";
import { keepBackup } from "./backup.ts";

export { BACKUP_SUFFIX, nextBackupPath } from "./backup.ts";

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
  | { kind: "remove"; path: string }
  | { kind: "run"; argv: string[]; env?: Record<string, string> }
  | { kind: "rmdir"; path: string };

/** A file as preflight found it. */
interface Found {
  content: string | null;
  info: FileInfo | null;
}

/**
 * Whether the file a write step would write is already there as written: same
 * content, same mode, and owned by the step's owner (or by root when the step names
 * none and `writerUid`, the user autostart runs as, is root). A file whose mode or
 * owner was changed is not up to date.
 */
export async function writeIsCurrent(
  fs: FileSystem,
  step: WriteStep,
  writerUid: number,
): Promise<boolean> {
  if ((await fs.readText(step.path)) !== step.content) return false;
  const info = await fs.stat(step.path);
  if (info === null || info.type !== "file") return false;
  if (info.mode !== step.mode) return false;
  if (step.owner) {
    return info.uid === step.owner.uid && info.gid === step.owner.gid;
  }
  // Written by root without an owner: root's. A user's own files are theirs anyway
  // (only root could give them away).
  return writerUid !== 0 || info.uid === 0;
}

/**
 * Checks, before anything is done, that every file the plan writes or removes is ours
 * (carries the marker) or absent, and that directories root writes in are safe.
 * Returns the current contents, modes and owners by path.
 */
async function preflight(
  plan: Plan,
  fs: FileSystem,
  force: boolean,
): Promise<Map<string, Found>> {
  for (const s of plan.steps) {
    if (s.kind !== "mkdir" || !s.secure) continue;
    const why = await rootOnlyProblem(
      fs,
      s.path,
      s.owner ? { lastOwner: s.owner.uid } : {},
    );
    if (why !== null) {
      throw new UsageError(
        `Refusing to use ${s.path} for "${plan.service}": ${why}, so another user could replace a file there with a symlink and make root write where they choose`,
        "make every directory on the way root's and writable only by root (e.g. sudo chown root:root DIR && sudo chmod go-w DIR), or choose one that is, e.g. under /var/log; without --log-dir, systemd services log to the journal",
      );
    }
  }
  const current = new Map<string, Found>();
  for (const s of plan.steps) {
    if (s.kind !== "write" && s.kind !== "remove") continue;
    if (current.has(s.path)) continue;
    let content: string | null;
    let info: FileInfo | null;
    try {
      content = await fs.readText(s.path);
      info = content === null ? null : await fs.stat(s.path);
    } catch (e) {
      throw fsError("read", s.path, e);
    }
    current.set(s.path, { content, info });
    if (
      content !== null && ownershipOf(content, s.marker) === "foreign" &&
      !force
    ) {
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

/** How to put a file back as preflight found it (content, mode, owner). */
function restoreOf(path: string, found: Found | undefined): Undo {
  if (!found || found.content === null) return { kind: "remove", path };
  const info = found.info;
  return {
    kind: "restore",
    path,
    content: found.content,
    mode: info?.mode ?? 0o644,
    ...(info ? { owner: { uid: info.uid, gid: info.gid } } : {}),
  };
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
 *     { kind: "mkdir", path: "/u" },
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
        case "create": {
          let created: boolean;
          try {
            created = await fs.createFile(step.path, {
              mode: step.mode,
              owner: step.owner,
            });
          } catch (e) {
            throw fsError("create", step.path, e);
          }
          if (created) undo.push({ kind: "remove", path: step.path });
          break;
        }
        case "write": {
          const found = current.get(step.path);
          const before = found?.content ?? null;
          const kind = before === null
            ? null
            : ownershipOf(before, step.marker);
          const edited = kind === "edited" && before !== step.content;
          if (before !== null && (kind === "foreign" || edited)) {
            result.backups.push(
              await keepBackup(fs, step.path, before, step.backupDir),
            );
            if (edited) result.replacedEdits.push(step.path);
          }
          await sweepTemporaries(fs, step.path);
          undo.push(restoreOf(step.path, found));
          try {
            await fs.writeAtomic(step.path, step.content, {
              mode: step.mode,
              ...(step.owner === undefined ? {} : { owner: step.owner }),
            });
          } catch (e) {
            throw fsError("write", step.path, e);
          }
          current.set(step.path, {
            content: step.content,
            info: {
              type: "file",
              mode: step.mode,
              uid: step.owner?.uid ?? found?.info?.uid ?? 0,
              gid: step.owner?.gid ?? found?.info?.gid ?? 0,
            },
          });
          break;
        }
        case "remove": {
          const found = current.get(step.path);
          const before = found?.content ?? null;
          if (before === null) break;
          // A foreign file removed with --force, or ours edited by hand: keep it.
          if (ownershipOf(before, step.marker) !== "ours") {
            result.backups.push(
              await keepBackup(fs, step.path, before, step.backupDir),
            );
          }
          undo.push(restoreOf(step.path, found));
          try {
            await fs.remove(step.path);
          } catch (e) {
            throw fsError("remove", step.path, e);
          }
          current.set(step.path, { content: null, info: null });
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
      } else if (u.kind === "remove") {
        await fs.remove(u.path);
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
