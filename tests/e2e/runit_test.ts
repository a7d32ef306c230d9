// runit for real: runsvdir runs as an ordinary process on a temporary service directory
// (SVDIR, with the service directories in a temporary AUTOSTART_RUNIT_SV_DIR), and the
// bundled CLI enables, checks, kills, stops, starts and disables services there. The
// round-trip cases of the hostile corpus reach their program exactly (compared with
// /proc/PID/cmdline, environ and cwd). Every process started here is killed at the end.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { mapLimited } from "../../core/kit/map_limited.ts";
import {
  commandOf,
  expectedEnv,
  groupServices,
  type HostileCase,
  loadCorpus,
  makeHostFixture,
  nameOf,
  optionValue,
  type Service,
  substitute,
} from "../hostile/corpus.ts";
import {
  alive,
  has,
  list,
  OPTS,
  processesUnder,
  readProc,
  RunitBox,
  SLEEP,
  why,
} from "./_runit_box.ts";

Deno.test({
  name:
    "runit e2e: enable runs the program, SIGKILL makes runit restart it, status shows the pid, disable removes everything",
  ...OPTS,
  async fn() {
    const box = await RunitBox.start();
    try {
      const d = await box.cli(["drivers", "--json"]);
      const runit = JSON.parse(d.stdout).drivers.find((x: { id: string }) =>
        x.id === "runit"
      );
      assertEquals(runit.available, true, runit.reason);

      const enableLife = (arg: string) =>
        box.cli([
          "enable",
          "life",
          "--condition=boot",
          "--user=root",
          "--driver=runit",
          "--",
          ...SLEEP,
          arg,
        ]);
      const en = await enableLife("first arg");
      assertEquals(en.code, 0, en.stderr);
      assertMatch(en.stdout, /Enabled "life" \(runit/);
      let pid = 0;
      await box.waitFor("the service to run", async () => {
        const s = (await box.status()).get("life");
        pid = s?.state === "running" ? s.pid ?? 0 : 0;
        return pid > 0;
      });
      assertEquals(readProc(pid).cmdline, [...SLEEP, "first arg"]);
      assertEquals((await box.status()).get("life")?.enabled, true);

      Deno.kill(pid, "SIGKILL");
      let next = 0;
      await box.waitFor("runit to restart it", async () => {
        const s = (await box.status()).get("life");
        next = s?.state === "running" ? s.pid ?? 0 : 0;
        return next > 0 && next !== pid;
      });
      assertEquals(readProc(next).cmdline, [...SLEEP, "first arg"]);

      // Re-enable with a new argument: runit runs the new version.
      const again = await enableLife("second arg");
      assertEquals(again.code, 0, again.stderr);
      await box.waitFor("the new version to run", async () => {
        const s = (await box.status()).get("life");
        next = s?.state === "running" ? s.pid ?? 0 : 0;
        return next > 0 && readProc(next).cmdline.at(-1) === "second arg";
      });
      const same = await enableLife("second arg");
      assertMatch(same.stdout, /already enabled and up to date/);

      const stop = await box.cli(["stop", "life"]);
      assertEquals(stop.code, 0, stop.stderr);
      assertEquals((await box.status()).get("life")?.state, "stopped");
      assertOk(!alive(next), "stop ended the program");
      const start = await box.cli(["start", "life"]);
      assertEquals(start.code, 0, start.stderr);
      await box.waitFor(
        "start",
        async () => (await box.status()).get("life")?.state === "running",
      );

      const dir = `${box.staging}/autostart-life`;
      const runsvPid = Number(
        (await Deno.readTextFile(`${dir}/supervise/pid`)).trim(),
      );
      const running = (await box.status()).get("life")!.pid!;
      const dis = await box.cli(["disable", "life"]);
      assertEquals(dis.code, 0, dis.stderr);
      assertEquals(await list(box.staging), [], "service directory removed");
      assertEquals(await list(box.svdir), [], "link removed");
      assertOk(!alive(running), "the program was stopped");
      await box.waitFor(
        "the program to be gone",
        () => Promise.resolve(!alive(running) && !alive(runsvPid)),
        10_000,
      )
        .catch(() => {});
      const left = (await processesUnder(dir)).filter(alive);
      assertEquals(left, [], "no runsv or svlogd left for the service");
      assertEquals((await box.status()).has("life"), false);
    } finally {
      await box.stop();
    }
  },
});

Deno.test({
  name:
    "runit e2e: on-failure does not restart a clean exit, restarts a failure; false runs once",
  ...OPTS,
  async fn() {
    const box = await RunitBox.start();
    try {
      const count = (n: string) =>
        Deno.readTextFile(`${box.root}/${n}.count`).then(
          (t) => t.split("\n").filter(Boolean).length,
          () => 0,
        );
      const prog = (n: string, code: number) => [
        "/bin/sh",
        "-c",
        `echo run >> ${box.root}/${n}.count; exit ${code}`,
      ];
      for (
        const [n, keep, code] of [
          ["clean", "on-failure", 0],
          ["fails", "on-failure", 3],
          ["once", "false", 3],
        ] as const
      ) {
        const r = await box.cli([
          "enable",
          n,
          "--condition=boot",
          "--user=root",
          "--driver=runit",
          `--keep-alive=${keep}`,
          // Quick restarts, no backoff: this test is about which exits restart.
          "--restart-delay=100ms",
          "--restart-max-delay=100ms",
          "--",
          ...prog(n, code),
        ]);
        assertEquals(r.code, 0, r.stderr);
      }
      await box.waitFor(
        "the failing one to be restarted",
        async () => (await count("fails")) >= 3,
      );
      await box.waitFor(
        "the others to have run",
        async () => (await count("clean")) >= 1 && (await count("once")) >= 1,
      );
      // The failing service was started at least twice more meanwhile; the others are
      // down and stay down.
      const st = await box.status();
      assertEquals(st.get("clean")?.state, "stopped");
      assertEquals(st.get("once")?.state, "stopped");
      const before = [await count("clean"), await count("once")];
      const f0 = await count("fails");
      await box.waitFor(
        "two more restarts",
        async () => (await count("fails")) >= f0 + 2,
      );
      assertEquals([await count("clean"), await count("once")], before);
      assertEquals(before, [1, 1]);
      for (const n of ["clean", "fails", "once"]) {
        assertEquals((await box.cli(["disable", n])).code, 0);
      }
    } finally {
      await box.stop();
    }
  },
});

Deno.test({
  name:
    "runit e2e: every round-trip case of the hostile corpus reaches the program exactly",
  ...OPTS,
  async fn() {
    const box = await RunitBox.start();
    const fix = await makeHostFixture();
    try {
      const passwd = await Deno.readTextFile("/etc/passwd");
      const nobodyUid = Number(/^nobody:[^:]*:(\d+):/m.exec(passwd)?.[1]);
      assertOk(Number.isInteger(nobodyUid), "user nobody exists");
      const cases = loadCorpus()
        .filter((c) => c.expect === "roundtrip" && !c.inProcessOnly)
        .map((c) => substitute(c, fix));
      const services = groupServices(cases);
      const invoke = (c: HostileCase): Record<string, string> =>
        c.condition === "boot" ? { SUDO_USER: "nobody" } : {};
      const argvOf = (c: HostileCase) => {
        const a = [
          "enable",
          nameOf(c),
          "--driver=runit",
          "--allow-unsafe",
          ...(c.condition === "boot" ? ["--condition=boot"] : []),
        ];
        for (const e of c.env ?? []) a.push("--env", e);
        a.push(...(c.options ?? []), "--", ...commandOf(c));
        return a;
      };
      const failures: string[] = [];
      // Four CLIs at a time (they take turns on the scope's lock).
      await mapLimited(services, async (s) => {
        const r = await box.cli(argvOf(s.run), invoke(s.run));
        if (r.code !== 0) {
          failures.push(`${s.name}: enable exit ${r.code}: ${r.stderr}`);
        }
      }, 4);
      assertEquals(failures, [], "every round-trip service enables");
      let st = await box.status();
      await box.waitFor("every service to run", async () => {
        st = await box.status();
        return services.every((s) => st.get(s.name)?.state === "running");
      }, 30_000).catch(() => {});
      let checked = 0;
      for (const s of services) {
        const pid = st.get(s.name)?.pid;
        if (!pid) {
          failures.push(`${s.name}: not running (${st.get(s.name)?.state})`);
          continue;
        }
        failures.push(...compare(s, readProc(pid), nobodyUid));
        checked += s.cases.length;
        const logDir = optionValue(s.run, "log-dir");
        if (logDir !== undefined) {
          const ok = await Deno.stat(`${logDir}/${s.name}/current`).then(
            () => true,
            () => false,
          );
          if (!ok) failures.push(`${s.name}: no svlogd log in ${logDir}`);
        }
      }
      assertEquals(failures, []);
      await mapLimited(services, async (s) => {
        const r = await box.cli(["disable", s.name], invoke(s.run));
        if (r.code !== 0) failures.push(`${s.name}: disable: ${r.stderr}`);
      }, 4);
      assertEquals(failures, []);
      assertEquals(await list(box.staging), []);
      console.log(
        `runit: ${checked} round-trip cases in ${services.length} services delivered exactly`,
      );
    } finally {
      await box.stop();
      await Deno.remove(fix, { recursive: true }).catch(() => {});
    }
  },
});

/** Differences between what a service's cases asked for and what its process got. */
function compare(
  s: Service,
  p: { cmdline: string[]; environ: string[]; cwd: string; uid: number },
  nobodyUid: number,
): string[] {
  const out: string[] = [];
  const want = commandOf(s.run);
  const got = [...p.cmdline];
  if (!want[0]!.includes("/") && got[0]?.endsWith(`/${want[0]}`)) {
    got[0] = want[0]!;
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    out.push(
      `${s.cases.map((c) => c.id).join(",")}: argv ${
        JSON.stringify(want).slice(0, 300)
      } arrived as ${JSON.stringify(got).slice(0, 300)}`,
    );
  }
  const env = new Map(
    p.environ.map((
      e,
    ) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
  );
  for (const c of s.cases) {
    for (const [k, v] of new Map(expectedEnv(c))) {
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
      out.push(`${c.id}: cwd ${JSON.stringify(cwd)} arrived as ${p.cwd}`);
    }
    const wantUid = c.condition === "boot" && !c.options?.includes("root")
      ? nobodyUid
      : 0;
    if (p.uid !== wantUid) {
      out.push(`${c.id}: runs as uid ${p.uid}, not ${wantUid}`);
    }
  }
  return out;
}

const CC = ["cc", "gcc"].find(has);
Deno.test({
  name:
    "runit e2e: --env LD_PRELOAD of a boot service of another user is loaded only by its program, never by root's chpst",
  ...OPTS,
  ignore: why !== "" || CC === undefined,
  async fn() {
    const box = await RunitBox.start();
    try {
      // A preload library that notes who loaded it: uid and program.
      const log = `${box.root}/preload.log`;
      await Deno.writeTextFile(log, "", { mode: 0o666 });
      await Deno.chmod(log, 0o666);
      await Deno.writeTextFile(
        `${box.root}/note.c`,
        `#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void note(void) {
  char exe[256] = {0};
  readlink("/proc/self/exe", exe, sizeof exe - 1);
  FILE *f = fopen(${JSON.stringify(log)}, "a");
  if (f) { fprintf(f, "%d %s\\n", (int)getuid(), exe); fclose(f); }
}
`,
      );
      const lib = `${box.root}/note.so`;
      const cc = await new Deno.Command(CC!, {
        args: ["-shared", "-fPIC", "-o", lib, `${box.root}/note.c`],
        stderr: "piped",
      }).output();
      assertEquals(cc.code, 0, new TextDecoder().decode(cc.stderr));
      await Deno.chmod(lib, 0o755);
      const en = await box.cli([
        "enable",
        "pre",
        "--condition=boot",
        "--driver=runit",
        "--env",
        `LD_PRELOAD=${lib}`,
        "--",
        ...SLEEP,
      ], { SUDO_USER: "nobody" });
      assertEquals(en.code, 0, en.stderr);
      let pid = 0;
      await box.waitFor("the service to run", async () => {
        const s = (await box.status()).get("pre");
        pid = s?.state === "running" ? s.pid ?? 0 : 0;
        return pid > 0;
      });
      const nobody = readProc(pid).uid;
      assertOk(nobody !== 0, "runs as nobody");
      assertOk(
        readProc(pid).environ.includes(`LD_PRELOAD=${lib}`),
        "the program has it",
      );
      const loads = (await Deno.readTextFile(log)).trim().split("\n");
      assertOk(
        loads.some((l) => l.startsWith(`${nobody} `)),
        `the program loaded it: ${loads.join("; ")}`,
      );
      assertEquals(
        loads.filter((l) => l.startsWith("0 ")),
        [],
        "a root process loaded the user's preload library",
      );
      // For a root service, the variable is refused outright.
      const root = await box.cli([
        "enable",
        "pre2",
        "--condition=boot",
        "--user=root",
        "--driver=runit",
        "--env",
        `LD_PRELOAD=${lib}`,
        "--",
        ...SLEEP,
      ]);
      assertEquals(root.code, 2, root.stderr);
      assertMatch(root.stderr, /LD_PRELOAD would choose the code/);
      assertEquals((await box.cli(["disable", "pre"])).code, 0);
    } finally {
      await box.stop();
    }
  },
});
