/**
 * The command table: consistent with the commands that run it, and "adding an option
 * is one line": a fake option added to a copy of the table is parsed, shown in help,
 * offered by each shell's completion script (run in real bash) and in the man page.
 *
 * @module
 */

import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { which } from "../../tests/helpers.ts";
import { parseArgs } from "../args.ts";
import { renderCompletions, SHELLS } from "../completion/mod.ts";
import { renderCommandHelp, renderMainHelp } from "../help.ts";
import { COMMANDS } from "../main.ts";
import { renderMan } from "../man.ts";
import {
  type CommandDef,
  commandNames,
  commandOf,
  type CommandTable,
  optionsOf,
  TABLE,
} from "./mod.ts";

function allCommands(cs: readonly CommandDef[]): CommandDef[] {
  return cs.flatMap((c) => [c, ...allCommands(c.commands ?? [])]);
}

Deno.test("every command of the table runs, and every command that runs is in the table", () => {
  assertEquals(
    Object.keys(COMMANDS),
    commandNames(TABLE).filter((n) => n !== "help"),
  );
});

Deno.test("the table is consistent: unique names, summaries open descriptions, examples run autostart", () => {
  for (const c of allCommands(TABLE.commands)) {
    const longs = c.options.map((o) => o.name);
    assertEquals(new Set(longs).size, longs.length, `${c.name}: duplicate`);
    const shorts = c.options.flatMap((o) => o.short ? [o.short] : []);
    assertEquals(new Set(shorts).size, shorts.length, `${c.name}: short`);
    assertOk(
      c.description[0]!.startsWith(c.summary),
      `${c.name}: the summary is not the start of the description`,
    );
    for (const e of c.examples) {
      assertMatch(e, /^(sudo |NO_COLOR=1 )?autostart /, `${c.name}: ${e}`);
    }
    for (const o of c.options) {
      assertOk(
        o.hidden || o.description !== undefined || o.negated !== undefined,
        `${c.name} --${o.name} has no description`,
      );
      if (o.kind === "boolean") {
        assertEquals(o.value, undefined, `${c.name} --${o.name}`);
      }
    }
  }
  assertEquals(commandOf(["list"])?.name, "status");
  assertEquals(commandOf(["lima", "list"])?.name, "status");
  assertEquals(commandOf(["lima", "nope"]), undefined);
});

/** A copy of the table whose `enable` has one more option. */
function withFakeOption(): CommandTable {
  return {
    ...TABLE,
    commands: TABLE.commands.map((c) =>
      c.name !== "enable" ? c : {
        ...c,
        options: [
          ...c.options,
          // The one line a new option takes:
          {
            name: "nice-level",
            kind: "string",
            value: "LEVEL",
            choices: ["low", "high"],
            description: "how nice the service is",
          },
        ],
      }
    ),
  };
}

Deno.test("an option added to the table is parsed, in help, in every completion script and in the man page", async () => {
  const table = withFakeOption();
  // Parsing.
  const a = parseArgs(
    ["web", "--nice-level", "low", "--", "sleep", "1"],
    optionsOf("enable", table),
    "enable",
  );
  assertEquals(a.values["nice-level"], "low");
  assertEquals(a.rest, ["sleep", "1"]);
  // Help.
  const help = renderCommandHelp(commandOf(["enable"], table)!, table);
  assertMatch(help, /\n {2}--nice-level=LEVEL +how nice the service is\n/);
  assertEquals(renderMainHelp(table), renderMainHelp(TABLE));
  // Completion scripts.
  for (const s of SHELLS) {
    const script = renderCompletions(s, table, []);
    // fish writes it "-l nice-level", the others "--nice-level".
    assertOk(script.includes("nice-level"), `${s}: --nice-level`);
    assertOk(
      !renderCompletions(s, TABLE, []).includes("nice-level"),
      `${s}: the real table has no --nice-level`,
    );
  }
  // Man page.
  const man = renderMan(table, "0.0.0");
  assertMatch(man, /\\fB\\-\\-nice\\-level\\fR\\fI=LEVEL\\fR\n\.br\nhow nice/);
  // Real bash completes the new option and its values.
  if (which("bash") === null) {
    console.log("skipped the bash run: bash is not installed");
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "autostart-table-" });
  try {
    await Deno.writeTextFile(
      `${dir}/bash`,
      renderCompletions("bash", table, []),
    );
    const call = (words: string[]) =>
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
        words.length - 1
      }; COMPREPLY=(); _autostart; echo "\${COMPREPLY[*]}"`;
    const r = await new Deno.Command("bash", {
      args: [
        "-c",
        `source '${dir}/bash'\n${
          call(["autostart", "enable", "web", "--nice"])
        }\n${call(["autostart", "enable", "web", "--nice-level", ""])}`,
      ],
      env: { PATH: "/usr/bin:/bin", HOME: dir, TERM: "dumb" },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(r.stdout);
    assertEquals(
      out,
      "--nice-level\nlow high\n",
      new TextDecoder().decode(r.stderr),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
