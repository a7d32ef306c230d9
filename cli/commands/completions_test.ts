import { assertEquals, assertMatch, assertOk } from "../../tests/assert.ts";
import { fakeContext, runCli, which } from "../../tests/helpers.ts";
import { COMMANDS } from "../main.ts";
import {
  completionModel,
  optionCompletions,
  optionsFromHelp,
  SHELLS,
  summaryOf,
} from "./completions.ts";
import { ENABLE_OPTIONS } from "./enable.ts";
import { COMMAND_HELP } from "../help.ts";

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
  const m = completionModel(Object.keys(COMMANDS), ["systemd"]);
  assertEquals(
    m.commands.map((c) => c.name),
    [...Object.keys(COMMANDS).filter((c) => c !== "help"), "help"],
  );
  const enable = m.commands.find((c) => c.name === "enable")!;
  // Every declared option of enable is offered in some form.
  for (const o of ENABLE_OPTIONS) {
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

Deno.test("optionsFromHelp() reads options of a command without a declared list", () => {
  const opts = optionsFromHelp(`Usage: autostart logs NAME [options]

Shows the output of NAME.

Options:
  -f, --follow             keep printing new lines
  -n, --lines N            how many lines (default: 100)
  --condition=login|boot   which one
`);
  assertEquals(opts.map((o) => [o.flag, o.value]), [
    ["--follow", "none"],
    ["--lines", "any"],
    ["--condition", "choice"],
  ]);
  assertEquals(optionCompletions([], "", []), []);
  assertEquals(
    summaryOf(COMMAND_HELP.enable!),
    "Installs NAME so it starts at login (default) or at boot, and starts it now",
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
complete -C 'autostart restart '`,
      ], { PATH: path, HOME: dir });
      assertEquals(r.code, 0, r.out);
      const [cmds, conds, names] = r.out.split("==\n");
      assertMatch(cmds!, /^enable\tInstalls NAME/);
      assertEquals(conds, "--condition=boot\n--condition=login\n");
      assertEquals(names, "web\nworker\n");
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
t autostart completions ""`,
      ], { PATH: path });
      assertEquals(r.code, 0, r.out);
      const lines = r.out.trimEnd().split("\n");
      assertEquals(
        lines[0],
        completionModel(Object.keys(COMMANDS), []).commands.map((c) => c.name)
          .join(" "),
      );
      assertEquals(lines.slice(1), [
        "web worker",
        "login boot",
        "true false always on-failure",
        "bash zsh fish",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
