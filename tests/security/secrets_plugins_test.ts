// The other user against secrets, plugins and root services, in a real systemd 252:
// - a secret given with --env-file reaches the program, but another user cannot read it
//   from the unit, the copy, `systemctl show` (any property) or the process;
// - root never loads a plugin that user planted (AUTOSTART_PLUGINS, --plugin file);
// - root refuses a root service whose PATH or working directory that user controls.
import { assertEquals, assertMatch, assertOk } from "../assert.ts";
import { E2E, sharedBox } from "../e2e/_box.ts";
import { addAttacker, type Attacker, q, statIn } from "./_attacker.ts";
import type { Sandbox } from "../sandbox.ts";
import { renderEnvFile } from "../../core/env_file.ts";

const box = sharedBox();
const SECRET = "s3cret-token-6e1f";
const UNIT = "/etc/systemd/system/autostart-sec.service";
const COPY = "/etc/autostart/env/sec.env";

let mallory: Attacker;

async function setup(): Promise<Sandbox> {
  const b = await box.get();
  if (mallory === undefined) {
    await b.addUser("svc", { linger: false });
    mallory = await addAttacker(b, "mallory");
  }
  return b;
}

Deno.test({
  name:
    "secrets: an --env-file secret of a boot service reaches the program; another user cannot read it by file, systemctl show or /proc",
  ...E2E,
  async fn() {
    const b = await setup();
    const made = await b.sh(
      `umask 077; printf '%s\\n' '# app secrets' ${
        q(`export API_TOKEN="${SECRET}" # the token`)
      } 'MODE=prod' > /root/app.env`,
    );
    assertEquals(made.code, 0, made.stderr);
    // The enable of this test, run again below after changes.
    const enableSec = () =>
      b.autostart([
        "enable",
        "sec",
        "--condition=boot",
        "--user",
        "svc",
        "--env-file",
        "/root/app.env",
        "--env",
        "PUBLIC=yes",
        "--",
        "/bin/sleep",
        "1000",
      ]);
    const r = await enableSec();
    assertEquals(r.code, 0, r.stderr);
    assertMatch(r.stdout, /--env-file \/root\/app\.env was read now/);
    // The program has it.
    const pid = await b.prop("autostart-sec.service", "MainPID");
    assertOk(pid !== "0", "running");
    const environ = await b.exec(["cat", `/proc/${pid}/environ`]);
    const vars = environ.stdout.split("\0");
    assertOk(vars.includes(`API_TOKEN=${SECRET}`), vars.join("\n"));
    assertOk(vars.includes("MODE=prod") && vars.includes("PUBLIC=yes"));
    // The copy: root's, 0600, in a directory nobody else may list.
    const copy = await statIn(b, COPY);
    assertEquals([copy.uid, copy.mode, copy.type], [0, 0o600, "file"]);
    assertEquals((await statIn(b, "/etc/autostart/env")).mode, 0o711);
    // The other user tries every way.
    const unit = await mallory.exec(["cat", UNIT]);
    assertEquals(unit.code, 0, "the unit itself is public");
    assertMatch(unit.stdout, /^Environment="PUBLIC=yes"$/m);
    assertMatch(unit.stdout, new RegExp(`^EnvironmentFile=${COPY}$`, "m"));
    assertEquals(unit.stdout.includes(SECRET), false, unit.stdout);
    const byFile = await mallory.exec(["cat", COPY]);
    assertOk(byFile.code !== 0, "mallory read the copy");
    assertMatch(byFile.stderr, /Permission denied/);
    assertOk((await mallory.exec(["ls", "/etc/autostart/env"])).code !== 0);
    for (
      const args of [
        ["show", "-p", "Environment", "autostart-sec.service"],
        ["show", "autostart-sec.service"],
        ["cat", "autostart-sec.service"],
        ["status", "--no-pager", "autostart-sec.service"],
      ]
    ) {
      const s = await mallory.exec(["systemctl", ...args]);
      assertEquals(
        s.stdout.includes(SECRET) || s.stderr.includes(SECRET),
        false,
        `systemctl ${args.join(" ")} shows the secret`,
      );
    }
    // What --env gives is public indeed (so the absence above means something).
    const pub = await mallory.exec([
      "systemctl",
      "show",
      "-p",
      "Environment",
      "autostart-sec.service",
    ]);
    assertMatch(pub.stdout, /PUBLIC=yes/);
    const proc = await mallory.exec(["cat", `/proc/${pid}/environ`]);
    assertOk(proc.code !== 0 && !proc.stdout.includes(SECRET));
    // The same enable again: up to date. After an edit of the file: the new value.
    const same = await enableSec();
    assertMatch(same.stdout, /already enabled and up to date/);
    await b.sh(`sed -i 's/MODE=prod/MODE=staging/' /root/app.env`);
    const edited = await enableSec();
    assertEquals(edited.code, 0, edited.stderr);
    const pid2 = await b.waitFor("the new version to run", async () => {
      const p = await b.prop("autostart-sec.service", "MainPID");
      return p !== "0" && p !== pid ? p : undefined;
    });
    const env2 = (await b.exec(["cat", `/proc/${pid2}/environ`])).stdout
      .split("\0");
    assertOk(
      env2.includes("MODE=staging") && env2.includes(`API_TOKEN=${SECRET}`),
    );
    const off = await b.autostart(["disable", "sec", "--condition=boot"]);
    assertEquals(off.code, 0, off.stderr);
    assertEquals((await statIn(b, COPY)).exists, false, "disable removes it");
  },
});

Deno.test({
  name:
    "secrets: systemd's EnvironmentFile= reads the copy exactly: awkward values reach the program unchanged",
  ...E2E,
  async fn() {
    const b = await setup();
    const values: [string, string][] = [
      ["QUOTES", `a "b" 'c' \\ d`],
      ["DOLLAR", "$HOME ${HOME} $$ `id`"],
      ["SPEC", "%h %u %% 100%"],
      ["LINES", "one\ntwo\n"],
      ["BLANKS", "  lead and trail  "],
      ["HASH", "#not a comment ; nor this"],
      ["TAB", "a\tb"],
      ["UNI", "ünïcödé ✓ \u2028 sep"],
      ["EQ", "=a=b="],
      ["EMPTY", ""],
    ];
    const w = await b.sh(
      `umask 077; cat > /root/awkward.env <<'EOF'\n${
        renderEnvFile(values, "written by the test")
      }EOF`,
    );
    assertEquals(w.code, 0, w.stderr);
    const r = await b.autostart([
      "enable",
      "awk",
      "--condition=boot",
      "--user",
      "svc",
      "--env-file",
      "/root/awkward.env",
      "--",
      "/bin/sleep",
      "1000",
    ]);
    assertEquals(r.code, 0, r.stderr);
    const pid = await b.prop("autostart-awk.service", "MainPID");
    const environ = new Map(
      (await b.exec(["cat", `/proc/${pid}/environ`])).stdout.split("\0")
        .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
    for (const [k, v] of values) {
      assertEquals(environ.get(k), v, `${k} arrived changed`);
    }
    assertEquals((await b.autostart(["disable", "awk"])).code, 0);
  },
});

Deno.test({
  name:
    "secrets: a login service's --env-file copy is the user's own, 0600, under a 0700 directory",
  ...E2E,
  async fn() {
    const b = await setup();
    await b.addUser("alice", { linger: true });
    await b.sh(
      `printf 'TOKEN=%s\\n' ${q(SECRET)} > /home/alice/app.env`,
      { user: "alice" },
    );
    const r = await b.autostart([
      "enable",
      "lsec",
      "--no-wait",
      "--env-file",
      "/home/alice/app.env",
      "--",
      "/bin/sleep",
      "1000",
    ], { user: "alice" });
    assertEquals(r.code, 0, r.stderr);
    const path = "/home/alice/.config/autostart/env/lsec.env";
    const st = await statIn(b, path);
    assertEquals(st.mode, 0o600);
    assertEquals(
      (await statIn(b, "/home/alice/.config/autostart/env")).mode,
      0o700,
    );
    const read = await mallory.exec(["cat", path]);
    assertOk(read.code !== 0 && !read.stdout.includes(SECRET));
    const unit = await mallory.exec([
      "cat",
      "/home/alice/.config/systemd/user/autostart-lsec.service",
    ]);
    assertEquals(unit.stdout.includes(SECRET), false);
    await b.autostart(["disable", "lsec"], { user: "alice" });
  },
});

Deno.test({
  name:
    "plugins: root never loads a plugin another user planted (AUTOSTART_PLUGINS, --plugin file)",
  ...E2E,
  async fn() {
    const b = await setup();
    const pwned = "/tmp/pwned-by-plugin";
    const plugin =
      `Deno.writeTextFileSync(${
        JSON.stringify(pwned)
      }, "plugin code ran as uid " + Deno.uid());\n` +
      `export default { id: "evil" };\n`;
    for (const path of ["/tmp/evil.js", "/home/mallory/evil.js"]) {
      const w = await mallory.sh(`cat > ${q(path)} <<'EOF'\n${plugin}EOF`);
      assertEquals(w.code, 0, w.stderr);
    }
    const viaEnv = await b.autostart(["status"], {
      env: { AUTOSTART_PLUGINS: "/tmp/evil.js:/home/mallory/evil.js" },
    });
    assertMatch(
      viaEnv.stderr,
      /AUTOSTART_PLUGINS is ignored when autostart runs as root/,
    );
    for (const path of ["/tmp/evil.js", "/home/mallory/evil.js"]) {
      const r = await b.autostart(["--plugin", path, "drivers"]);
      assertEquals(r.code, 0, r.stderr);
      assertMatch(
        r.stderr,
        /refused: as root, a plugin file must be one only root can change/,
      );
    }
    const http = await b.autostart([
      "--plugin",
      "http://127.0.0.1:9/evil.js",
      "drivers",
    ]);
    assertMatch(http.stderr, /plain http is refused/);
    assertEquals(
      (await statIn(b, pwned)).exists,
      false,
      "root ran the planted plugin",
    );
    // The same file loads for mallory herself (plugins are not forbidden, root is careful).
    const own = await b.autostart(
      ["--plugin", "/home/mallory/evil.js", "drivers"],
      { user: "mallory" },
    );
    assertMatch(own.stderr, /plugin \/home\/mallory\/evil\.js/);
    assertEquals((await statIn(b, pwned)).uid, mallory.uid);
  },
});

Deno.test({
  name:
    "root services: a PATH entry or working directory another user owns is refused, nothing written",
  ...E2E,
  async fn() {
    const b = await setup();
    await mallory.sh("mkdir -p /home/mallory/bin /home/mallory/work");
    for (
      const extra of [
        ["--env", "PATH=/home/mallory/bin:/usr/bin:/bin"],
        ["--cwd", "/home/mallory/work"],
        ["--env", "LD_PRELOAD=/home/mallory/x.so"],
      ]
    ) {
      const r = await b.autostart([
        "enable",
        "rootsvc",
        "--condition=boot",
        "--user",
        "root",
        ...extra,
        "--",
        "/bin/sleep",
        "1000",
      ]);
      assertEquals(r.code, 2, `${extra.join(" ")}: ${r.stderr}`);
      assertMatch(
        r.stderr,
        /Refusing a root service that depends on what another user can change/,
      );
      assertEquals(
        (await statIn(b, "/etc/systemd/system/autostart-rootsvc.service"))
          .exists,
        false,
      );
    }
  },
});

Deno.test({
  name: "security (secrets, plugins): stop the box",
  ...E2E,
  async fn() {
    await box.stop();
  },
});
