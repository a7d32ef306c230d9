/**
 * The hostile-input corpus (tests/fixtures/hostile/*.json) as data, and what the tests
 * do with it: build the `autostart enable` command line of a case, the fixture files the
 * cases refer to (`@FIX@`), the expected argv/environment/cwd of a round trip, and the
 * grouping of round-trip cases into few services for the real-systemd run.
 *
 * Driver-generic: the in-process test iterates {@link IN_PROCESS_TARGETS}; a new driver
 * is covered by adding one entry there (and one to the e2e file's target list where a
 * real init system exists).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { MemoryFs } from "../../core/fake.ts";
import { absolutePath } from "../../core/spec.ts";
import { ALICE, fakeContext, ROOT, ROOT_USER } from "../helpers.ts";

/** One hostile input and what must happen to it. */
export interface HostileCase {
  /** Unique id. */
  id: string;
  /** What it probes. */
  why: string;
  /** `reject`: exit 2, one-line reason, nothing written. `roundtrip`: exact delivery. */
  expect: "reject" | "roundtrip";
  /** Service name (default: derived from the case). */
  name?: string;
  /** Program (default: a python3 sleeper that accepts any arguments). */
  program?: string;
  /** Arguments after the program. */
  args?: string[];
  /** `--env` values, raw (`KEY=VALUE`). */
  env?: string[];
  /** Other options, before `--`. */
  options?: string[];
  /** `boot`: run as root with SUDO_USER set (default `login`, as the user). */
  condition?: "login" | "boot";
  /** Omit the `--` and command entirely. */
  noCommand?: boolean;
  /** Invoke as root without SUDO_USER. */
  asPlainRoot?: boolean;
  /** Regular expression the first line of the error must match (rejections). */
  reason?: string;
  /** Cannot go through exec (NUL, lone surrogates): in-process only. */
  inProcessOnly?: boolean;
}

/** Placeholder for the fixture directory in case strings. */
export const FIX = "@FIX@";

/** The default program: sleeps forever and accepts any argument. */
export const SLEEPER = [
  "/usr/bin/python3",
  "-c",
  "import time; time.sleep(1e6)",
];

const DIR = `${ROOT}tests/fixtures/hostile`;

/** Expands `@REPEAT:N:TEXT@` (long values, stored compactly) in every string of a case. */
export function expand(c: HostileCase): HostileCase {
  return mapStrings(
    c,
    (v) =>
      v.replace(
        /@REPEAT:(\d+):([^@]*)@/g,
        (_m, n: string, t: string) => t.repeat(Number(n)),
      ),
  );
}

function mapStrings(c: HostileCase, s: (v: string) => string): HostileCase {
  return {
    ...c,
    ...(c.name !== undefined ? { name: s(c.name) } : {}),
    ...(c.program !== undefined ? { program: s(c.program) } : {}),
    ...(c.args ? { args: c.args.map(s) } : {}),
    ...(c.env ? { env: c.env.map(s) } : {}),
    ...(c.options ? { options: c.options.map(s) } : {}),
  };
}

/** Loads every `*.json` corpus file, in name order; ids are checked to be unique. */
export function loadCorpus(): HostileCase[] {
  const files = [...Deno.readDirSync(DIR)]
    .filter((e) => e.name.endsWith(".json"))
    .map((e) => e.name)
    .sort();
  const cases: HostileCase[] = [];
  for (const f of files) {
    const doc = JSON.parse(Deno.readTextFileSync(`${DIR}/${f}`)) as {
      cases: HostileCase[];
    };
    cases.push(...doc.cases.map(expand));
  }
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) throw new Error(`corpus: duplicate id ${c.id}`);
    seen.add(c.id);
  }
  return cases;
}

/** Replaces {@link FIX} in every string of a case. */
export function substitute(c: HostileCase, fix: string): HostileCase {
  return mapStrings(c, (v) => v.replaceAll(FIX, fix));
}

/** The service name a case uses. */
export function nameOf(c: HostileCase): string {
  return c.name ?? `h-${c.id}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64);
}

/** The full program line the service runs (program plus arguments). */
export function commandOf(c: HostileCase): string[] {
  return c.program === undefined
    ? [...SLEEPER, ...(c.args ?? [])]
    : [c.program, ...(c.args ?? [])];
}

/** `autostart` arguments of a case (after substitution). */
export function enableArgv(c: HostileCase, driver?: string): string[] {
  const argv = ["enable", nameOf(c)];
  if (driver !== undefined) argv.push(`--driver=${driver}`);
  if (c.condition === "boot") argv.push("--condition=boot");
  for (const e of c.env ?? []) argv.push("--env", e);
  argv.push(...(c.options ?? []));
  if (!c.noCommand) argv.push("--", ...commandOf(c));
  return argv;
}

/** Environment pairs a round trip must deliver. */
export function expectedEnv(c: HostileCase): [string, string][] {
  return (c.env ?? []).map((e) => {
    const i = e.indexOf("=");
    return [e.slice(0, i), e.slice(i + 1)];
  });
}

/** Value of an option of the case (`--cwd X` or `--cwd=X`), resolved to an absolute path. */
export function optionValue(c: HostileCase, name: string): string | undefined {
  const o = c.options ?? [];
  for (let i = 0; i < o.length; i++) {
    if (o[i] === `--${name}`) return absolutePath("/", o[i + 1]!);
    if (o[i]!.startsWith(`--${name}=`)) {
      return absolutePath("/", o[i]!.slice(name.length + 3));
    }
  }
  return undefined;
}

/**
 * A bash script (test set-up only) creating the fixture directory the cases refer to:
 * awkward directory names, an executable and a non-executable script, programs behind
 * awkward paths (symlinks to sleep), and a world-writable log root.
 */
export function fixtureScript(fix: string): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  return [
    `rm -rf ${q(fix)}`,
    ...FIXTURE_DIRS.map((d) => `mkdir -p ${q(`${fix}/${d}`)}`),
    `printf '#!/bin/sh\\nexec sleep 1000000\\n' > ${q(`${fix}/exec.sh`)}`,
    `chmod 755 ${q(`${fix}/exec.sh`)}`,
    `cp ${q(`${fix}/exec.sh`)} ${q(`${fix}/noexec.sh`)}`,
    `chmod 644 ${q(`${fix}/noexec.sh`)}`,
    `ln -s /usr/bin/sleep ${q(`${fix}/bin dir/prog with space`)}`,
    `ln -s /usr/bin/sleep ${q(`${fix}/bin dir/q"uote's %h $HOME`)}`,
    `ln -s /usr/bin/sleep ${q(`${fix}/bin dir/pct%h $HOME {x}`)}`,
    `chmod -R a+rX ${q(fix)}`,
    `chmod 777 ${q(`${fix}/logs`)}`,
  ].join("\n");
}

/** The directories of {@link fixtureScript}, relative to the fixture. */
const FIXTURE_DIRS = [
  "dir",
  "dir with space",
  "back\\slash",
  `quote"d'ir`,
  "pct%h",
  "ünï ✓",
  "trail\\",
  "trail ",
  "bin dir",
  "logs",
];

/**
 * The fixture of {@link fixtureScript} in an in-memory file system, for in-process
 * runs (specs resolve through `ctx.fs`): the same directories (root's, 0755; `logs`
 * 0777, under a `/tmp` writable by all), `exec.sh` (0755), `noexec.sh` (0644) and the
 * programs behind awkward names (sleep, 0755). Returns `fs`.
 */
export function seedHostFixture(fs: MemoryFs, fix: string): MemoryFs {
  fs.setInfo("/tmp", { mode: 0o1777 });
  fs.setInfo(fix, { mode: 0o755 });
  for (const d of FIXTURE_DIRS) fs.setInfo(`${fix}/${d}`, { mode: 0o755 });
  fs.setInfo(`${fix}/logs`, { mode: 0o777 });
  fs.addProgram(`${fix}/exec.sh`);
  fs.addProgram(`${fix}/noexec.sh`, { mode: 0o644 });
  for (const p of ["prog with space", `q"uote's %h $HOME`, "pct%h $HOME {x}"]) {
    fs.addProgram(`${fix}/bin dir/${p}`);
  }
  return fs;
}

/** Creates the fixture directory on this machine; returns its path. */
export async function makeHostFixture(): Promise<string> {
  const fix = await Deno.makeTempDir({ prefix: "autostart-hostile-" });
  const r = await new Deno.Command("bash", {
    args: ["-c", fixtureScript(fix)],
  }).output();
  if (!r.success) {
    throw new Error(`fixture: ${new TextDecoder().decode(r.stderr)}`);
  }
  return fix;
}

/**
 * What is wrong with the result of a rejected case: exit 2, `error: ...` on one line
 * (plus an optional `hint: ...` line), matching the case's reason.
 */
export function checkRejection(
  c: HostileCase,
  r: { code: number; stderr: string },
): string[] {
  const problems: string[] = [];
  if (r.code !== 2) problems.push(`exit ${r.code}`);
  const lines = r.stderr.replace(/\n$/, "").split("\n");
  if (!/^error: \S/.test(lines[0]!)) problems.push("no error line");
  if (
    !(lines.length === 1 || (lines.length === 2 && /^hint: /.test(lines[1]!)))
  ) {
    problems.push("more than one line of reason");
  }
  if (lines[0]!.length > 400) problems.push("reason longer than 400");
  if (c.reason && !new RegExp(c.reason).test(lines[0]!)) {
    problems.push(`reason does not match /${c.reason}/`);
  }
  if (problems.length) problems.push(`stderr: ${r.stderr.slice(0, 300)}`);
  return problems;
}

/** A driver the in-process corpus and fault tests run against. */
export interface InProcessTarget {
  /** Driver id (passed as `--driver`). */
  driver: string;
  /** A fresh fake context for a case: as the user, or as root (boot). */
  context(as: "user" | "root-sudo" | "root"): Context;
  /** Ids of `reject` cases that only another init system refuses, and this one delivers. */
  accepts?: string[];
}

/** Drivers the in-process tests cover. Add an entry to cover another driver. */
export const IN_PROCESS_TARGETS: InProcessTarget[] = [
  {
    driver: "systemd",
    context(as) {
      if (as === "user") return fakeContext();
      return fakeContext({
        self: ROOT_USER,
        sudoUser: as === "root-sudo" ? ALICE.name : undefined,
        env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/root" },
      });
    },
  },
  {
    // runit: sv on PATH and a runsvdir watching the default service directories.
    driver: "runit",
    // sh quoting carries quotes and backslashes in the program path exactly.
    accepts: ["program-path-with-quotes"],
    context(as) {
      const root = as !== "user";
      const ctx = fakeContext({
        ...(root
          ? {
            self: ROOT_USER,
            sudoUser: as === "root-sudo" ? ALICE.name : undefined,
            env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: "/root" },
          }
          : {}),
      });
      const fs = ctx.fs;
      fs.files.set("/usr/bin/sv", { content: "", mode: 0o755 });
      const dir = root ? "/etc/service" : `${ALICE.home}/service`;
      fs.files.set("/proc/1/cmdline", {
        content: `runsvdir\0-P\0${dir}\0`,
        mode: 0o444,
      });
      fs.files.set("/proc/1/status", {
        content: `Uid:\t${root ? 0 : ALICE.uid}\t0\t0\t0\n`,
        mode: 0o444,
      });
      fs.dirs.add("/proc/1");
      return ctx;
    },
  },
];

/** A service of the real-systemd run: one case, or several merged. */
export interface Service {
  /** Service name. */
  name: string;
  /** The cases it carries. */
  cases: HostileCase[];
  /** The case whose command line is enabled (merged: a synthetic one). */
  run: HostileCase;
}

/**
 * Groups round-trip cases into services: cases that only add arguments and environment
 * values to the default program are merged (up to `size` per service); the rest get one
 * service each.
 */
export function groupServices(cases: HostileCase[], size = 12): Service[] {
  const out: Service[] = [];
  let group: HostileCase[] = [];
  let keys = new Set<string>();
  const flush = () => {
    if (group.length === 0) return;
    const name = `merged-${out.length}`;
    out.push({
      name,
      cases: group,
      run: {
        id: name,
        why: "merged",
        expect: "roundtrip",
        name,
        args: group.flatMap((c) => c.args ?? []),
        env: group.flatMap((c) => c.env ?? []),
      },
    });
    group = [];
    keys = new Set();
  };
  for (const c of cases) {
    const simple = c.name === undefined && c.program === undefined &&
      !c.options?.length && c.condition === undefined && !c.asPlainRoot;
    const ks = expectedEnv(c).map(([k]) => k);
    if (!simple || ks.some((k) => keys.has(k) || k === "PATH")) {
      if (simple) flush();
      else {
        out.push({ name: nameOf(c), cases: [c], run: c });
        continue;
      }
    }
    group.push(c);
    ks.forEach((k) => keys.add(k));
    if (group.length >= size) flush();
  }
  flush();
  return out;
}
