import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { ALICE, assertGolden } from "../tests/helpers.ts";
import type { ServiceSpec } from "../core/spec.ts";
import {
  readRunitFiles,
  renderRunitDown,
  renderRunitFinish,
  renderRunitLog,
  renderRunitRun,
} from "./runit_scripts.ts";
import { posixSh, RUNIT_SPEC as spec } from "./_testing.ts";

/** Specs with a golden file each: every keep-alive mode, a user switch, awkward text. */
const GOLDEN_SPECS: Record<string, ServiceSpec> = {
  "boot-on-failure": spec,
  "boot-always-alice": {
    ...spec,
    keepAlive: "always",
    runAs: ALICE,
    cwd: "/srv/web app",
    restartDelayMs: 5000,
  },
  "login-false": {
    ...spec,
    condition: "login",
    keepAlive: "false",
    runAs: undefined,
    env: [],
  } as ServiceSpec,
  "awkward": {
    ...spec,
    program: "/opt/my prog/it's $HOME",
    args: [
      "it's",
      'say "hi"',
      "$(touch /tmp/pwned)",
      "`id`",
      "a\nb",
      "",
      "-- --x",
      "*",
      "ünï ✓",
      "\\",
    ],
    env: [["A", "x'y"], ["B", "$PATH"], ["C", "line1\nline2"], ["D", ""]],
    cwd: "/srv/q'd",
  },
};

for (const [name, s] of Object.entries(GOLDEN_SPECS)) {
  Deno.test(`runit scripts (${name}) match their golden files`, async () => {
    const logDir = `/var/log/autostart/${s.name}`;
    await assertGolden(`runit/${name}.run`, renderRunitRun(s));
    await assertGolden(`runit/${name}.finish`, renderRunitFinish(s));
    await assertGolden(`runit/${name}.log-run`, renderRunitLog(s, logDir));
  });
}

Deno.test("renderRunitRun() quotes every word so sh gives the program exactly its argv and env", async () => {
  const sh = posixSh();
  const s = GOLDEN_SPECS.awkward!;
  // Run the script with `exec` of a printer in place of the program.
  const dir = await Deno.makeTempDir();
  try {
    const printer = `${dir}/print`;
    await Deno.writeTextFile(
      printer,
      `#!/usr/bin/env python3\nimport json, os, sys\nprint(json.dumps({"argv": sys.argv[1:], "env": {k: os.environ.get(k) for k in "ABCD"}, "cwd": os.getcwd()}))\n`,
      { mode: 0o755 },
    );
    const cwd = `${dir}/q'd`;
    await Deno.mkdir(cwd);
    const text = renderRunitRun({
      ...s,
      program: printer,
      cwd,
      env: [...s.env, ["PATH", "/usr/bin:/bin"]],
    });
    await Deno.writeTextFile(`${dir}/run`, text, { mode: 0o755 });
    const out = await new Deno.Command(sh, { args: [`${dir}/run`] }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    const got = JSON.parse(new TextDecoder().decode(out.stdout));
    assertEquals(got.argv, s.args);
    assertEquals(got.env, { A: "x'y", B: "$PATH", C: "line1\nline2", D: "" });
    assertEquals(got.cwd, cwd);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderRunitRun() switches user with chpst only for boot services of another user", () => {
  assertMatch(
    renderRunitRun({ ...spec, env: [], runAs: ALICE }),
    /^exec "\$1" -u 'alice:alice' '\/usr\/bin\/python3'/m,
  );
  assertOk(!renderRunitRun(spec).includes("chpst"));
  assertMatch(
    renderRunitLog({ ...spec, runAs: ALICE }, "/l"),
    /^exec chpst -u 'alice:alice' svlogd -tt '\/l'$/m,
  );
});

Deno.test("renderRunitFinish() backs off a crash loop up to the cap (golden), reset by a requested stop", async () => {
  const s: ServiceSpec = { ...spec, restartMaxDelayMs: 60_000 };
  const text = renderRunitFinish(s);
  await assertGolden("runit/backoff.finish", text);
  assertMatch(
    text,
    /\*"want exit"\*\) rm -f \.\/supervise\/autostart-backoff; exit 0 ;; esac/,
  );
  assertMatch(text, /d=2000; i=0/);
  assertMatch(text, /w=\$\(\(d - 1000\)\)/);
  assertOk(!text.includes("exec sleep"));
  assertOk(!renderRunitFinish({ ...s, keepAlive: "false" }).includes("sleep"));
});

Deno.test("renderRunitFinish() encodes each keep-alive mode", () => {
  const f = (k: ServiceSpec["keepAlive"]) =>
    renderRunitFinish({ ...spec, keepAlive: k });
  assertMatch(f("on-failure"), /if \[ "\$1" = 0 \]; then\n {2}printf o/);
  assertMatch(f("on-failure"), /\*"want down"\*\) break/);
  assertOk(!f("always").includes("printf o"));
  assertMatch(f("always"), /exec sleep 2/);
  assertOk(!f("false").includes("sleep"));
  assertMatch(
    renderRunitRun({ ...spec, keepAlive: "false" }),
    /^printf o >supervise\/control$/m,
  );
  assertMatch(renderRunitDown(spec), /Managed by autostart/);
});

Deno.test("renderRunitRun() sets the environment only after chpst switched user: nothing reaches root's chpst", () => {
  const text = renderRunitRun(
    {
      ...spec,
      condition: "boot",
      runAs: ALICE,
      env: [["LD_PRELOAD", "/home/alice/x.so"]],
    },
    { envFile: "/etc/autostart/env/web.env" },
  );
  const root = text.slice(0, text.indexOf('exec "$1"'));
  assertOk(!/export|set -a|\. /.test(root), root);
  assertMatch(
    text,
    /^exec "\$1" -u 'alice:alice' \/bin\/sh -c 'set -a\n\. '\\''\/etc\/autostart\/env\/web\.env'\\''\nset \+a\nexport LD_PRELOAD=/m,
  );
});

Deno.test("readRunitFiles() records the env-file copy, for root and for another user", () => {
  const copy = "/etc/autostart/env/it's.env";
  for (const runAs of [undefined, ALICE]) {
    const s: ServiceSpec = { ...spec, condition: "boot", env: [["A", "1"]] };
    if (runAs) s.runAs = runAs;
    const run = renderRunitRun(s, { envFile: copy });
    const f = readRunitFiles({ run, finish: null, logRun: null }, "/x", false);
    assertEquals(f.envFile, copy, run);
    assertEquals(f.env, [["A", "1"]]);
    assertEquals(f.program, spec.program);
  }
});
