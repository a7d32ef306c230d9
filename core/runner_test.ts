import { assertEquals, assertOk } from "../tests/assert.ts";
import { FakeRunner } from "./fake.ts";
import {
  bufferedStream,
  denoRunner,
  splitLines,
  StreamError,
} from "./runner.ts";

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l);
  return out;
}

async function* chunks(...c: string[]) {
  for (const x of c) yield x;
}

Deno.test("splitLines() joins lines cut across chunks and keeps a last partial line", async () => {
  assertEquals(await collect(splitLines(chunks("a\nb", "c\n", "\nd"))), [
    "a",
    "bc",
    "",
    "d",
  ]);
});

Deno.test("denoRunner.stream() yields lines as they come and throws StreamError on failure", async () => {
  assertEquals(
    await collect(denoRunner.stream(["sh", "-c", "echo one; echo two"])),
    ["one", "two"],
  );
  let err: unknown;
  try {
    await collect(
      denoRunner.stream(["sh", "-c", "echo out; echo bad >&2; exit 4"]),
    );
  } catch (e) {
    err = e;
  }
  assertOk(err instanceof StreamError);
  assertEquals([err.code, err.stderr.trim()], [4, "bad"]);
  let missing: unknown;
  try {
    await collect(denoRunner.stream(["autostart-no-such-program"]));
  } catch (e) {
    missing = e;
  }
  assertOk(missing instanceof StreamError && missing.code === 127);
});

Deno.test("denoRunner.stream() stops the program when the signal aborts, without an error", async () => {
  const ac = new AbortController();
  const got: string[] = [];
  for await (
    const l of denoRunner.stream(
      ["sh", "-c", "echo first; exec sleep 30"],
      { signal: ac.signal },
    )
  ) {
    got.push(l);
    ac.abort(); // like Ctrl-C after the first line
  }
  assertEquals(got, ["first"]);
});

Deno.test("FakeRunner.stream() and bufferedStream() answer from run()", async () => {
  const r = new FakeRunner([{
    match: ["journalctl"],
    result: { stdout: "a\nb\n" },
  }]);
  assertEquals(await collect(r.stream(["journalctl", "-f"])), ["a", "b"]);
  assertEquals(r.lines(), ["journalctl -f"]);
  r.on(["bad"], { code: 2, stderr: "no" });
  let err: unknown;
  try {
    await collect(bufferedStream((a, o) => r.run(a, o))(["bad"]));
  } catch (e) {
    err = e;
  }
  assertOk(err instanceof StreamError && err.code === 2);
});

Deno.test("denoRunner.run() reports a death by signal as 128 + the signal's number on this machine", async () => {
  // SIGUSR1 is 10 on Linux and 30 on macOS; SIGTERM is 15 on both.
  const usr1 = Deno.build.os === "darwin" ? 30 : 10;
  const byUsr1 = await denoRunner.run(["sh", "-c", "kill -USR1 $$"]);
  assertEquals(byUsr1.code, 128 + usr1);
  const byTerm = await denoRunner.run(["sh", "-c", "kill -TERM $$"]);
  assertEquals(byTerm.code, 143);
});

Deno.test("denoRunner.stream() fails with 128 + signal when the program is killed", async () => {
  let code = -1;
  try {
    for await (const _ of denoRunner.stream(["sh", "-c", "kill -SEGV $$"])) {
      // no output
    }
  } catch (e) {
    if (e instanceof StreamError) code = e.code;
    else throw e;
  }
  assertEquals(code, 139);
});
