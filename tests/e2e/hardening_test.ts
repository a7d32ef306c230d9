// Hardening in a real systemd: 20 parallel enables of one name and of 20 names end
// consistent; an enable SIGKILLed between steps is repaired by running it again; a
// foreign unit is only taken over with --force (backup kept); system files are
// root-owned 0644, user files the user's; a root-run program others could replace is
// refused; enable of the same spec is a no-op without daemon-reload; a hand-edited
// unit is replaced with a note.
import {
  assertEquals,
  assertMatch,
  assertNoMatch,
  assertOk,
} from "../assert.ts";
import type { Sandbox } from "../sandbox.ts";
import { E2E, json, sharedBox } from "./_box.ts";

const box = sharedBox(async (b) => {
  uid = await b.addUser(U);
  const r = await b.sh(
    `mkdir -p /opt/slow && printf '%s\\n' '#!/bin/sh' ` +
      `'for a in "$@"; do if [ "$a" = "$SLOW_AT" ]; then touch /tmp/slow-reached; sleep 60; fi; done' ` +
      `'echo "$*" >> /tmp/systemctl.log' 'exec /usr/bin/systemctl "$@"' > /opt/slow/systemctl && chmod 755 /opt/slow/systemctl`,
  );
  assertEquals(r.code, 0, r.stderr);
});
const U = "u1";
const u1 = { user: U };
const asSudo = { env: { SUDO_USER: U } };
const USER_DIR = `/home/${U}/.config/systemd/user`;
const SYS_DIR = "/etc/systemd/system";
const SLEEP = ["--", "/usr/bin/python3", "-c", "import time; time.sleep(1e6)"];
let uid = 0;

/** Shell-quotes for set-up scripts (test code only; never for the tool's inputs). */
const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

async function runParallel(
  b: Sandbox,
  commands: string[][],
  user?: string,
): Promise<{ code: number; stderr: string }[]> {
  const script = [
    "d=$(mktemp -d)",
    ...commands.map((c, i) =>
      `(/usr/local/bin/autostart ${
        c.map(q).join(" ")
      } >/dev/null 2>"$d/${i}.err"; echo $? >"$d/${i}.code") &`
    ),
    "wait",
    `for i in $(seq 0 ${
      commands.length - 1
    }); do printf '%s\\t' "$(cat $d/$i.code)"; tr '\\n' ' ' <$d/$i.err; echo; done`,
    "rm -rf $d",
  ].join("\n");
  const r = await b.sh(script, user ? { user } : {});
  return r.stdout.trim().split("\n").map((l) => {
    const [code, stderr] = l.split("\t");
    return { code: Number(code), stderr: stderr ?? "" };
  });
}

async function unitState(b: Sandbox, unit: string, user?: string) {
  return [
    await b.prop(unit, "ActiveState", user),
    await b.prop(unit, "UnitFileState", user),
  ];
}

async function cmdline(b: Sandbox, unit: string, user?: string) {
  const pid = await b.prop(unit, "MainPID", user);
  const r = await b.exec(["cat", `/proc/${pid}/cmdline`]);
  return r.stdout.split("\0").slice(0, -1);
}

Deno.test({
  name:
    "hardening: 20 parallel enables of one name end with one intact, running unit",
  ...E2E,
  async fn() {
    const b = await box.get();
    const t0 = performance.now();
    const results = await runParallel(
      b,
      Array.from(
        { length: 20 },
        (_, i) => ["enable", "same", ...SLEEP, `v${i}`],
      ),
      U,
    );
    const took = performance.now() - t0;
    for (const r of results) {
      assertOk(
        r.code === 0 || (r.code === 1 && /Another autostart/.test(r.stderr)),
        `exit ${r.code}: ${r.stderr}`,
      );
    }
    const ok = results.filter((r) => r.code === 0).length;
    assertEquals(await unitState(b, "autostart-same.service", U), [
      "active",
      "enabled",
    ]);
    const files = (await b.exec(["ls", "-A", USER_DIR])).stdout.trim().split(
      "\n",
    );
    assertEquals(files.filter((f) => f !== "default.target.wants"), [
      "autostart-same.service",
    ]);
    const s = json<{ services: { drifted: boolean; name: string }[] }>(
      await b.autostart(["status", "same", "--json"], u1),
    );
    assertEquals(s.services[0]!.drifted, false, "the unit is not torn");
    // the running program is the one of the unit on disk
    const unit =
      (await b.exec(["cat", `${USER_DIR}/autostart-same.service`])).stdout;
    const arg = (await cmdline(b, "autostart-same.service", U)).pop()!;
    assertMatch(unit, new RegExp(`"${arg}"`));
    assertEquals(
      (await b.exec(["ls", `/run/user/${uid}/autostart`])).stdout.trim(),
      "lock",
      "no pending marker left",
    );
    console.log(
      `20 parallel enables of one name: ${ok} succeeded, ${20 - ok} busy, ${
        Math.round(took)
      } ms`,
    );
  },
});

Deno.test({
  name:
    "hardening: 20 parallel enables of different names, then 20 parallel disables",
  ...E2E,
  async fn() {
    const b = await box.get();
    const names = Array.from({ length: 20 }, (_, i) => `par${i}`);
    const t0 = performance.now();
    const results = await runParallel(
      b,
      names.map((n) => ["enable", n, ...SLEEP, n]),
      U,
    );
    const took = performance.now() - t0;
    const ok = names.filter((_, i) => results[i]!.code === 0);
    results.forEach((r) =>
      assertOk(
        r.code === 0 || (r.code === 1 && /Another autostart/.test(r.stderr)),
        `exit ${r.code}: ${r.stderr}`,
      )
    );
    assertOk(ok.length >= 15, `${ok.length} of 20 succeeded`);
    const st = json<
      { services: { name: string; state: string; drifted: boolean }[] }
    >(await b.autostart(["status", "--json"], u1));
    for (const n of ok) {
      const svc = st.services.find((s) => s.name === n);
      assertEquals([svc?.state, svc?.drifted], ["running", false], n);
      assertEquals(
        (await cmdline(b, `autostart-${n}.service`, U)).pop(),
        n,
      );
    }
    const t1 = performance.now();
    const dis = await runParallel(b, ok.map((n) => ["disable", n]), U);
    dis.forEach((r) => assertOk(r.code === 0 || r.code === 1, r.stderr));
    const gone = ok.filter((_, i) => dis[i]!.code === 0);
    for (const n of gone) {
      const e = await b.exec([
        "test",
        "-e",
        `${USER_DIR}/autostart-${n}.service`,
      ]);
      assertOk(e.code !== 0, `${n} removed`);
      assertEquals(
        await b.prop(`autostart-${n}.service`, "LoadState", U),
        "not-found",
      );
    }
    for (const n of ok.filter((_, i) => dis[i]!.code !== 0)) {
      assertEquals((await b.autostart(["disable", n], u1)).code, 0);
    }
    const tmp = await b.sh(`ls -A ${USER_DIR} | grep autostart-tmp || true`);
    assertEquals(tmp.stdout, "");
    console.log(
      `20 parallel enables of different names: ${ok.length} ok in ${
        Math.round(took)
      } ms; 20 parallel disables: ${gone.length} ok in ${
        Math.round(performance.now() - t1)
      } ms`,
    );
  },
});

/** Runs enable as u1 with a systemctl that hangs at `stage`, then SIGKILLs it. */
async function killAt(b: Sandbox, stage: string, args: string[]) {
  const script = [
    "rm -f /tmp/slow-reached",
    `PATH=/opt/slow:$PATH SLOW_AT=${q(stage)} setsid /usr/local/bin/autostart ${
      args.map(q).join(" ")
    } >/dev/null 2>&1 &`,
    "pid=$!",
    "for i in $(seq 150); do [ -e /tmp/slow-reached ] && break; sleep 0.1; done",
    "[ -e /tmp/slow-reached ] || { echo 'stage not reached'; exit 1; }",
    "kill -9 -- -$pid",
    "wait $pid 2>/dev/null",
    "exit 0",
  ].join("\n");
  const r = await b.sh(script, u1);
  assertEquals(r.code, 0, `kill at ${stage}: ${r.stdout} ${r.stderr}`);
}

Deno.test({
  name:
    "hardening: an enable SIGKILLed between steps is repaired by re-running it",
  ...E2E,
  async fn() {
    const b = await box.get();
    for (const stage of ["daemon-reload", "enable", "restart"]) {
      const name = `killed-${stage}`;
      const unit = `autostart-${name}.service`;
      const args = ["enable", name, ...SLEEP, stage];
      await killAt(b, stage, args);
      // a temporary file left by a writer killed between write and rename
      await b.exec(["touch", `${USER_DIR}/.${unit}.autostart-tmp-99999`], u1);
      const r = await b.autostart(args, u1);
      assertEquals(r.code, 0, r.stderr);
      assertNoMatch(r.stdout, /up to date/, `${stage}: redone, not skipped`);
      assertEquals(await unitState(b, unit, U), ["active", "enabled"], stage);
      assertEquals((await cmdline(b, unit, U)).pop(), stage);
      const left = await b.sh(`ls -A ${USER_DIR} | grep autostart-tmp || true`);
      assertEquals(left.stdout, "", `${stage}: no temporary files left`);
    }
    // a re-enable with new arguments killed before the restart: the old process must
    // not be called up to date
    const name = "killed-restart";
    const unit = `autostart-${name}.service`;
    await killAt(b, "restart", ["enable", name, ...SLEEP, "new-args"]);
    assertEquals(
      (await cmdline(b, unit, U)).pop(),
      "restart",
      "old still runs",
    );
    const r = await b.autostart(["enable", name, ...SLEEP, "new-args"], u1);
    assertEquals(r.code, 0, r.stderr);
    assertNoMatch(r.stdout, /up to date/);
    assertEquals((await cmdline(b, unit, U)).pop(), "new-args");
    for (const stage of ["daemon-reload", "enable", "restart"]) {
      assertEquals(
        (await b.autostart(["disable", `killed-${stage}`], u1)).code,
        0,
      );
    }
  },
});

Deno.test({
  name:
    "hardening: enable of the same spec is a no-op without daemon-reload; it starts a stopped service",
  ...E2E,
  async fn() {
    const b = await box.get();
    const env = { PATH: "/opt/slow:/usr/local/bin:/usr/bin:/bin" };
    const args = ["enable", "steady", "--path=default", ...SLEEP];
    assertEquals((await b.autostart(args, { ...u1, env })).code, 0);
    await b.exec(["rm", "-f", "/tmp/systemctl.log"]);
    const again = await b.autostart(args, { ...u1, env });
    assertEquals(again.code, 0, again.stderr);
    assertMatch(again.stdout, /"steady" is already enabled and up to date/);
    const log = () =>
      b.exec(["cat", "/tmp/systemctl.log"]).then((r) => r.stdout);
    assertMatch(await log(), /show/, "the logging systemctl was used");
    assertNoMatch(await log(), /daemon-reload|restart|enable/);
    await b.exec(
      ["systemctl", "--user", "stop", "autostart-steady.service"],
      u1,
    );
    const start = await b.autostart(args, { ...u1, env });
    assertMatch(start.stdout, /up to date.*started it now/);
    assertNoMatch(await log(), /daemon-reload/);
    assertEquals(await unitState(b, "autostart-steady.service", U), [
      "active",
      "enabled",
    ]);
  },
});

Deno.test({
  name:
    "hardening: a hand-edited unit shows as drifted and is replaced with a note and a backup",
  ...E2E,
  async fn() {
    const b = await box.get();
    // "steady" as the test before leaves it (enabling it again changes nothing).
    const on = await b.autostart(
      ["enable", "steady", "--path=default", ...SLEEP],
      u1,
    );
    assertEquals(on.code, 0, on.stderr);
    const file = `${USER_DIR}/autostart-steady.service`;
    await b.sh(`sed -i 's/^\\[Service\\]$/[Service]\\nNice=5/' ${file}`, u1);
    const st = json<{ services: { drifted: boolean; detail: string }[] }>(
      await b.autostart(["status", "steady", "--json"], u1),
    );
    assertEquals(st.services[0]!.drifted, true);
    const r = await b.autostart(
      ["enable", "steady", "--path=default", ...SLEEP],
      u1,
    );
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /had been edited by hand; the edits were replaced/);
    assertMatch(
      (await b.exec(["cat", `${file}.autostart-backup`])).stdout,
      /Nice=5/,
    );
    assertNoMatch((await b.exec(["cat", file])).stdout, /Nice=5/);
    const st2 = json<{ services: { drifted: boolean }[] }>(
      await b.autostart(["status", "steady", "--json"], u1),
    );
    assertEquals(st2.services[0]!.drifted, false);
    assertEquals((await b.autostart(["disable", "steady"], u1)).code, 0);
  },
});

Deno.test({
  name:
    "hardening: a foreign unit is refused, then taken over with --force keeping a backup",
  ...E2E,
  async fn() {
    const b = await box.get();
    const file = `${SYS_DIR}/autostart-foreign.service`;
    const foreign = "[Service]\nExecStart=/usr/bin/sleep 1\n";
    await b.exec(["tee", file], { stdin: foreign });
    const args = ["enable", "foreign", "--condition=boot", ...SLEEP];
    const r = await b.autostart(args, asSudo);
    assertEquals(r.code, 1);
    assertMatch(
      r.stderr,
      /Refusing to overwrite .*: it was not written by autostart/,
    );
    assertEquals((await b.exec(["cat", file])).stdout, foreign);
    const d = await b.autostart(["disable", "foreign"], asSudo);
    assertEquals(d.code, 1, "a foreign unit is not ours to disable");
    assertEquals((await b.exec(["cat", file])).stdout, foreign);
    const f = await b.autostart(
      [...args.slice(0, 3), "--force", ...SLEEP],
      asSudo,
    );
    assertEquals(f.code, 0, f.stderr);
    assertEquals(
      (await b.exec(["cat", `${file}.autostart-backup`])).stdout,
      foreign,
    );
    assertMatch(
      (await b.exec(["cat", file])).stdout,
      /^# Managed by autostart/,
    );
    assertEquals(await unitState(b, "autostart-foreign.service"), [
      "active",
      "enabled",
    ]);
    assertEquals((await b.autostart(["disable", "foreign"], asSudo)).code, 0);
  },
});

Deno.test({
  name:
    "hardening: system files are root-owned 0644, user files the user's; root-run programs are checked",
  ...E2E,
  async fn() {
    const b = await box.get();
    const stat = async (p: string) =>
      (await b.exec(["stat", "-c", "%U:%G %a", p])).stdout.trim();
    const r = await b.autostart(
      [
        "enable",
        "owned",
        "--condition=boot",
        "--log-dir=/var/log/owned",
        ...SLEEP,
      ],
      asSudo,
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(
      await stat(`${SYS_DIR}/autostart-owned.service`),
      "root:root 644",
    );
    assertEquals(await stat(SYS_DIR), "root:root 755");
    // systemd opens the log file as root: its directory stays root's (issue 15).
    assertEquals(await stat("/var/log/owned"), "root:root 755");
    assertEquals(await stat("/run/autostart/lock"), "root:root 600");
    const pid = await b.prop("autostart-owned.service", "MainPID");
    assertEquals(
      (await b.exec(["stat", "-c", "%u", `/proc/${pid}`])).stdout.trim(),
      String(uid),
      "runs as the sudo user, not root",
    );
    assertEquals((await b.autostart(["disable", "owned"], asSudo)).code, 0);

    const u = await b.autostart(["enable", "mine", ...SLEEP], u1);
    assertEquals(u.code, 0, u.stderr);
    assertEquals(
      await stat(`${USER_DIR}/autostart-mine.service`),
      `${U}:${U} 644`,
    );
    assertEquals((await b.autostart(["disable", "mine"], u1)).code, 0);

    // a root service whose program the user owns: refused, unless --allow-unsafe
    await b.sh(
      `printf '#!/bin/sh\\nexec sleep 1000000\\n' > /home/${U}/prog && chmod 755 /home/${U}/prog && chown ${U} /home/${U}/prog`,
    );
    const before = (await b.exec(["ls", "-A", SYS_DIR])).stdout;
    const unsafe = await b.autostart(
      [
        "enable",
        "rooty",
        "--condition=boot",
        "--user",
        "root",
        "--",
        `/home/${U}/prog`,
      ],
      asSudo,
    );
    assertEquals(unsafe.code, 2);
    assertMatch(unsafe.stderr, /Refusing to run .* as root: .* owned by uid/);
    assertEquals((await b.exec(["ls", "-A", SYS_DIR])).stdout, before);
    const allowed = await b.autostart(
      [
        "enable",
        "rooty",
        "--condition=boot",
        "--user",
        "root",
        "--allow-unsafe",
        "--",
        `/home/${U}/prog`,
      ],
      asSudo,
    );
    assertEquals(allowed.code, 0, allowed.stderr);
    const rp = await b.prop("autostart-rooty.service", "MainPID");
    assertEquals(
      (await b.exec(["stat", "-c", "%u", `/proc/${rp}`])).stdout.trim(),
      "0",
    );
    assertEquals((await b.autostart(["disable", "rooty"], asSudo)).code, 0);
  },
});

Deno.test({
  name: "hardening: stop the sandbox",
  ...E2E,
  fn: () => box.stop(),
});
