/**
 * `deno task compile`: builds the release executables with `deno compile` for every
 * target (or the ones asked for), packs each into its archive and writes SHA256SUMS,
 * all under `dist/release/` (see `scripts/release_files.ts` for the layout).
 *
 * ```
 * deno task compile                                  # all targets
 * deno task compile --only x86_64-unknown-linux-gnu  # one target (--target is the same, repeatable)
 * deno task compile --out-dir /tmp/rel               # elsewhere
 * ```
 *
 * `deno compile` downloads its runtime (denort) for each target from dl.deno.land.
 * Where it cannot (no internet), this prints one message naming the cause and exits 1.
 * Drivers in `plugins/` are statically imported by the CLI, so they are compiled in;
 * the directory is also passed with `--include` when it exists, for plugins that are
 * loaded at run time.
 *
 * @module
 */

import { parseArgs } from "node:util";
import config from "../deno.json" with { type: "json" };
import {
  binaryName,
  packageRelease,
  type ReleaseBinary,
  TARGETS,
} from "./release_files.ts";

/** Result of compiling one target. */
export type CompileResult =
  | { ok: true; path: string }
  | { ok: false; message: string; runtimeUnavailable: boolean };

/** Options of {@link compileTarget}. */
export interface CompileTargetOptions {
  /** Project root, ending in "/". */
  root: string;
  /** Output directory. */
  outDir: string;
  /** Release version. */
  version: string;
  /** The deno executable (default: the running one). */
  deno?: string;
}

/** Removes ANSI colour sequences. */
function plain(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/**
 * Explains a failed `deno compile` whose cause is that it could not download the
 * runtime (denort) of the target. Deno 2.9 prints, when offline:
 *
 * ```
 * Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
 * error: Writing deno compile executable to temporary file '...'
 * Caused by:
 *     0: Setting up base binary.
 *     1: error sending request for url (https://dl.deno.land/...zip): client error (Connect): dns error: ...
 * ```
 *
 * @param target the target being compiled
 * @param stderr what `deno compile` printed
 * @returns the one message to show, or null when the failure is something else
 */
export function explainRuntimeFailure(
  target: string,
  stderr: string,
): string | null {
  const text = plain(stderr);
  const about = /Setting up base binary|denort|dl\.deno\.land/.test(text);
  const network =
    /error sending request|dns error|Connect|timed out|could not be found|Download could not|status code|certificate|proxy/i
      .test(text);
  if (!about || !network) return null;
  const url = /https?:\/\/\S+?denort-[^\s)]+\.zip/.exec(text)?.[0];
  const sending = /error sending request for url \([^)]*\): (.*)$/m.exec(text)
    ?.[1];
  const lines = text.split("\n").map((l) => l.trim()).filter(Boolean);
  const reason = sending ??
    lines.filter((l) => /^\d+: /.test(l)).map((l) => l.replace(/^\d+: /, ""))
      .at(-1) ??
    lines.find((l) => l.startsWith("error:"))?.slice(7) ??
    "unknown error";
  const host = url ? new URL(url).host : "dl.deno.land";
  return `compile: deno compile could not download the runtime for ${target} (denort${
    url ? ` from ${url}` : ""
  }): ${reason}\n` +
    `hint: no internet access to ${host} here; build on a machine with internet, or push a tag vX.Y.Z so .github/workflows/release.yml builds the release (offline, "deno task bundle" gives dist/autostart.js, which runs with "deno run -A")`;
}

/**
 * Compiles the CLI for one target into `outDir/autostart-VERSION-TARGET[.exe]`.
 *
 * @param target a `deno compile --target` triple
 * @param options root, output directory, version
 * @returns the executable's path, or why it failed
 */
export async function compileTarget(
  target: string,
  options: CompileTargetOptions,
): Promise<CompileResult> {
  const { root, outDir, version } = options;
  const out = `${outDir}/${binaryName(version, target)}`;
  const include: string[] = [];
  try {
    for await (const e of Deno.readDir(`${root}plugins`)) {
      if (e.isFile) {
        include.push("--include", `${root}plugins/`);
        break;
      }
    }
  } catch {
    // No plugins/ directory: nothing to include.
  }
  const r = await new Deno.Command(options.deno ?? Deno.execPath(), {
    args: [
      "compile",
      "--allow-all",
      "--config",
      `${root}deno.json`,
      "--target",
      target,
      "--output",
      out,
      ...include,
      `${root}main.ts`,
    ],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (r.success) return { ok: true, path: out };
  const stderr = new TextDecoder().decode(r.stderr);
  const runtime = explainRuntimeFailure(target, stderr);
  if (runtime) return { ok: false, message: runtime, runtimeUnavailable: true };
  return {
    ok: false,
    runtimeUnavailable: false,
    message: `compile: deno compile failed for ${target} (exit ${r.code}):\n${
      plain(stderr).trimEnd()
    }\nhint: run the command by hand: deno compile -A --target ${target} main.ts`,
  };
}

/** The target triple of the machine running this. */
export function hostTarget(): string {
  const { arch, os } = Deno.build;
  return os === "darwin"
    ? `${arch}-apple-darwin`
    : os === "windows"
    ? `${arch}-pc-windows-msvc`
    : `${arch}-unknown-linux-gnu`;
}

const USAGE =
  `usage: deno task compile [--only TARGET | --target TARGET...] [--out-dir DIR]
targets: ${TARGETS.join(", ")}`;

/**
 * Runs the compile script.
 *
 * @param args command-line arguments
 * @returns the exit code: 0 built, 1 a build failed, 2 bad arguments
 */
export async function main(args: string[]): Promise<number> {
  const root = new URL("..", import.meta.url).pathname;
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        only: { type: "string", multiple: true },
        target: { type: "string", multiple: true },
        "out-dir": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    console.error(`compile: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const asked = [...(values.only ?? []), ...(values.target ?? [])];
  const unknown = asked.filter((t) =>
    !(TARGETS as readonly string[]).includes(t)
  );
  if (unknown.length) {
    console.error(
      `compile: unknown target ${JSON.stringify(unknown[0])}\n${USAGE}`,
    );
    return 2;
  }
  const targets = asked.length ? [...new Set(asked)] : [...TARGETS];
  const outDir = values["out-dir"] ?? `${root}dist/release`;
  const version = config.version;
  await Deno.mkdir(outDir, { recursive: true });
  const built: ReleaseBinary[] = [];
  for (const target of targets) {
    console.error(`compile: ${target}`);
    const r = await compileTarget(target, { root, outDir, version });
    if (!r.ok) {
      console.error(r.message);
      return 1;
    }
    built.push({ target, path: r.path });
    if (target === hostTarget()) {
      const v = await new Deno.Command(r.path, {
        args: ["--version"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const said = new TextDecoder().decode(v.stdout).trim();
      if (said !== `autostart ${version}`) {
        console.error(
          `compile: the built ${r.path} answered --version with ${
            JSON.stringify(said)
          }, expected "autostart ${version}"`,
        );
        return 1;
      }
    }
  }
  const pkg = await packageRelease(built, { outDir, version });
  for (const b of built) console.log(b.path);
  for (const a of pkg.archives) console.log(a);
  console.log(pkg.sums);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`compile: ${(e as Error).message ?? e}`);
    Deno.exit(1);
  }
}
