import { assertEquals } from "../tests/assert.ts";
import { logRotateScript } from "./log_rotate_sh.ts";
import { logRotateLine } from "./systemd_unit.ts";

async function rotate(file: string, maxBytes: number): Promise<number> {
  const out = await new Deno.Command("sh", {
    args: ["-c", logRotateScript(maxBytes, 3), "autostart-log-rotate", file],
    env: { PATH: "/usr/bin:/bin", LANG: "C" },
    clearEnv: true,
  }).output();
  return out.code;
}

const read = (p: string) => Deno.readTextFile(p).catch(() => null);

Deno.test("logRotateScript() shifts FILE to FILE.1 ... FILE.3 over the size, drops the oldest", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // An awkward name: the file is an argument, never part of the script.
    const f = `${dir}/my "app" $(id) 100%.log`;
    await Deno.writeTextFile(f, "x".repeat(20));
    await Deno.writeTextFile(`${f}.1`, "one");
    await Deno.writeTextFile(`${f}.2`, "two");
    await Deno.writeTextFile(`${f}.3`, "three");
    assertEquals(await rotate(f, 10), 0);
    assertEquals(await read(f), null);
    assertEquals(await read(`${f}.1`), "x".repeat(20));
    assertEquals(await read(`${f}.2`), "one");
    assertEquals(await read(`${f}.3`), "two");
    assertEquals(await read(`${f}.4`), null);
    // Under the size: left alone. Missing: nothing to do, still success.
    await Deno.writeTextFile(f, "small");
    assertEquals(await rotate(f, 10), 0);
    assertEquals(await read(f), "small");
    assertEquals(await read(`${f}.1`), "x".repeat(20));
    assertEquals(await rotate(`${dir}/none.log`, 10), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("logRotateLine() runs as root (+) only when asked, for a root-only boot log directory", () => {
  assertEquals(
    logRotateLine("/var/log/app/web.log", true).startsWith(
      'ExecStartPre=-+/bin/sh -c "f=$$1; ',
    ),
    true,
  );
});

Deno.test("logRotateLine() passes the file as an escaped argument, never failing the start", () => {
  const line = logRotateLine("/var/log/my%app/$web.log");
  assertEquals(line.startsWith('ExecStartPre=-/bin/sh -c "f=$$1; '), true);
  assertEquals(
    line.endsWith(' autostart-log-rotate "/var/log/my%%app/$$web.log"'),
    true,
    line,
  );
});
