import {
  assertEquals,
  assertMatch,
  assertOk,
  assertRejects,
} from "../tests/assert.ts";
import { fakeContext, ROOT_USER } from "../tests/helpers.ts";
import { createContext } from "./context.ts";
import { BusyError } from "./errors.ts";
import { FakeRunner, MemoryFs } from "./fake.ts";
import {
  fileLocker,
  fsLocker,
  lockPath,
  lockTimeoutMs,
  memoryLocker,
  pendingPath,
  withLock,
} from "./lock.ts";

Deno.test("lockPath() puts the user lock in the runtime dir and the system lock in /run", () => {
  const ctx = fakeContext();
  assertEquals(lockPath("login", ctx), "/run/user/1000/autostart/lock");
  assertEquals(
    lockPath("login", fakeContext({ env: {} })),
    "/run/user/1000/autostart/lock",
  );
  assertEquals(
    lockPath("login", fakeContext({ os: "darwin", env: {} })),
    "/home/alice/.config/autostart/lock",
  );
  assertEquals(
    lockPath("boot", fakeContext({ self: ROOT_USER })),
    "/run/autostart/lock",
  );
  assertEquals(
    pendingPath("login", ctx, "systemd", "web"),
    "/run/user/1000/autostart/pending-systemd-web",
  );
});

Deno.test("lockTimeoutMs() reads AUTOSTART_LOCK_TIMEOUT", () => {
  assertEquals(lockTimeoutMs({ AUTOSTART_LOCK_TIMEOUT: "500ms" }), 500);
  assertEquals(lockTimeoutMs({ AUTOSTART_LOCK_TIMEOUT: "2m" }), 120_000);
  assertEquals(lockTimeoutMs({ AUTOSTART_LOCK_TIMEOUT: "3" }), 3000);
  assertEquals(lockTimeoutMs({ AUTOSTART_LOCK_TIMEOUT: "soon" }), 60_000);
  assertEquals(lockTimeoutMs({}), 60_000);
});

Deno.test("fileLocker() excludes a second holder until release, then lets it in", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/sub/lock`;
    const a = await fileLocker(path, { timeoutMs: 1000 });
    const t0 = performance.now();
    const e = await fileLocker(path, { timeoutMs: 200 }).catch((e) => e);
    assertOk(e instanceof BusyError, String(e));
    assertEquals(e.exitCode, 1);
    assertMatch(e.message, /Another autostart is changing services/);
    assertOk(performance.now() - t0 >= 190, "waited the bounded time");
    const waiting = fileLocker(path, { timeoutMs: 2000 });
    await new Promise((r) => setTimeout(r, 100));
    await a.release();
    const b = await waiting;
    await b.release();
    await b.release(); // idempotent
    assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("withLock() serialises critical sections and releases on error", async () => {
  const lock = memoryLocker();
  const ctx = fakeContext({ lock });
  const order: string[] = [];
  const section = (id: string) =>
    withLock(ctx, "login", async () => {
      order.push(`${id}+`);
      await new Promise((r) => setTimeout(r, 10));
      order.push(`${id}-`);
    });
  await Promise.all([section("a"), section("b"), section("c")]);
  for (let i = 0; i < order.length; i += 2) {
    assertEquals(order[i]!.slice(0, 1), order[i + 1]!.slice(0, 1));
  }
  await assertRejects(
    () => withLock(ctx, "login", () => Promise.reject(new Error("boom"))),
    /boom/,
  );
  assertEquals(lock.held.size, 0, "released after an error");
});

Deno.test("withLock() gives up with BusyError after AUTOSTART_LOCK_TIMEOUT", async () => {
  const lock = memoryLocker();
  const ctx = fakeContext({
    lock,
    env: { ...fakeContext().env, AUTOSTART_LOCK_TIMEOUT: "30ms" },
  });
  const held = await lock(lockPath("login", ctx), { timeoutMs: 10 });
  await assertRejects(
    () => withLock(ctx, "login", () => Promise.resolve()),
    BusyError,
  );
  await held.release();
  assertEquals(await withLock(ctx, "login", () => Promise.resolve(7)), 7);
});

Deno.test("fsLocker() takes the lock through the given file system: directory and 0600 file made there, busy until released", async () => {
  const fs = new MemoryFs();
  const lock = fsLocker(fs);
  const path = "/run/user/1000/autostart/lock";
  const a = await lock(path, { timeoutMs: 1000 });
  assertOk(fs.dirs.has("/run/user/1000/autostart"));
  assertEquals(fs.files.get(path)?.mode, 0o600);
  assertEquals([...fs.locked], [path]);
  const e = await lock(path, { timeoutMs: 50 }).catch((e) => e);
  assertOk(e instanceof BusyError, String(e));
  await a.release();
  await a.release(); // idempotent
  assertEquals([...fs.locked], []);
  const b = await lock(path, { timeoutMs: 50 });
  await b.release();
  // A file system that cannot create the directory: an OperationError naming the lock.
  fs.failOn = (op) => op === "mkdir";
  const f = await lock("/run/autostart/lock", { timeoutMs: 50 }).catch((e) =>
    e
  );
  assertMatch(f.message, /Cannot take the lock \/run\/autostart\/lock/);
});

Deno.test("createContext() locks through its file system", async () => {
  const fs = new MemoryFs({ "/etc/passwd": "", "/etc/group": "" });
  const ctx = await createContext({ fs, runner: new FakeRunner() });
  const held = await withLock(
    ctx,
    "boot",
    () => Promise.resolve([...fs.locked]),
  );
  assertEquals(held, [lockPath("boot", ctx)]);
  assertEquals([...fs.locked], []);
});
