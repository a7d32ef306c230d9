import { assertEquals, assertOk } from "../tests/assert.ts";
import { MemoryFs } from "./fake.ts";
import { lastLines, tailFiles, type TailOptions } from "./log_tail.ts";

/**
 * Follows `paths` in the background: the lines so far, a bounded wait until there
 * are `n` of them (saying what it saw when it runs out), and `stop()`.
 */
function follow(
  paths: string[],
  options: Omit<TailOptions, "follow" | "signal">,
) {
  const ac = new AbortController();
  const got: string[] = [];
  const done = (async () => {
    for await (
      const l of tailFiles(paths, {
        ...options,
        follow: true,
        signal: ac.signal,
      })
    ) got.push(l);
  })();
  return {
    got,
    waitFor: async (n: number) => {
      for (let i = 0; i < 500 && got.length < n; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assertEquals(got.length, n, got.join("|"));
    },
    stop: async () => {
      ac.abort();
      await done;
    },
  };
}

async function tempDir(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "autostart-tail-" });
}

Deno.test("lastLines() gives the last n lines, with or without a final newline", async () => {
  const d = await tempDir();
  try {
    await Deno.writeTextFile(`${d}/a.log`, "one\ntwo\nthree\n");
    assertEquals((await lastLines(`${d}/a.log`, 2)).lines, ["two", "three"]);
    assertEquals((await lastLines(`${d}/a.log`, 10)).lines, [
      "one",
      "two",
      "three",
    ]);
    await Deno.writeTextFile(`${d}/b.log`, "one\ntwo");
    assertEquals((await lastLines(`${d}/b.log`, 1)).lines, ["two"]);
    assertEquals((await lastLines(`${d}/b.log`, 0)).lines, []);
    await Deno.writeTextFile(`${d}/empty.log`, "");
    assertEquals((await lastLines(`${d}/empty.log`, 5)).lines, []);
    assertEquals(await lastLines(`${d}/missing.log`, 5), {
      lines: [],
      size: 0,
    });
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("lastLines() reads a big file from its end, not whole", async () => {
  const d = await tempDir();
  try {
    const line = "x".repeat(99) + "\n";
    const f = await Deno.open(`${d}/big.log`, { write: true, create: true });
    const block = new TextEncoder().encode(line.repeat(10_000)); // 1 MB
    for (let i = 0; i < 32; i++) await f.write(block);
    await f.write(new TextEncoder().encode("second last\nthe end\n"));
    f.close();
    let read = 0;
    const r = await lastLines(`${d}/big.log`, 2, {
      blockSize: 4096,
      onRead: (n) => read += n,
    });
    assertEquals(r.lines, ["second last", "the end"]);
    assertEquals(r.size, (await Deno.stat(`${d}/big.log`)).size);
    assertOk(read <= 8192, `read ${read} bytes of a 32 MB file`);
    // Lines spanning block boundaries come out whole.
    const many = await lastLines(`${d}/big.log`, 300, { blockSize: 1000 });
    assertEquals(many.lines.length, 300);
    assertOk(many.lines.slice(0, 298).every((l) => l === "x".repeat(99)));
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("tailFiles() follows appends, a truncation and a file that appears later; abort ends it", async () => {
  const d = await tempDir();
  const path = `${d}/svc.log`;
  await Deno.writeTextFile(path, "old 1\nold 2\n");
  const { got, waitFor, stop } = follow([path, path, `${d}/later.log`], {
    lines: 1,
    pollMs: 10,
  });
  try {
    await waitFor(1);
    assertEquals(got, ["old 2"]);
    await Deno.writeTextFile(path, "new 1\nnew", { append: true });
    await waitFor(2);
    await Deno.writeTextFile(path, " half\n", { append: true });
    await waitFor(3);
    assertEquals(got.slice(1), ["new 1", "new half"]);
    await Deno.writeTextFile(path, "after truncation\n"); // shorter: read again from 0
    await waitFor(4);
    await Deno.writeTextFile(`${d}/later.log`, "from the other file\n");
    await waitFor(5);
    assertEquals(got.slice(3), ["after truncation", "from the other file"]);
  } finally {
    await stop();
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("tailFiles() without follow ends after the last lines", async () => {
  const d = await tempDir();
  try {
    await Deno.writeTextFile(`${d}/a.log`, "1\n2\n3\n");
    const got: string[] = [];
    for await (
      const l of tailFiles([`${d}/a.log`], { lines: 2, follow: false })
    ) {
      got.push(l);
    }
    assertEquals(got, ["2", "3"]);
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("tailFiles() reads through the given file system: a rotation (same size, new file) is read from its start", async () => {
  const fs = new MemoryFs();
  fs.dirs.add("/var/log");
  const path = "/var/log/web.log";
  await fs.writeAtomic(path, "a 1\na 2\n", { mode: 0o644 });
  assertEquals((await lastLines(path, 1, { fs })).lines, ["a 2"]);
  const { got, waitFor, stop } = follow([path], { lines: 5, pollMs: 5, fs });
  try {
    await waitFor(2);
    fs.files.get(path)!.content += "a 3\n"; // appended in place
    await waitFor(3);
    // Replaced by a file of the very same size: only its identity tells.
    await fs.writeAtomic(path, "b 1\nb 2\nb 3\n", { mode: 0o644 });
    await waitFor(6);
    assertEquals(got, ["a 1", "a 2", "a 3", "b 1", "b 2", "b 3"]);
  } finally {
    await stop();
  }
  // Nothing of the host's disk was read: a path only the host has gives nothing.
  assertEquals((await lastLines("/etc/hostname", 5, { fs })).lines, []);
});
