/**
 * The timer that runs inside the sandbox, as the user whose services are measured, so
 * no `nsenter`/`runuser` cost lands in a measurement. Reads a {@link ProbeJob} (JSON
 * file named by the first argument) and prints a {@link ProbeResult} as JSON.
 *
 * Cases are interleaved (one run of each, then the next round) so slow drift of the
 * machine's load spreads over all of them; one untimed warm-up run of each comes first.
 *
 * @module
 */

/** A step: a command (no shell), or a file copied in-process (`[src, dst]`). */
export type ProbeStep = string[] | { copy: [string, string] };

/** One command (or sequence) to time. */
export interface ProbeCase {
  /** Key of the result. */
  label: string;
  /** The command, no shell. */
  argv: string[];
  /** Timed after `argv`, in order (a raw sequence such as write + reload + enable). */
  then?: ProbeStep[];
  /** Untimed, before each run (set-up). */
  before?: ProbeStep[];
  /** Untimed, after each run (clean-up). */
  after?: ProbeStep[];
  /** Also measure peak memory with `/usr/bin/time -f %M` (separate runs). */
  memory?: boolean;
}

/** Crash → restarted: kill the main process, wait for a new one. */
export interface CrashJob {
  /** `systemctl` prefix, e.g. `["systemctl", "--user"]`. */
  systemctl: string[];
  /** The unit. */
  unit: string;
  /** Crashes to time. */
  reps: number;
}

/** What the probe does. */
export interface ProbeJob {
  /** Timed runs of each case. */
  reps: number;
  /** Cases, interleaved. */
  cases: ProbeCase[];
  /** Crash → restarted latency, when asked. */
  crash?: CrashJob;
}

/** Milliseconds of each run and peak memory (KiB) per label. */
export interface ProbeResult {
  /** Wall times in ms. */
  ms: Record<string, number[]>;
  /** Peak resident set sizes in KiB. */
  kib: Record<string, number[]>;
  /** Crash → new main process, in ms. */
  restartMs: number[];
  /** First failure of a case (exit code and stderr), when one failed. */
  errors: Record<string, string>;
}

const dec = new TextDecoder();

async function step(s: ProbeStep): Promise<string | undefined> {
  if (!Array.isArray(s)) {
    await Deno.copyFile(s.copy[0], s.copy[1]);
    return undefined;
  }
  const o = await new Deno.Command(s[0]!, {
    args: s.slice(1),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return o.success
    ? undefined
    : `${s.join(" ").slice(0, 200)}: exit ${o.code}: ${
      dec.decode(o.stderr).slice(0, 500)
    }`;
}

async function once(c: ProbeCase): Promise<{ ms: number; err?: string }> {
  let err: string | undefined;
  for (const s of c.before ?? []) err ??= await step(s);
  const t0 = performance.now();
  err ??= await step(c.argv);
  for (const s of c.then ?? []) err ??= await step(s);
  const ms = performance.now() - t0;
  for (const s of c.after ?? []) err ??= await step(s);
  return err === undefined ? { ms } : { ms, err };
}

async function mainPid(job: CrashJob): Promise<number> {
  const o = await new Deno.Command(job.systemctl[0]!, {
    args: [
      ...job.systemctl.slice(1),
      "show",
      "-p",
      "MainPID",
      "--value",
      job.unit,
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return Number(dec.decode(o.stdout).trim()) || 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Kills the unit's main process `reps` times; ms until a new main process runs. */
async function crashes(job: CrashJob): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < job.reps; i++) {
    let pid = 0;
    for (let t = 0; t < 300 && pid === 0; t++) {
      pid = await mainPid(job);
      if (pid === 0) await sleep(20);
    }
    if (pid === 0) throw new Error(`${job.unit} has no main process`);
    const t0 = performance.now();
    Deno.kill(pid, "SIGKILL");
    while (true) {
      const now = await mainPid(job);
      if (now !== 0 && now !== pid) break;
      if (performance.now() - t0 > 30_000) {
        throw new Error(`${job.unit} was not restarted within 30 s`);
      }
    }
    out.push(performance.now() - t0);
    // Let it run a moment, so the next crash is not a start-limit burst.
    await sleep(300);
  }
  return out;
}

async function peakKib(argv: string[]): Promise<number> {
  const o = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", ...argv],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  const last = dec.decode(o.stderr).trim().split("\n").pop() ?? "";
  return Number(last);
}

/** Runs a job. */
export async function probe(job: ProbeJob): Promise<ProbeResult> {
  const res: ProbeResult = { ms: {}, kib: {}, errors: {}, restartMs: [] };
  for (const c of job.cases) {
    res.ms[c.label] = [];
    const w = await once(c);
    if (w.err) res.errors[c.label] = w.err;
  }
  for (let i = 0; i < job.reps; i++) {
    for (const c of job.cases) {
      const r = await once(c);
      res.ms[c.label]!.push(r.ms);
      if (r.err && !res.errors[c.label]) res.errors[c.label] = r.err;
    }
  }
  for (const c of job.cases) {
    if (!c.memory) continue;
    res.kib[c.label] = [];
    for (let i = 0; i < Math.min(job.reps, 5); i++) {
      res.kib[c.label]!.push(await peakKib(c.argv));
    }
  }
  if (job.crash) res.restartMs = await crashes(job.crash);
  return res;
}

if (import.meta.main) {
  const job = JSON.parse(await Deno.readTextFile(Deno.args[0]!)) as ProbeJob;
  console.log(JSON.stringify(await probe(job)));
}
