/**
 * A small model of systemd for fault injection: `systemctl` commands act on a state
 * (loaded unit definitions, enabled units, running units and the definition each was
 * started from) over a {@link MemoryFs}, the way systemd does: `daemon-reload` rereads
 * the unit directory, `enable` needs the file, `restart` runs the loaded definition.
 * `arm()` makes the next command or file operation fail, like a real failure would
 * (a failed restart leaves the service stopped).
 *
 * @module
 */

import type { MemoryFs } from "../../core/fake.ts";
import {
  bufferedStream,
  type CommandResult,
  type Runner,
  type RunOptions,
} from "../../core/runner.ts";

/** Comparable state of the model. */
export interface ModelState {
  /** Unit → definition systemd has loaded. */
  loaded: Record<string, string>;
  /** Enabled units. */
  enabled: string[];
  /** Running unit → the definition it was started from. */
  active: Record<string, string>;
}

/** The model; its `runner` answers `systemctl` commands. */
export class SystemdModel {
  /** Loaded definitions. */
  loaded: Map<string, string> = new Map();
  /** Enabled units. */
  enabled: Set<string> = new Set();
  /** Running units and their definition. */
  active: Map<string, string> = new Map();
  /** Every command, in order, with its exit code. */
  log: string[] = [];
  #armed = false;

  /**
   * @param fs The filesystem holding the unit directory.
   * @param dir The unit directory of the scope modelled.
   */
  constructor(readonly fs: MemoryFs, readonly dir: string) {
    fs.failOn = (op) => {
      if (op === "read" || !this.#armed) return false;
      this.#armed = false;
      return true;
    };
  }

  /** Makes the next command or file change fail. */
  arm(): void {
    this.#armed = true;
  }

  /** Whether an armed failure was not used. */
  get armed(): boolean {
    return this.#armed;
  }

  #file(unit: string): string | undefined {
    return this.fs.files.get(`${this.dir}/${unit}`)?.content;
  }

  /** Snapshot of the state. */
  state(): ModelState {
    const sorted = (m: Map<string, string>) =>
      Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));
    return {
      loaded: sorted(this.loaded),
      enabled: [...this.enabled].sort(),
      active: sorted(this.active),
    };
  }

  /** Invariants a finished operation must leave true. */
  problems(): string[] {
    const out: string[] = [];
    for (const u of this.enabled) {
      if (this.#file(u) === undefined) out.push(`${u} enabled without a file`);
    }
    for (const [u, def] of this.loaded) {
      const f = this.#file(u);
      if (f === undefined) out.push(`${u} loaded without a file`);
      else if (f !== def) out.push(`${u} loaded definition differs from file`);
    }
    for (const [u, def] of this.active) {
      if (this.#file(u) !== def) {
        out.push(`${u} runs a definition that is not its file`);
      }
    }
    return out;
  }

  /** Loads the unit directory, as boot or `daemon-reload` does. */
  reload(): void {
    this.loaded = new Map();
    for (const [p, f] of this.fs.files) {
      if (p.startsWith(`${this.dir}/`) && p.endsWith(".service")) {
        this.loaded.set(p.slice(this.dir.length + 1), f.content);
      }
    }
  }

  #definition(unit: string): string | undefined {
    return this.loaded.get(unit) ?? this.#file(unit);
  }

  #exec(argv: string[]): CommandResult {
    const ok = { code: 0, stdout: "", stderr: "" };
    const fail = (code: number, stderr: string) => ({
      code,
      stdout: "",
      stderr,
    });
    const args = argv.slice(1).filter((a) =>
      a !== "--user" && a !== "--no-block"
    );
    const now = args.includes("--now");
    const [sub, unit] = args.filter((a) =>
      a !== "--now" && a !== "--no-reload"
    );
    const injected = this.#armed;
    this.#armed = false;
    if (injected) {
      if (sub === "restart" && unit) this.active.delete(unit);
      return fail(1, `injected failure of ${sub}`);
    }
    switch (sub) {
      case "daemon-reload":
        this.reload();
        return ok;
      case "enable":
        if (this.#file(unit!) === undefined) {
          return fail(
            1,
            `Failed to enable unit: Unit file ${unit} does not exist.`,
          );
        }
        this.enabled.add(unit!);
        if (now) this.active.set(unit!, this.#definition(unit!)!);
        return ok;
      case "disable":
        if (this.#file(unit!) === undefined && !this.enabled.has(unit!)) {
          return fail(
            1,
            `Failed to disable unit: Unit file ${unit} does not exist.`,
          );
        }
        this.enabled.delete(unit!);
        if (now) this.active.delete(unit!);
        return ok;
      case "start":
      case "restart": {
        const def = this.#definition(unit!);
        if (def === undefined) return fail(5, `Unit ${unit} not found.`);
        if (sub === "restart" || !this.active.has(unit!)) {
          this.active.set(unit!, def);
        }
        return ok;
      }
      case "stop":
        if (this.#definition(unit!) === undefined) {
          return fail(5, `Unit ${unit} not loaded.`);
        }
        this.active.delete(unit!);
        return ok;
      case "reset-failed":
        return this.#definition(unit!) === undefined
          ? fail(5, `Unit ${unit} not loaded.`)
          : ok;
      case "show": {
        // The properties `status` reads, for the units after `--`.
        const units = args.slice(args.indexOf("--") + 1);
        const stdout = units.map((u) => {
          const def = this.#definition(u);
          const on = this.active.has(u);
          return [
            `Id=${u}`,
            `LoadState=${def === undefined ? "not-found" : "loaded"}`,
            `ActiveState=${on ? "active" : "inactive"}`,
            `SubState=${on ? "running" : "dead"}`,
            `UnitFileState=${this.enabled.has(u) ? "enabled" : "disabled"}`,
            `MainPID=${on ? 4242 : 0}`,
            "NRestarts=0",
            "",
          ].join("\n");
        }).join("\n");
        return { code: 0, stdout, stderr: "" };
      }
      default:
        return fail(1, `model: unknown command ${argv.join(" ")}`);
    }
  }

  /** The runner to give the context. */
  get runner(): Runner {
    const run = (argv: string[], _options?: RunOptions) => {
      const r = argv[0] === "systemctl"
        ? this.#exec(argv)
        : { code: 127, stdout: "", stderr: `${argv[0]}: not modelled` };
      this.log.push(`${argv.join(" ")} => ${r.code}`);
      return Promise.resolve(r);
    };
    return { run, stream: bufferedStream(run) };
  }
}
