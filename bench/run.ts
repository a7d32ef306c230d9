/**
 * `deno task bench [--quick] [--json FILE]`: boots a real systemd in a sandbox (see
 * tests/sandbox.ts), and measures the bundled single file (`dist/autostart.js`) side by
 * side with the raw `systemctl` commands that do the same work, in one run, in the
 * login scope (the user manager of a lingering user, `systemctl --user`). Prints a
 * table of medians, minimums, ratios and targets met or missed. Method and numbers:
 * docs/benchmarks.md.
 *
 * @module
 */

import { bootSandbox, type Sandbox, sandboxSupport } from "../tests/sandbox.ts";
import {
  batchName,
  DENO,
  ensureBatch,
  must,
  ROOT,
  runProbe,
  SC,
  statusShowProperty,
  UNIT_DIR,
  unitName,
  unitText,
  USER,
  WORK,
} from "./box.ts";
import type { ProbeCase } from "./probe.ts";
import { renderTable, type Row, summarize } from "./stats.ts";

/** Restart delay of the crash test, ms. */
const CRASH_DELAY_MS = 1000;

/** Settings of one benchmark run. */
export interface BenchOptions {
  /** Timed repetitions of each command. */
  reps: number;
  /** Numbers of managed services measured by the scale test. */
  sizes: number[];
  /** Crashes timed. */
  crashes: number;
}

/** Reads the command line of `bench/run.ts`. */
export function benchOptions(args: readonly string[]): BenchOptions {
  return args.includes("--quick")
    ? { reps: 3, sizes: [1, 500], crashes: 2 }
    : { reps: 9, sizes: [1, 50, 200, 500], crashes: 3 };
}

const AUTOSTART = [
  DENO,
  "run",
  "-A",
  "--quiet",
  "--no-config",
  `${ROOT}dist/autostart.js`,
];
const BARE = [DENO, "run", "-A", "--quiet", "--no-config", `${WORK}/empty.js`];

const s = (v: number[]) => summarize(v);
const med = (v: number[] | undefined) => summarize(v ?? [NaN]).median;
const least = (v: number[] | undefined) => summarize(v ?? [NaN]).min;

/** Runs the benchmark; returns the rows of the table. */
export async function bench(
  box: Sandbox,
  o: BenchOptions,
  log: (line: string) => void,
): Promise<Row[]> {
  const rows: Row[] = [];
  await box.addUser(USER);
  await Deno.mkdir(WORK, { recursive: true });
  await Deno.writeTextFile(`${WORK}/empty.js`, 'console.log("");\n');
  await Deno.writeTextFile(`${WORK}/raw.service`, unitText("raw"));
  const as = (...args: string[]) => [...AUTOSTART, ...args];

  // 1. One service; cold start of --version and --help.
  log("single service, cold start");
  await must(
    box.autostart(["enable", "one", "--", "/bin/sleep", "infinity"], {
      user: USER,
    }),
    "enable one",
  );
  const props = await statusShowProperty();
  const one: ProbeCase[] = [
    { label: "bare", argv: BARE, memory: true },
    { label: "version", argv: as("--version"), memory: true },
    { label: "help", argv: as("--help"), memory: true },
    { label: "status1", argv: as("status", "one"), memory: true },
    { label: "fast1", argv: as("status", "--fast", "one"), memory: true },
    { label: "show1", argv: [...SC, "show", props, "--", unitName("one")] },
  ];
  const r1 = await runProbe(box, { reps: o.reps, cases: one });
  const bare = med(r1.ms.bare);
  const show1 = med(r1.ms.show1);
  const bareMin = least(r1.ms.bare), show1Min = least(r1.ms.show1);
  rows.push(
    { what: "deno run (empty script)", value: s(r1.ms.bare!), unit: "ms" },
    { what: "raw systemctl show NAME", value: s(r1.ms.show1!), unit: "ms" },
    {
      what: "status NAME",
      value: s(r1.ms.status1!),
      unit: "ms",
      against: "deno + show",
      base: bare + show1,
      baseMin: bareMin + show1Min,
      budget: 1.5 * (bare + show1),
      target: "<= 1.5x",
    },
    {
      what: "status --fast NAME",
      value: s(r1.ms.fast1!),
      unit: "ms",
      against: "deno + show",
      base: bare + show1,
      baseMin: bareMin + show1Min,
    },
    {
      what: "--version (cold start)",
      value: s(r1.ms.version!),
      unit: "ms",
      against: "deno",
      base: bare,
      baseMin: bareMin,
    },
    {
      what: "--help (cold start)",
      value: s(r1.ms.help!),
      unit: "ms",
      against: "deno",
      base: bare,
      baseMin: bareMin,
    },
  );
  const mib = (label: string) =>
    summarize((r1.kib[label] ?? [NaN]).map((k) => k / 1024));
  for (
    const [label, what] of [
      ["bare", "peak memory, deno run (empty)"],
      ["version", "peak memory, --version"],
      ["status1", "peak memory, status NAME"],
    ] as const
  ) {
    rows.push({
      what,
      value: mib(label),
      unit: "MiB",
      ...(label === "status1" ? { budget: 60, target: "<= 60 MiB" } : {}),
    });
  }

  // 2. enable vs the raw sequence; crash → restarted.
  log("enable vs raw sequence, crash -> restart");
  await must(
    box.autostart([
      "enable",
      "crashy",
      `--restart-delay=${CRASH_DELAY_MS}ms`,
      // The latency of one restart, not the backoff of repeated crashes.
      `--restart-max-delay=${CRASH_DELAY_MS}ms`,
      "--",
      "/bin/sleep",
      "infinity",
    ], { user: USER }),
    "enable crashy",
  );
  const rawUnit = `${UNIT_DIR}/${unitName("raw")}`;
  const r2 = await runProbe(box, {
    reps: Math.max(3, Math.ceil(o.reps / 2)),
    cases: [
      {
        label: "enable",
        argv: as(
          "enable",
          "fresh",
          "--no-wait",
          "--",
          "/bin/sleep",
          "infinity",
        ),
        after: [as("disable", "fresh")],
      },
      {
        label: "enableWait",
        argv: as("enable", "fresh", "--", "/bin/sleep", "infinity"),
        after: [as("disable", "fresh")],
      },
      {
        label: "raw",
        argv: ["cp", `${WORK}/raw.service`, rawUnit],
        then: [
          [...SC, "daemon-reload"],
          [...SC, "enable", "--now", unitName("raw")],
        ],
        after: [
          [...SC, "disable", "--now", unitName("raw")],
          ["rm", "-f", rawUnit],
          [...SC, "daemon-reload"],
        ],
      },
    ],
    crash: {
      systemctl: SC,
      unit: unitName("crashy"),
      reps: o.crashes,
    },
  });
  rows.push(
    {
      what: "raw: write unit, daemon-reload, enable --now",
      value: s(r2.ms.raw!),
      unit: "ms",
    },
    {
      // The raw sequence does not check that the program stays up; this is the
      // like-for-like form.
      what: "enable --no-wait NAME -- CMD",
      value: s(r2.ms.enable!),
      unit: "ms",
      against: "raw sequence",
      base: med(r2.ms.raw),
      baseMin: least(r2.ms.raw),
      budget: 1.3 * med(r2.ms.raw),
      target: "<= 1.3x",
    },
    {
      // The default: also waits until the program has stayed up for 1 s.
      what: "enable NAME -- CMD (waits until it runs)",
      value: s(r2.ms.enableWait!),
      unit: "ms",
    },
    {
      what: `crash -> restarted (delay ${CRASH_DELAY_MS} ms)`,
      value: s(r2.restartMs),
      unit: "ms",
      against: "restart delay",
      base: CRASH_DELAY_MS,
      baseMin: CRASH_DELAY_MS,
      budget: CRASH_DELAY_MS + 500,
      target: "<= delay + 0.5 s",
    },
  );
  await must(box.autostart(["disable", "one"], { user: USER }), "disable one");
  await must(
    box.autostart(["disable", "crashy"], { user: USER }),
    "disable crashy",
  );

  // 3. status / list of N services vs one batched show and list-units.
  let have = 0;
  const perUnit: Record<number, { status: number; show: number }> = {};
  for (const n of o.sizes) {
    log(`${n} services`);
    await ensureBatch(box, have, n);
    have = n;
    const units: string[] = [];
    for (let i = 1; i <= n; i++) {
      units.push(unitName(batchName(i)));
    }
    const r = await runProbe(box, {
      reps: o.reps,
      cases: [
        { label: "bare", argv: BARE },
        { label: "status", argv: as("status") },
        { label: "list", argv: as("list") },
        { label: "fast", argv: as("status", "--fast") },
        { label: "show", argv: [...SC, "show", props, "--", ...units] },
        {
          label: "listunits",
          argv: [
            ...SC,
            "list-units",
            "--all",
            "--plain",
            "--no-legend",
            "--full",
            "autostart-*",
          ],
        },
      ],
    });
    const b = med(r.ms.bare), sh = med(r.ms.show), lu = med(r.ms.listunits);
    const bMin = least(r.ms.bare), shMin = least(r.ms.show);
    const luMin = least(r.ms.listunits);
    perUnit[n] = { status: med(r.ms.status), show: sh };
    rows.push(
      {
        what: `raw batched show, ${n} units`,
        value: s(r.ms.show!),
        unit: "ms",
      },
      {
        what: `raw list-units, ${n} units`,
        value: s(r.ms.listunits!),
        unit: "ms",
      },
      ...(["status", "list"] as const).map((cmd): Row => ({
        what: `${cmd}, ${n} services`,
        value: s(r.ms[cmd]!),
        unit: "ms",
        against: "deno + show",
        base: b + sh,
        baseMin: bMin + shMin,
        budget: 1.2 * sh + b,
        target: "<= 1.2x show + deno",
      })),
      {
        what: `status --fast, ${n} services`,
        value: s(r.ms.fast!),
        unit: "ms",
        against: "deno + list-units",
        base: b + lu,
        baseMin: bMin + luMin,
        budget: 3 * lu + b,
        target: "<= 3x list-units + deno",
      },
    );
  }
  const first = o.sizes[0]!, last = o.sizes[o.sizes.length - 1]!;
  if (last > first) {
    const a = perUnit[first]!, z = perUnit[last]!;
    const showPer = (z.show - a.show) / (last - first);
    rows.push({
      what: `status, cost per extra service (${first}..${last})`,
      value: summarize([(z.status - a.status) / (last - first)]),
      unit: "ms",
      against: "show per extra unit",
      base: showPer,
      budget: 1.2 * showPer,
      target: "linear, <= 1.2x show",
    });
  }
  return rows;
}

if (import.meta.main) {
  const opts = benchOptions(Deno.args);
  const sup = sandboxSupport();
  if (!sup.ok && !sup.why.includes("dist/autostart.js")) {
    console.log(`skipped: the benchmark needs a sandboxed systemd: ${sup.why}`);
    Deno.exit(0);
  }
  const b = await new Deno.Command(DENO, {
    args: ["run", "-A", "--quiet", `${ROOT}scripts/bundle.ts`],
    stdout: "null",
  }).output();
  if (!b.success) Deno.exit(1);
  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ")
    .slice(0, 3).join(" ");
  const t0 = Date.now();
  console.log(
    `autostart benchmark: login scope (systemctl --user), ${opts.reps} runs each, load ${load}`,
  );
  // A loaded machine can make the first boot time out: try twice.
  const box = await bootSandbox().catch(() => bootSandbox());
  const stop = () => box.stop();
  Deno.addSignalListener("SIGINT", () => {
    stop().finally(() => Deno.exit(130));
  });
  let rows: Row[];
  try {
    rows = await bench(box, opts, (l) => console.log(`- ${l}`));
  } finally {
    await stop();
  }
  const loadAfter = (await Deno.readTextFile("/proc/loadavg")).split(" ")
    .slice(0, 3).join(" ");
  console.log("");
  console.log(renderTable(rows));
  console.log(
    `${Deno.build.os} ${Deno.build.arch}, ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}; ` +
      `load ${load} before, ${loadAfter} after; ${
        ((Date.now() - t0) / 1000).toFixed(0)
      } s`,
  );
  const i = Deno.args.indexOf("--json");
  if (i >= 0 && Deno.args[i + 1]) {
    await Deno.writeTextFile(
      Deno.args[i + 1]!,
      JSON.stringify({ load, loadAfter, options: opts, rows }, null, 2) + "\n",
    );
  }
  await Deno.remove(WORK, { recursive: true }).catch(() => {});
}
