import { assertEquals, assertMatch } from "../../tests/assert.ts";
import { ALICE, fakeContext, ROOT_USER, runCli } from "../../tests/helpers.ts";
import { builtinRegistry } from "../builtin_registry.ts";
import { run } from "../main.ts";
import { isYes } from "../output.ts";
import { allScope } from "./disable.ts";

const UNITS = "/home/alice/.config/systemd/user";

/** A context with two login services of alice and one boot service. */
async function threeServices() {
  const ctx = fakeContext();
  for (const n of ["web", "worker"]) {
    const r = await runCli(["enable", n, "--no-start", "--", "sh"], ctx);
    assertEquals(r.code, 0, r.stderr);
  }
  const root = fakeContext({
    self: ROOT_USER,
    sudoUser: "alice",
    fs: ctx.fs,
    runner: ctx.runner,
  });
  const b = await runCli(
    ["enable", "tunnel", "--condition=boot", "--no-start", "--", "sh"],
    root,
  );
  assertEquals(b.code, 0, b.stderr);
  ctx.runner.calls.length = 0;
  return { ctx, root };
}

/** Runs the CLI with an io that answers a confirmation with `answer`. */
async function runAsking(
  argv: string[],
  ctx: ReturnType<typeof fakeContext>,
  answer: boolean,
) {
  let stdout = "", stderr = "";
  const asked: string[] = [];
  const code = await run(argv, {
    io: {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
      color: false,
      colorErr: false,
      confirm: (q) => {
        asked.push(q);
        return Promise.resolve(answer);
      },
    },
    env: ctx.env,
    context: () => Promise.resolve(ctx),
    registry: () => Promise.resolve(builtinRegistry()),
    version: "0.0.0-test",
  });
  return { code, stdout, stderr, asked };
}

Deno.test("allScope() is the --condition given, else boot as root and login otherwise", () => {
  assertEquals(allScope(undefined, ALICE.uid), "login");
  assertEquals(allScope(undefined, 0), "boot");
  assertEquals(allScope("boot", ALICE.uid), "boot");
  assertEquals(allScope("login", 0), "login");
});

Deno.test("disable --all without a terminal and without --yes exits 2 and touches nothing", async () => {
  const { ctx } = await threeServices();
  const files = [...ctx.fs.files.keys()].sort();
  const r = await runCli(["disable", "--all"], ctx);
  assertEquals(r.code, 2);
  assertMatch(
    r.stderr,
    /disable --all would remove 2 login service\(s\) \("web", "worker"\) and cannot ask here/,
  );
  assertMatch(r.stderr, /add --yes/);
  assertEquals([...ctx.fs.files.keys()].sort(), files);
  assertEquals(
    ctx.runner.lines().filter((l) => / (disable|stop) /.test(l)),
    [],
  );
});

Deno.test("disable --all --yes removes every login service, leaves the boot one and says so", async () => {
  const { ctx } = await threeServices();
  const r = await runCli(["disable", "--all", "--yes"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /Disabled "web" \(systemd\)/);
  assertMatch(r.stdout, /Disabled "worker" \(systemd\)/);
  assertMatch(r.stdout, /2 of 2 login service\(s\) disabled/);
  assertMatch(
    r.stdout,
    /1 boot service\(s\) were left alone: sudo autostart disable --all --condition=boot/,
  );
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-web.service`), false);
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-worker.service`), false);
  assertEquals(
    ctx.fs.files.has("/etc/systemd/system/autostart-tunnel.service"),
    true,
  );
  // The same per-service path as `disable NAME`: disable, stop, remove, reload each.
  const lines = ctx.runner.lines();
  for (const n of ["web", "worker"]) {
    assertEquals(
      lines.includes(`systemctl --user disable autostart-${n}.service`),
      true,
      lines.join("\n"),
    );
  }
  const again = await runCli(["disable", "--all", "--yes"], ctx);
  assertEquals(again.code, 0);
  assertMatch(again.stdout, /^No login services are managed by autostart\.\n/);
});

Deno.test("disable --all asks on a terminal: no changes nothing, yes removes", async () => {
  const { ctx } = await threeServices();
  const no = await runAsking(["disable", "--all"], ctx, false);
  assertEquals(no.code, 1);
  assertEquals(no.asked, [
    'Remove 2 login service(s) managed by autostart: "web", "worker"?',
  ]);
  assertMatch(no.stderr, /Nothing was changed/);
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-web.service`), true);
  const yes = await runAsking(["disable", "--all", "--json"], ctx, true);
  assertEquals(yes.code, 0, yes.stderr);
  const doc = JSON.parse(yes.stdout);
  assertEquals(doc.ok, true);
  assertEquals(doc.removed.map((r: { name: string }) => r.name), [
    "web",
    "worker",
  ]);
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-web.service`), false);
});

Deno.test("disable --all --condition=boot without root exits 2 before asking", async () => {
  const { ctx } = await threeServices();
  const r = await runAsking(
    ["disable", "--all", "--condition=boot"],
    ctx,
    true,
  );
  assertEquals(r.code, 2);
  assertEquals(r.asked, []);
  assertMatch(r.stderr, /needs root/);
  assertEquals(
    ctx.fs.files.has("/etc/systemd/system/autostart-tunnel.service"),
    true,
  );
});

Deno.test("disable --all as root (sudo) takes the boot services", async () => {
  const { ctx, root } = await threeServices();
  const r = await runCli(["disable", "--all", "--yes"], root);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /Disabled "tunnel"/);
  assertEquals(
    ctx.fs.files.has("/etc/systemd/system/autostart-tunnel.service"),
    false,
  );
});

Deno.test("disable: --all with a NAME, or --yes without --all, exit 2", async () => {
  const { ctx } = await threeServices();
  assertEquals((await runCli(["disable", "web", "--all"], ctx)).code, 2);
  assertEquals((await runCli(["disable", "web", "--yes"], ctx)).code, 2);
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-web.service`), true);
});

Deno.test("disable --all --dry-run prints each plan and changes nothing", async () => {
  const { ctx } = await threeServices();
  const r = await runCli(["disable", "--all", "--dry-run"], ctx);
  assertEquals(r.code, 0, r.stderr);
  assertMatch(r.stdout, /would do this to disable "web"/);
  assertMatch(r.stdout, /would do this to disable "worker"/);
  assertEquals(ctx.fs.files.has(`${UNITS}/autostart-web.service`), true);
  assertEquals(
    ctx.runner.lines().filter((l) => / disable /.test(l)),
    [],
  );
});

Deno.test("isYes() takes y and yes in any case, nothing else", () => {
  for (const a of ["y", "Y", "yes", "YES", " y "]) {
    assertEquals(isYes(a), true, a);
  }
  for (const a of ["", "n", "no", "yess", null]) assertEquals(isYes(a), false);
});
