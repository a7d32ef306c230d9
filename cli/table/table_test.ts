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

Deno.test("a hidden option is parsed but neither shown nor completed", () => {
  // stop takes --wait as start and restart do, for scripts that pass the same options.
  const a = parseArgs(["web", "--wait=3s"], optionsOf("stop"), "stop");
  assertEquals(a.values.wait, "3s");
  const help = renderCommandHelp(commandOf(["stop"])!);
  assertEquals(help.includes("--wait"), false);
  assertEquals(help.includes("--no-wait"), false);
  const bash = renderCompletions("bash", TABLE, []);
  assertMatch(
    bash,
    /^ {4}'stop'\) opts='--condition --json --help'; args=names ;;$/m,
  );
  const man = renderMan(TABLE, "0");
  const stop = man.slice(man.indexOf('.SS "autostart stop'));
  assertEquals(stop.slice(0, stop.indexOf(".SS", 3)).includes("wait"), false);
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
  // Real shells complete the new option and its values.
  const dir = await Deno.makeTempDir({ prefix: "autostart-table-" });
  try {
    for (const s of SHELLS) {
      await Deno.writeTextFile(`${dir}/${s}`, renderCompletions(s, table, []));
    }
    const call = (words: string[]) =>
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
        words.length - 1
      }; COMPREPLY=(); _autostart; echo "\${COMPREPLY[*]}"`;
    const runs: Record<string, [string[], string]> = {
      bash: [[
        "bash",
        "-c",
        `source '${dir}/bash'\n${
          call(["autostart", "enable", "web", "--nice"])
        }\n${call(["autostart", "enable", "web", "--nice-level", ""])}`,
      ], "--nice-level\nlow high\n"],
      // compadd only works inside a completion widget: a stand-in prints its words.
      zsh: [[
        "zsh",
        "-f",
        "-c",
        `compdef() { :; }
source '${dir}/zsh'
compadd() { shift \${@[(i)--]}; print -r -- "$@"; }
t() { words=("$@"); CURRENT=$#; _autostart; }
t autostart enable web --nice-level ""`,
      ], "low high\n"],
      fish: [[
        "fish",
        "--no-config",
        "-c",
        `source '${dir}/fish'; complete -C 'autostart enable web --nice'; complete -C 'autostart enable web --nice-level '`,
      ], "--nice-level\nhigh\nlow\n"],
    };
    for (const [shell, [argv, want]] of Object.entries(runs)) {
      if (which(shell) === null) {
        console.log(`skipped the ${shell} run: ${shell} is not installed`);
        continue;
      }
      const r = await new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        env: { PATH: "/usr/bin:/bin", HOME: dir, TERM: "dumb" },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const d = new TextDecoder();
      assertEquals(d.decode(r.stdout), want, `${shell}: ${d.decode(r.stderr)}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
