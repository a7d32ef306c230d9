import { assertEquals, assertOk } from "../tests/assert.ts";
import {
  LOG_WRAPPER_NAME,
  logWrapperCommand,
  logWrapperScript,
  parseLogWrapperCommand,
} from "./launchd_log_wrapper.ts";

/** Shells a Mac's /bin/sh may be (bash, dash or zsh as sh), as found here. */
async function shells(): Promise<string[][]> {
  const found: string[][] = [["/bin/sh"]];
  for (
    const [bin, ...opts] of [
      ["/usr/bin/dash"],
      ["/bin/dash"],
      ["/usr/bin/bash", "--posix"],
      ["/bin/bash", "--posix"],
      ["/usr/bin/zsh", "--emulate", "sh"],
    ]
  ) {
    if (found.some((f) => f[0]!.endsWith(`/${bin!.split("/").pop()}`))) {
      continue;
    }
    if (await Deno.stat(bin!).then(() => true, () => false)) {
      found.push([bin!, ...opts]);
    }
  }
  return found;
}

const SHELLS = await shells();
const ENV = { PATH: "/usr/bin:/bin", LANG: "C", HOME: "/nonexistent" };

/**
 * Runs `argv` (a wrapper line whose `/bin/sh` is replaced by `shell`) the way launchd
 * does: its stdout and stderr already open, appending, on `log` before it starts.
 */
async function runAsLaunchd(
  shell: string[],
  argv: string[],
  log: string,
): Promise<number> {
  assertEquals(argv[0], "/bin/sh");
  const out = await new Deno.Command("/bin/sh", {
    args: [
      "-c",
      'log=$1; shift; exec "$@" >>"$log" 2>&1',
      "launchd",
      log,
      ...shell,
      ...argv.slice(1),
    ],
    env: ENV,
    clearEnv: true,
  }).output();
  return out.code;
}

/** The wrapper with a small cap, so that tests need no 10 MiB files. */
function smallWrapper(log: string, command: string[]): string[] {
  const argv = logWrapperCommand(log, command);
  argv[2] = logWrapperScript(100, 3);
  return argv;
}

const read = (p: string) => Deno.readTextFile(p).catch(() => null);

const HOSTILE = [
  `say "hi" and 'bye'`,
  '$HOME ${USER} $(id) `id` $1 $@ "$@"',
  "line1\nline2\n",
  "100% %s %n %% \\n \\0",
  "; exit 3 # && || | > /tmp/x",
  "-c",
  "",
  "  spaces  ",
  "tab\tand\\backslash",
  "ünïcødé ✓ 😀",
  "*",
];

for (const shell of SHELLS) {
  const sh = shell.join(" ");

  Deno.test(`logWrapperScript() under ${sh}: a log over the cap moves to .1, the program writes to a fresh log`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      // An awkward log path: it is an argument, never part of the script.
      const log = `${dir}/my "app" $(id) 100%.log`;
      await Deno.writeTextFile(log, "old\n".repeat(50)); // 200 bytes > 100
      await Deno.writeTextFile(`${log}.1`, "older\n");
      const code = await runAsLaunchd(
        shell,
        smallWrapper(log, [
          "/bin/sh",
          "-c",
          'echo "out $1"; echo err >&2',
          "x",
          "new",
        ]),
        log,
      );
      assertEquals(code, 0);
      // The run's output is in the log launchd and `autostart logs` read...
      assertEquals(await read(log), "out new\nerr\n");
      // ...and the old content moved on, older parts shifted.
      assertEquals(await read(`${log}.1`), "old\n".repeat(50));
      assertEquals(await read(`${log}.2`), "older\n");
      assertEquals(await read(`${log}.3`), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`logWrapperScript() under ${sh}: a log under the cap is appended to in place`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const log = `${dir}/web.log`;
      await Deno.writeTextFile(log, "small\n");
      const code = await runAsLaunchd(
        shell,
        smallWrapper(log, ["/bin/echo", "next"]),
        log,
      );
      assertEquals(code, 0);
      assertEquals(await read(log), "small\nnext\n");
      assertEquals(await read(`${log}.1`), null);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`logWrapperCommand() under ${sh}: hostile arguments reach the program exactly, and its exit code comes back`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const log = `${dir}/argv.log`;
      // printf writes each argument verbatim, NUL-terminated: the argv as received.
      const command = ["/usr/bin/printf", "%s\\0", ...HOSTILE];
      assertEquals(
        await runAsLaunchd(shell, smallWrapper(log, command), log),
        0,
      );
      assertEquals(await read(log), HOSTILE.map((a) => `${a}\0`).join(""));
      const fail = smallWrapper(log, ["/bin/sh", "-c", "exit 7"]);
      assertEquals(await runAsLaunchd(shell, fail, log), 7);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("logWrapperScript() starts the program even when the log cannot be rotated", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // The log's directory is read-only to the job's user: mv fails, the program
    // still runs and appends to the file it was given. Root writes anyway, so as root
    // the job runs as nobody (setpriv).
    const log = `${dir}/ro/web.log`;
    await Deno.mkdir(`${dir}/ro`);
    await Deno.writeTextFile(log, "x".repeat(200));
    await Deno.chmod(log, 0o666);
    await Deno.chmod(`${dir}/ro`, 0o555);
    await Deno.chmod(dir, 0o755);
    const as = Deno.uid() === 0
      ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
      : [];
    const out = await new Deno.Command(as[0] ?? "/bin/sh", {
      args: [
        ...as.slice(1),
        ...(as.length ? ["/bin/sh"] : []),
        "-c",
        'log=$1; shift; exec "$@" >>"$log" 2>&1',
        "launchd",
        log,
        ...smallWrapper(log, ["/bin/echo", "ran"]),
      ],
      env: ENV,
      clearEnv: true,
    }).output();
    assertEquals(out.code, 0, new TextDecoder().decode(out.stderr));
    // The old content is kept, mv's complaint says why it was not rotated.
    const text = (await read(log)) ?? "";
    assertOk(text.startsWith(`${"x".repeat(200)}mv: `), text);
    assertOk(text.endsWith("Permission denied\nran\n"), text);
    assertEquals(await read(`${log}.1`), null);
  } finally {
    await Deno.chmod(`${dir}/ro`, 0o755);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("parseLogWrapperCommand() returns the log file and the user's command, and only of our wrapper", () => {
  const command = ["/opt/app/serve", "--port", "80", "", "$x"];
  const argv = logWrapperCommand(
    "/Users/a/Library/Logs/autostart/w.log",
    command,
  );
  assertEquals(argv.slice(0, 5), [
    "/bin/sh",
    "-c",
    logWrapperScript(),
    LOG_WRAPPER_NAME,
    "/Users/a/Library/Logs/autostart/w.log",
  ]);
  assertEquals(parseLogWrapperCommand(argv), {
    logFile: "/Users/a/Library/Logs/autostart/w.log",
    command,
  });
  // A user's own sh command, or an unwrapped one, is left as it is.
  assertEquals(parseLogWrapperCommand(["/bin/sh", "-c", "sleep 1"]), null);
  assertEquals(parseLogWrapperCommand(command), null);
  const other = [...argv];
  other[2] = logWrapperScript(100);
  assertEquals(parseLogWrapperCommand(other), null);
});

Deno.test("logWrapperScript() holds no user string and rotates over 10 MiB by default", () => {
  const s = logWrapperScript();
  assertOk(s.includes('[ "$s" -gt 10485760 ]'), s);
  assertOk(s.endsWith('shift; exec "$@"'), s);
  assertEquals(logWrapperCommand("/l/w.log", ["/p"])[2], s);
});
