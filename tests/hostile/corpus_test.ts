// The hostile-input corpus, in-process, for every driver in IN_PROCESS_TARGETS: every
// `reject` case exits 2 with a one-line reason (matching the case's reason) and changes
// no file and runs no command that changes anything; every `roundtrip` case is accepted
// (exit 0). The real delivery of round-trip cases is proven in tests/e2e/hostile_test.ts.
import { assertEquals, assertOk } from "../assert.ts";
import type { FakeRunner, MemoryFs } from "../../core/fake.ts";
import { runCli } from "../helpers.ts";
import {
  checkRejection,
  enableArgv,
  type HostileCase,
  IN_PROCESS_TARGETS,
  loadCorpus,
  makeHostFixture,
  seedHostFixture,
  substitute,
} from "./corpus.ts";

const corpus = loadCorpus();

Deno.test("hostile corpus has at least 200 unique cases of both kinds", () => {
  assertOk(corpus.length >= 200, `${corpus.length} cases`);
  const rejects = corpus.filter((c) => c.expect === "reject").length;
  const roundtrips = corpus.filter((c) => c.expect === "roundtrip").length;
  assertOk(rejects >= 80 && roundtrips >= 80, `${rejects}/${roundtrips}`);
  console.log(
    `hostile corpus: ${corpus.length} cases, ${rejects} reject, ${roundtrips} roundtrip`,
  );
});

function who(c: HostileCase): "user" | "root-sudo" | "root" {
  if (c.asPlainRoot) return "root";
  return c.condition === "boot" ? "root-sudo" : "user";
}

/** Command lines that change the init system's state. */
const MUTATING =
  /\b(daemon-reload|enable|disable|start|restart|stop|bootstrap|bootout|kickstart|load|unload)\b/;

for (const target of IN_PROCESS_TARGETS) {
  Deno.test(`hostile corpus (${target.driver}): every reject case exits 2, one line, nothing written`, async () => {
    const fix = await makeHostFixture();
    try {
      let n = 0;
      const failures: string[] = [];
      for (
        const raw of corpus.filter((c) =>
          c.expect === "reject" && !target.accepts?.includes(c.id)
        )
      ) {
        const c = substitute(raw, fix);
        const ctx = target.context(who(c));
        const fs = seedHostFixture(ctx.fs as MemoryFs, fix);
        const before = JSON.stringify([fs.snapshot(), [...fs.dirs].sort()]);
        const r = await runCli(enableArgv(c, target.driver), ctx);
        const problems = checkRejection(c, r);
        if (
          JSON.stringify([fs.snapshot(), [...fs.dirs].sort()]) !== before
        ) {
          problems.push("a file or directory was created or changed");
        }
        const changed = (ctx.runner as FakeRunner).lines().filter((l) =>
          MUTATING.test(l)
        );
        if (changed.length) problems.push(`ran ${changed.join("; ")}`);
        if (problems.length) {
          failures.push(`${c.id} (${c.why}): ${problems.join("; ")}`);
        }
        n++;
      }
      assertEquals(failures, []);
      console.log(`${target.driver}: ${n} rejections checked in-process`);
    } finally {
      await Deno.remove(fix, { recursive: true });
    }
  });

  Deno.test(`hostile corpus (${target.driver}): every roundtrip case is accepted`, async () => {
    const fix = await makeHostFixture();
    try {
      for (const raw of corpus.filter((c) => c.expect === "roundtrip")) {
        const c = substitute(raw, fix);
        const ctx = target.context(who(c));
        seedHostFixture(ctx.fs as MemoryFs, fix);
        const r = await runCli(enableArgv(c, target.driver), ctx);
        assertEquals(r.code, 0, `${c.id} (${c.why}): ${r.stderr}`);
      }
    } finally {
      await Deno.remove(fix, { recursive: true });
    }
  });
}
