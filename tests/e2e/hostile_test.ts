// The hostile-input corpus in a real systemd: a sample of the rejections through the
// real CLI (exit 2, one line, unit directories untouched), and EVERY round-trip case
// enabled for real, its program's /proc/PID/cmdline, environ and cwd (and log file,
// and uid for boot services) compared with the input, then disabled.
import { assertEquals, assertOk } from "../assert.ts";
import type { Sandbox } from "../sandbox.ts";
import {
  checkRejection,
  commandOf,
  enableArgv,
  expectedEnv,
  fixtureScript,
  groupServices,
  type HostileCase,
  loadCorpus,
  nameOf,
  optionValue,
  type Service,
  substitute,
} from "../hostile/corpus.ts";
import { E2E, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  uid = await b.addUser(USER);
  const r = await b.sh(fixtureScript(FIXDIR));
  assertEquals(r.code, 0, r.stderr);
});
const FIXDIR = "/tmp/hostile-fix";
const corpus = loadCorpus().map((c) => substitute(c, FIXDIR));
const USER = "u1";
let uid = 0;

/** Real init systems the round trip runs on. Add an entry to cover another driver. */
const TARGETS = [{
  driver: "systemd",
  unit: (name: string) => `autostart-${name}.service`,
  dirs: [`/home/${USER}/.config/systemd/user`, "/etc/systemd/system"],
}];

function invoker(c: HostileCase) {
  if (c.asPlainRoot) return {};
  if (c.condition === "boot") return { env: { SUDO_USER: USER } };
  return { user: USER };
}

async function listing(b: Sandbox, dirs: string[]): Promise<string> {
  const r = await b.sh(
    `find ${dirs.join(" ")} -printf '%p %s %T@ %m %u\\n' 2>/dev/null | sort`,
  );
  return r.stdout;
}

/** Reads cmdline, environ, cwd and uid of many processes in one go. */
async function readProcs(
  b: Sandbox,
  pids: number[],
): Promise<
  Map<
    number,
    { cmdline: string[]; environ: string[]; cwd: string; uid: number }
  >
> {
  const script = [
    "import base64, json, os, sys",
    "out = {}",
    "for pid in sys.argv[1:]:",
    "    d = '/proc/' + pid",
    "    rd = lambda f: base64.b64encode(open(d + '/' + f, 'rb').read()).decode()",
    "    out[pid] = {'cmdline': rd('cmdline'), 'environ': rd('environ'),",
    "      'cwd': base64.b64encode(os.fsencode(os.readlink(d + '/cwd'))).decode(),",
    "      'uid': os.stat(d).st_uid}",
    "print(json.dumps(out))",
  ].join("\n");
  const r = await b.exec(["python3", "-c", script, ...pids.map(String)]);
  if (r.code !== 0) throw new Error(`readProcs: ${r.stderr}`);
  const raw = JSON.parse(r.stdout) as Record<
    string,
    { cmdline: string; environ: string; cwd: string; uid: number }
  >;
  const dec = (s: string) =>
    new TextDecoder().decode(
      Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0)),
    );
  const split0 = (s: string) => {
    const parts = dec(s).split("\0");
    parts.pop();
    return parts;
  };
  return new Map(
    Object.entries(raw).map(([pid, v]) => [Number(pid), {
      cmdline: split0(v.cmdline),
      environ: split0(v.environ),
      cwd: dec(v.cwd),
      uid: v.uid,
    }]),
  );
}

for (const target of TARGETS) {
  Deno.test({
    name:
      `hostile e2e (${target.driver}): sampled rejections exit 2 through the real CLI and touch no unit directory`,
    ...E2E,
    async fn() {
      const b = await box.get();
      const rejects = corpus.filter((c) =>
        c.expect === "reject" && !c.inProcessOnly
      );
      const sample = rejects.filter((c, i) =>
        c.id.startsWith("hp-") || i % 3 === 0
      );
      const before = await listing(b, target.dirs);
      const failures: string[] = [];
      for (const c of sample) {
        const r = await b.autostart(enableArgv(c, target.driver), invoker(c));
        const problems = checkRejection(c, r);
        if (problems.length) failures.push(`${c.id}: ${problems.join("; ")}`);
      }
      assertEquals(failures, []);
      assertEquals(
        await listing(b, target.dirs),
        before,
        "unit dirs unchanged",
      );
      const pwned = await b.exec(["test", "-e", "/tmp/pwned"]);
      assertOk(pwned.code !== 0, "no injected command ran");
      console.log(
        `${target.driver}: ${sample.length} of ${rejects.length} exec-able rejections checked through the real CLI`,
      );
    },
  });

  Deno.test({
    name:
      `hostile e2e (${target.driver}): every round-trip case reaches the program exactly`,
    ...E2E,
    async fn() {
      const b = await box.get();
      const cases = corpus.filter((c) => c.expect === "roundtrip");
      const services = groupServices(cases);
      const t0 = performance.now();
      const failures: string[] = [];
      for (const s of services) {
        const r = await b.autostart(
          enableArgv(s.run, target.driver),
          invoker(s.run),
        );
        if (r.code !== 0) {
          failures.push(
            `${
              s.cases.map((c) => c.id).join(",")
            }: enable exit ${r.code}: ${r.stderr}`,
          );
        }
      }
      assertEquals(failures, [], "every round-trip service enables");
      const tEnable = performance.now() - t0;

      const pids = new Map<string, number>();
      for (const boot of [false, true]) {
        const mine = services.filter((s) =>
          (s.run.condition === "boot") === boot
        );
        if (mine.length === 0) continue;
        const units = mine.map((s) => target.unit(s.name));
        await b.waitFor("every service to have a main PID", async () => {
          const r = await b.exec(
            [
              "systemctl",
              ...(boot ? [] : ["--user"]),
              "show",
              "-p",
              "Id",
              "-p",
              "MainPID",
              "--",
              ...units,
            ],
            boot ? {} : { user: USER },
          );
          for (const block of r.stdout.split("\n\n")) {
            const id = /Id=(.*)/.exec(block)?.[1];
            const pid = Number(/MainPID=(\d+)/.exec(block)?.[1] ?? 0);
            if (id && pid) pids.set(id, pid);
          }
          return units.every((u) => pids.has(u));
        }, 15_000).catch(() => {});
      }
      const procs = await readProcs(b, [...pids.values()]);
      let checked = 0;
      for (const s of services) {
        const pid = pids.get(target.unit(s.name));
        const p = pid === undefined ? undefined : procs.get(pid);
        if (p === undefined) {
          failures.push(`${s.cases.map((c) => c.id).join(",")}: not running`);
          continue;
        }
        failures.push(...compare(s, p));
        checked += s.cases.length;
      }
      for (const s of services) {
        const c = s.run;
        const logDir = optionValue(c, "log-dir");
        if (logDir === undefined) continue;
        const r = await b.exec(["test", "-f", `${logDir}/${nameOf(c)}.log`]);
        if (r.code !== 0) failures.push(`${c.id}: no log file in ${logDir}`);
      }
      assertEquals(failures, []);
      const t1 = performance.now();
      for (const s of services) {
        const r = await b.autostart(
          ["disable", s.name],
          invoker(s.run),
        );
        if (r.code !== 0) failures.push(`${s.name}: disable: ${r.stderr}`);
      }
      assertEquals(failures, []);
      const left = await b.sh(
        `ls -A ${
          target.dirs.join(" ")
        } 2>/dev/null | grep '^autostart-' || true`,
      );
      assertEquals(left.stdout, "", "disable removed every unit");
      console.log(
        `${target.driver}: ${checked} round-trip cases in ${services.length} services: enable ${
          Math.round(tEnable)
        } ms, disable ${Math.round(performance.now() - t1)} ms`,
      );
    },
  });
}

/** Differences between what a service's cases asked for and what its process got. */
function compare(
  s: Service,
  p: { cmdline: string[]; environ: string[]; cwd: string; uid: number },
): string[] {
  const out: string[] = [];
  const want = commandOf(s.run);
  const got = [...p.cmdline];
  if (!want[0]!.includes("/") && got[0]?.endsWith(`/${want[0]}`)) {
    got[0] = want[0]!; // a bare name is resolved in PATH
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    // attribute the difference to the cases whose arguments differ
    let at = commandOf({ ...s.run, args: [] }).length;
    for (const c of s.cases) {
      const n = c.args?.length ?? 0;
      const seg = got.slice(at, at + n);
      if (JSON.stringify(seg) !== JSON.stringify(c.args ?? [])) {
        out.push(
          `${c.id}: arguments ${
            JSON.stringify(c.args).slice(0, 200)
          } arrived as ${JSON.stringify(seg).slice(0, 200)}`,
        );
      }
      at += n;
    }
    if (out.length === 0) {
      out.push(`${s.name}: cmdline ${JSON.stringify(got).slice(0, 300)}`);
    }
  }
  const env = new Map(
    p.environ.map((
      e,
    ) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
  for (const c of s.cases) {
    const last = new Map(expectedEnv(c));
    for (const [k, v] of last) {
      if (env.get(k) !== v) {
        out.push(
          `${c.id}: ${k}=${JSON.stringify(v).slice(0, 100)} arrived as ${
            JSON.stringify(env.get(k))?.slice(0, 100)
          }`,
        );
      }
    }
    const cwd = optionValue(c, "cwd");
    if (cwd !== undefined && p.cwd !== cwd) {
      out.push(
        `${c.id}: cwd ${JSON.stringify(cwd)} arrived as ${
          JSON.stringify(p.cwd)
        }`,
      );
    }
    if (c.condition === "boot") {
      const wantUid = c.options?.includes("root") ? 0 : uid;
      if (p.uid !== wantUid) {
        out.push(`${c.id}: runs as uid ${p.uid}, not ${wantUid}`);
      }
    }
  }
  return out;
}

Deno.test({
  name: "hostile e2e: stop the sandbox",
  ...E2E,
  fn: () => box.stop(),
});
