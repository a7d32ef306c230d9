/**
 * cli/man.ts: the manual page names every command and option of the table, and
 * man-db renders it without warnings.
 *
 * @module
 */

import { assertEquals, assertMatch, assertOk } from "../tests/assert.ts";
import { fakeContext, runCli, which } from "../tests/helpers.ts";
import { renderMan, roffEscape } from "./man.ts";
import { optionForms } from "./table/forms.ts";
import { type CommandDef, TABLE } from "./table/mod.ts";

const MAN = which("man") !== null;
if (!MAN) console.log("skipped: man is not installed (apt package man-db)");

/** The page as man shows it, with its warnings (stderr). */
async function manRender(
  page: string,
): Promise<{ code: number; text: string; warnings: string }> {
  const dir = await Deno.makeTempDir({ prefix: "autostart-man-" });
  try {
    await Deno.writeTextFile(`${dir}/autostart.1`, page);
    const r = await new Deno.Command("man", {
      args: ["--warnings", "-l", `${dir}/autostart.1`],
      env: { MANWIDTH: "80", MANPAGER: "cat", PAGER: "cat", LANG: "C.UTF-8" },
      clearEnv: false,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const d = new TextDecoder();
    return {
      code: r.code,
      text: d.decode(r.stdout),
      warnings: d.decode(r.stderr),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function allCommands(cs: readonly CommandDef[]): CommandDef[] {
  return cs.flatMap((c) => [c, ...allCommands(c.commands ?? [])]);
}

Deno.test("roffEscape() keeps backslashes, dashes, quotes and a leading dot literal", () => {
  assertEquals(roffEscape("--a"), "\\-\\-a");
  assertEquals(roffEscape('C:\\x "q"'), "C:\\ex \\(dqq\\(dq");
  assertEquals(roffEscape(".hidden"), "\\&.hidden");
  assertEquals(roffEscape("'x"), "\\&'x");
});

Deno.test("renderMan() has every section, command and option of the table", () => {
  const page = renderMan(TABLE, "1.2.3");
  assertMatch(page, /^\.\\" Generated/);
  assertMatch(page, /\n\.TH AUTOSTART 1 "" "autostart 1\.2\.3"/);
  for (
    const s of [
      "NAME",
      "SYNOPSIS",
      "DESCRIPTION",
      "COMMANDS",
      '"EXIT STATUS"',
      "ENVIRONMENT",
      "FILES",
      "EXAMPLES",
      '"SEE ALSO"',
    ]
  ) assertMatch(page, new RegExp(`\\n\\.SH ${s}\\n`), s);
  for (const c of allCommands(TABLE.commands)) {
    assertOk(
      page.includes(`autostart ${roffEscape(c.usage[0]!)}`),
      `command ${c.name}`,
    );
    for (const o of c.options) {
      for (const f of optionForms(o)) {
        assertOk(
          page.includes(`\\fB${roffEscape(f.flag)}\\fR`),
          `${c.name} ${f.flag}`,
        );
      }
    }
  }
  for (const e of TABLE.environment) assertOk(page.includes(e.name), e.name);
});

Deno.test({
  name: "man -l renders autostart man without warnings",
  ignore: !MAN,
  fn: async () => {
    const r = await runCli(["man"], fakeContext());
    assertEquals(r.code, 0, r.stderr);
    const m = await manRender(r.stdout);
    assertEquals(m.code, 0, m.warnings);
    assertEquals(m.warnings, "");
    assertMatch(m.text, /^AUTOSTART\(1\) +User Commands +AUTOSTART\(1\)/);
    assertMatch(m.text, /\n {7}--keep-alive\[=MODE\]\n/);
    assertMatch(m.text, /\n {7}-n, --lines=N\n/);
    assertMatch(m.text, /\nEXIT STATUS\n {7}0\n {14}ok\n/);
    // A short option gets a line of its own, as a long one does.
    assertMatch(m.text, /\n {7}--json\n {14}print the result as JSON\n/);
    // Typed back as they are shown: ASCII hyphen-minus, not a Unicode hyphen.
    assertOk(!m.text.includes("\u2010"), "a hyphen was turned into U+2010");
    // Filled text fits MANWIDTH (literal blocks, such as examples, stay as written).
    const wide = m.text.split("\n").filter((l) =>
      l.length > 80 && !/^ {11}|^ {7}autostart /.test(l)
    );
    assertEquals(wide, []);
  },
});

Deno.test("man takes no arguments", async () => {
  const r = await runCli(["man", "extra"], fakeContext());
  assertEquals(r.code, 2);
  assertMatch(r.stderr, /Unexpected argument "extra"/);
});
