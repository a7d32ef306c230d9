import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { fakeContext, runCli, which } from "../../tests/helpers.ts";
import { COMMANDS } from "../main.ts";
import {
  completionModel,
  optionCompletions,
  renderCompletions,
  SHELLS,
} from "../completion/mod.ts";
import { optionForms } from "../table/forms.ts";
import {
  type CommandDef,
  commandNames,
  optionsOf,
  TABLE,
} from "../table/mod.ts";

const HAVE: Record<string, boolean> = Object.fromEntries(
  ["bash", "zsh", "fish"].map((s) => [s, which(s) !== null]),
);
for (const s of SHELLS) {
  if (!HAVE[s]) {
    console.log(`skipped: ${s} is not installed (scripts/ci_deps.sh)`);
  }
}

async function script(shell: string): Promise<string> {
  const r = await runCli(["completions", shell], fakeContext());
  assertEquals(r.code, 0, r.stderr);
  return r.stdout;
}

async function sh(
  argv: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout) + d.decode(r.stderr) };
}

/** A temp dir with the scripts and a fake `autostart` whose status lists two names. */
async function setup(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "autostart-compl-" });
  await Deno.mkdir(`${dir}/bin`);
  const status = JSON.stringify(
    {
      schemaVersion: 1,
      services: [
        { name: "web", driver: "systemd", condition: "login" },
        { name: "worker", driver: "systemd", condition: "boot" },
      ],
      missing: [],
    },
    null,
    2,
  );
  await Deno.writeTextFile(
    `${dir}/bin/autostart`,
    // Answers only the cheap status path: a full status per Tab would be slow.
    `#!/bin/sh\n[ "$1" = status ] && [ "$2" = --fast ] && [ "$3" = --json ] && cat <<'EOF'\n${status}\nEOF\n`,
  );
  await Deno.chmod(`${dir}/bin/autostart`, 0o755);
  // Lima instances come from `limactl list --quiet`, as Lima prints them.
  await Deno.writeTextFile(
    `${dir}/bin/limactl`,
    `#!/bin/sh\n[ "$1" = list ] && [ "$2" = --quiet ] && printf 'default\\ndocker\\n'\n`,
  );
  await Deno.chmod(`${dir}/bin/limactl`, 0o755);
  for (const s of SHELLS) {
    await Deno.writeTextFile(`${dir}/${s}`, await script(s));
  }
  return { dir, path: `${dir}/bin:${Deno.env.get("PATH")}` };
}

Deno.test("completions prints a script per shell and rejects others", async () => {
  for (const s of SHELLS) assertMatch(await script(s), /autostart/);
  const bad = await runCli(["completions", "tcsh"], fakeContext());
  assertEquals(bad.code, 2);
  assertMatch(bad.stderr, /Unknown shell "tcsh"/);
  assertMatch(bad.stderr, /bash, zsh, fish/);
  assertEquals((await runCli(["completions"], fakeContext())).code, 2);
});

Deno.test("completionModel() covers every command with its declared options", () => {
  const m = completionModel(TABLE, ["systemd"]);
  assertEquals(
    m.commands.map((c) => c.name),
    [...Object.keys(COMMANDS).filter((c) => c !== "help"), "help"],
  );
  const enable = m.commands.find((c) => c.name === "enable")!;
  // Every declared option of enable is offered in some form.
  for (const o of optionsOf("enable")) {
    assertOk(
      enable.options.some((c) =>
        c.flag === `--${o.name}` || c.flag === `--no-${o.name}`
      ),
      `--${o.name} missing`,
    );
  }
  assertOk(enable.options.some((c) => c.flag === "--no-start"));
  assertOk(!enable.options.some((c) => c.flag === "--start"));
  const keep = enable.options.find((c) => c.flag === "--keep-alive")!;
  assertEquals([...keep.choices], ["true", "false", "always", "on-failure"]);
  const cond = enable.options.find((c) => c.flag === "--condition")!;
  assertEquals([...cond.choices], ["login", "boot"]);
  assertEquals(m.commands.find((c) => c.name === "stop")!.args, "names");
  assertEquals(
    m.commands.find((c) => c.name === "completions")!.args,
    "shells",
  );
});

Deno.test("completionModel() takes lima's sub-commands and options from the table", () => {
  // lima once had no option list: its options were read back from its help text.
  const m = completionModel(TABLE, []);
  const lima = m.commands.find((c) => c.name === "lima")!;
  assertEquals(lima.subcommands.map((s) => s.name), [
    "enable",
    "disable",
    "status",
    "list",
    "logs",
  ]);
  const enable = lima.subcommands.find((s) => s.name === "enable")!;
  assertEquals(enable.args, "instances");
  assertEquals(enable.options.map((o) => o.flag), [
    "--condition",
    "--keep-alive",
    "--no-keep-alive",
    "--adopt",
    "--no-start",
    "--no-wait",
    "--timeout",
    "--stop-timeout",
    "--dry-run",
    "--json",
  ]);
  assertEquals(optionCompletions([], []), []);
  assertEquals(
    m.commands.find((c) => c.name === "enable")!.summary,
    "Installs NAME so it starts at login (default) or at boot, and starts it now",
  );
  assertEquals(
    m.commands.find((c) => c.name === "list")!.summary,
    "Same as status",
  );
});

/** Every command and sub-command of a table, with its words ("lima enable"). */
function allCommands(
  cs: readonly CommandDef[],
  parent = "",
): [string, CommandDef][] {
  return cs.flatMap((c) => [
    [`${parent}${c.name}`, c] as [string, CommandDef],
    ...allCommands(c.commands ?? [], `${parent}${c.name} `),
  ]);
}

Deno.test("every option form of the table is in each shell's script, under its command", () => {
  const scripts = Object.fromEntries(
    SHELLS.map((s) => [s, renderCompletions(s, TABLE, ["systemd"])]),
  );
  let checked = 0;
  for (const [words, c] of allCommands(TABLE.commands)) {
    const bash = scripts.bash!.split("\n").find((l) =>
      l.startsWith(`    '${words}') opts=`)
    );
    const zsh = scripts.zsh!.split("\n").find((l) =>
      l.startsWith(`    '${words}') opts=(`)
    );
    assertOk(bash, `bash: no case for ${words}`);
    assertOk(zsh, `zsh: no case for ${words}`);
    for (const o of c.options) {
      for (const f of optionForms(o)) {
        assertMatch(
          bash!,
          new RegExp(`[' ]${f.flag}[' ]`),
          `bash ${words} ${f.flag}`,
        );
        assertMatch(
          zsh!,
          new RegExp(`[( ]${f.flag}[) ]`),
          `zsh ${words} ${f.flag}`,
        );
        assertOk(
          scripts.fish!.includes(
            `-n '__autostart_using ${words}'${
              f.short ? ` -s ${f.short.slice(1)}` : ""
            } -l ${f.flag.slice(2)}`,
          ),
          `fish ${words} ${f.flag}`,
        );
        checked++;
      }
    }
  }
  assertOk(checked > 60, `only ${checked} option forms`);
  // The command list the scripts offer is the table's.
  assertEquals(
    completionModel(TABLE, []).commands.map((c) => c.name),
    commandNames(TABLE),
  );
});

Deno.test({
  name: "completions scripts pass bash -n, zsh -n and fish -n",
  ignore: !HAVE.bash && !HAVE.zsh && !HAVE.fish,
  fn: async () => {
    const { dir } = await setup();
    try {
      for (const s of SHELLS) {
        if (!HAVE[s]) continue;
        const r = await sh([s, "-n", `${dir}/${s}`]);
        assertEquals(r.code, 0, `${s}: ${r.out}`);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "bash completion completes commands, options, values and service names",
  ignore: !HAVE.bash,
  fn: async () => {
    const { dir, path } = await setup();
    try {
      const cases: [string[], string][] = [
        [["autostart", "en"], "enable"],
        [["autostart", "enable", "web", "--cond"], "--condition"],
        [["autostart", "enable", "web", "--condition", ""], "login boot"],
        [["autostart", "enable", "web", "--condition", "=", "b"], "boot"],
        [["autostart", "enable", "web", "--keep-alive", "a"], "always"],
        [
          ["autostart", "enable", "web", "--keep-alive", "--no-k"],
          "--no-keep-alive",
        ],
        [["autostart", "stop", ""], "web worker"],
        [["autostart", "disable", "wo"], "worker"],
        [["autostart", "status", "--j"], "--json"],
        [["autostart", "completions", "z"], "zsh"],
        [["autostart", "help", "dis"], "disable"],
        [["autostart", "enable", "web", "--", "sleep", "--cond"], ""],
        [
          ["autostart", "enable", "web", "--path="],
          "--path=inherit --path=default",
        ],
        [["autostart", "lima", ""], "enable disable status list logs"],
        [["autostart", "lima", "enable", "--ad"], "--adopt"],
        [["autostart", "lima", "enable", "d"], "default docker"],
        [["autostart", "lima", "disable", "--condition", "b"], "boot"],
        [["autostart", "help", "m"], "man"],
      ];
      const calls = cases.map(([words], i) =>
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${
          words.length - 1
        }; COMPREPLY=(); _autostart; echo "${i}:\${COMPREPLY[*]}"`
      ).join("\n");
      const r = await sh(["bash", "-c", `source '${dir}/bash'\n${calls}`], {
        PATH: path,
      });
      assertEquals(r.code, 0, r.out);
      assertEquals(
        r.out.trimEnd().split("\n"),
        cases.map(([, want], i) => `${i}:${want}`),
      );
      // `complete -p` shows it is registered for autostart.
      const reg = await sh([
        "bash",
        "-c",
        `source '${dir}/bash'; complete -p autostart`,
      ]);
      assertMatch(reg.out, /-F _autostart autostart/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fish completion completes commands, values and service names",
  ignore: !HAVE.fish,
  fn: async () => {
    const { dir, path } = await setup();
    try {
      const r = await sh([
        "fish",
        "--no-config",
        "-c",
        `source '${dir}/fish'
complete -C 'autostart en'; echo ==
complete -C 'autostart enable web --condition='; echo ==
complete -C 'autostart restart '; echo ==
complete -C 'autostart lima '; echo ==
complete -C 'autostart lima enable '; echo ==
complete -C 'autostart logs web -'`,
      ], { PATH: path, HOME: dir });
      assertEquals(r.code, 0, r.out);
      const [cmds, conds, names, subs, instances, logs] = r.out.split("==\n");
      assertMatch(cmds!, /^enable\tInstalls NAME/);
      assertEquals(conds, "--condition=boot\n--condition=login\n");
      assertEquals(names, "web\nworker\n");
      assertEquals(
        subs!.split("\n").map((l) => l.split("\t")[0]).filter((l) => l),
        ["disable", "enable", "list", "logs", "status"],
      );
      assertEquals(instances, "default\ndocker\n");
      // Short options too, with the description of the table.
      assertMatch(logs!, /^-n\thow many recent lines/m);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "zsh completion offers commands, values and service names",
  ignore: !HAVE.zsh,
  fn: async () => {
    const { dir, path } = await setup();
    try {
      // compadd, compset and _describe only work inside a completion widget, so
      // they are replaced by functions that print what they were given; zsh
      // itself then filters by the typed prefix.
      const r = await sh([
        "zsh",
        "-f",
        "-c",
        `compdef() { :; }
source '${dir}/zsh'
compadd() { shift \${@[(i)--]}; print -r -- "$@"; }
compset() { [[ $1 == -P ]] && cur=\${cur#*=}; return 0; }
_describe() { local -a a; a=(\${(P)4}); print -r -- \${a%%:*}; }
t() { words=("$@"); CURRENT=$#; _autostart; }
t autostart ""
t autostart stop ""
t autostart enable web --condition=
t autostart enable web --keep-alive ""
t autostart completions ""
t autostart lima ""
t autostart lima status ""`,
      ], { PATH: path });
      assertEquals(r.code, 0, r.out);
      const lines = r.out.trimEnd().split("\n");
      assertEquals(
        lines[0],
        completionModel(TABLE, []).commands.map((c) => c.name).join(" "),
      );
      assertEquals(lines.slice(1), [
        "web worker",
        "login boot",
        "true false always on-failure",
        "bash zsh fish",
        "enable disable status list logs",
        "default docker",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
