/**
 * The sandbox side of the benchmark: where it works, the user whose manager it
 * measures, the unit files autostart would write (from the systemd driver's own plan,
 * through the public API) and the probe that times commands inside the box.
 *
 * @module
 */

import {
  type Context,
  FakeRunner,
  MemoryFs,
  type PlanContext,
  systemdDriver,
} from "../mod.ts";
import type { Sandbox } from "../tests/sandbox.ts";
import type { ProbeJob, ProbeResult } from "./probe.ts";

export const ROOT = new URL("..", import.meta.url).pathname;
export const WORK = `${ROOT}dist/bench`;
export const DENO = Deno.execPath();
export const USER = "u1";
const HOME = `/home/${USER}`;
export const UNIT_DIR = `${HOME}/.config/systemd/user`;
const WANTS = `${UNIT_DIR}/default.target.wants`;
export const SC = ["systemctl", "--user"];
/** The invoking user as plans see it (the file names of user units do not depend on it). */
const PLAN_CONTEXT: PlanContext = {
  os: "linux",
  env: {},
  cwd: "/",
  self: {
    name: USER,
    uid: 1000,
    gid: 1000,
    group: USER,
    home: HOME,
  },
  sudoUser: undefined,
};

/**
 * The unit file `autostart enable NAME -- /bin/sleep infinity` writes (without a
 * backoff cap), from the systemd driver's own plan: its name and its text.
 */
function unitFile(
  name: string,
  restartDelayMs = 2000,
): { name: string; text: string } {
  const plan = systemdDriver.plan({
    name,
    program: "/bin/sleep",
    args: ["infinity"],
    condition: "login",
    keepAlive: "on-failure",
    env: [],
    restartDelayMs,
    start: true,
  }, PLAN_CONTEXT);
  const step = plan.steps.find((s) =>
    s.kind === "write" && s.path.endsWith(".service")
  );
  if (step?.kind !== "write") throw new Error(`no unit file in ${name}'s plan`);
  return {
    name: step.path.slice(step.path.lastIndexOf("/") + 1),
    text: step.content,
  };
}

/** The unit name of a service. */
export const unitName = (name: string): string => unitFile(name).name;

/** The text of a service's unit file. */
export const unitText = (name: string, restartDelayMs?: number): string =>
  unitFile(name, restartDelayMs).text;

/**
 * The `--property=...` argument of the one `systemctl show` that `status NAME` runs,
 * asked of the systemd driver itself (on an in-memory machine with a recording
 * runner), so the raw command the benchmark compares with reads the same properties.
 */
export async function statusShowProperty(): Promise<string> {
  const unit = unitFile("one");
  const fs = new MemoryFs({ [`${UNIT_DIR}/${unit.name}`]: unit.text });
  fs.dirs.add("/run/systemd/system");
  fs.dirs.add("/run/user/1000/systemd/private");
  const runner = new FakeRunner();
  const ctx: Context = {
    ...PLAN_CONTEXT,
    env: { XDG_RUNTIME_DIR: "/run/user/1000" },
    runner,
    fs,
    lookupUser: () => Promise.resolve(null),
  };
  await systemdDriver.status("login", ctx, ["one"]);
  const show = runner.calls.find((c) => c.argv.includes("show"))?.argv;
  const property = show?.find((a) => a.startsWith("--property="));
  if (property === undefined) {
    throw new Error(
      `status ran no systemctl show: ${runner.lines().join("; ")}`,
    );
  }
  return property;
}

/** Throws with `what` and the command's stderr unless it exited 0. */
export async function must(
  p: Promise<{ code: number; stderr: string }>,
  what: string,
) {
  const r = await p;
  if (r.code !== 0) throw new Error(`${what}: ${r.stderr}`);
}

/** Runs a probe job inside the box as the benchmark user; its timings. */
export async function runProbe(
  box: Sandbox,
  job: ProbeJob,
): Promise<ProbeResult> {
  const file = `${WORK}/job-${crypto.randomUUID()}.json`;
  await Deno.writeTextFile(file, JSON.stringify(job));
  try {
    const r = await box.exec(
      [
        DENO,
        "run",
        "-A",
        "--quiet",
        "--no-config",
        `${ROOT}bench/probe.ts`,
        file,
      ],
      { user: USER },
    );
    if (r.code !== 0) throw new Error(`probe failed: ${r.stderr}`);
    const res = JSON.parse(r.stdout) as ProbeResult;
    for (const [label, err] of Object.entries(res.errors)) {
      console.error(`warning: ${label}: ${err}`);
    }
    return res;
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** The name of the `i`th service of the batch: batch0001, batch0002, ... */
export function batchName(i: number): string {
  return `batch${String(i).padStart(4, "0")}`;
}

/** Makes `batch0001..batchN` exist, enabled and running (as enable would leave them). */
export async function ensureBatch(box: Sandbox, have: number, want: number) {
  const names: string[] = [];
  for (let i = have + 1; i <= want; i++) {
    names.push(batchName(i));
  }
  if (names.length === 0) return;
  const dir = `${WORK}/units`;
  await Deno.mkdir(dir, { recursive: true });
  const units = names.map((n) => unitFile(n));
  for (const u of units) await Deno.writeTextFile(`${dir}/${u.name}`, u.text);
  await must(
    box.sh(
      `set -e; mkdir -p ${WANTS}; ` +
        `for f in ${dir}/*.service; do b=$(basename "$f"); ` +
        `[ -e ${UNIT_DIR}/$b ] && continue; cp "$f" ${UNIT_DIR}/$b; ` +
        `ln -sf ${UNIT_DIR}/$b ${WANTS}/$b; done; ` +
        `systemctl --user daemon-reload; systemctl --user start ${
          units.map((u) => u.name).join(" ")
        }`,
      { user: USER },
    ),
    `creating ${want} services`,
  );
  const running = await box.sh(
    "systemctl --user list-units --plain --no-legend --state=running 'autostart-batch*' | wc -l",
    { user: USER },
  );
  if (Number(running.stdout.trim()) !== want) {
    throw new Error(
      `${want} services should run, ${running.stdout.trim()} do`,
    );
  }
}
