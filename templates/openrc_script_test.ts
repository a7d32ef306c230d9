import {
  assertEquals,
  assertMatch,
  assertOk,
  assertThrows,
} from "../tests/assert.ts";
import { ALICE, assertGolden, ROOT_USER } from "../tests/helpers.ts";
import { UsageError } from "../core/errors.ts";
import type { ServiceSpec } from "../core/spec.ts";
import { openrcValue } from "./openrc_eval.ts";
import { readOpenrcScript, renderOpenrcScript } from "./openrc_script.ts";
import { OPENRC_SPEC as spec, posixSh } from "./_testing.ts";

const GOLDEN_SPECS: Record<string, ServiceSpec> = {
  "always-alice": spec,
  "always-root-env-cwd": {
    ...spec,
    runAs: ROOT_USER,
    env: [["PATH", "/usr/bin:/bin"], ["MODE", "prod"]],
    cwd: "/srv/web",
    logDir: "/var/log/web",
    restartDelayMs: 500,
  },
  "false": { ...spec, keepAlive: "false", args: [] },
  "awkward": {
    ...spec,
    program: "/opt/my prog/it's $HOME",
    args: [
      "it's",
      'say "hi"',
      "$(touch /tmp/pwned)",
      "`id`",
      "two  spaces",
      " lead",
      "trail ",
      "",
      "\\",
      "*",
      "ünï ✓",
      "cr\rx",
    ],
    env: [["A", "x'y"], ["B", "$PATH"]],
    cwd: "/srv/q'd $x",
  },
};

for (const [name, s] of Object.entries(GOLDEN_SPECS)) {
  Deno.test(`OpenRC init script (${name}) matches its golden file`, async () => {
    await assertGolden(`openrc/${name}`, renderOpenrcScript(s));
  });
}

/**
 * What openrc-run does with the script: source it, then `eval` the values into a
 * command line (as its supervise-daemon and start-stop-daemon helpers do). A printer
 * stands in for supervise-daemon and prints the words it would receive.
 */
async function evalAsOpenrc(script: string): Promise<{
  command: string[];
  args: string[];
  user: string[];
  directory: string[];
  env: Record<string, string | null>;
}> {
  const sh = posixSh();
  const harness = [
    'words() { printf "%s\\0" "$@"; printf "\\1"; }',
    '. "$1"',
    "eval words $command",
    "eval words -- $command_args",
    "eval words $command_user",
    "eval words $directory",
    'printf "%s\\0" "${A-unset}" "${B-unset}"',
  ].join("\n");
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/script`, script);
    const o = await new Deno.Command(sh, {
      args: ["-c", harness, "sh", `${dir}/script`],
    }).output();
    assertEquals(o.code, 0, new TextDecoder().decode(o.stderr));
    const parts = new TextDecoder().decode(o.stdout).split("\x01");
    const split = (s: string) => s.split("\0").slice(0, -1);
    const env = split(parts[4]!);
    return {
      command: split(parts[0]!),
      args: split(parts[1]!).slice(1),
      user: split(parts[2]!),
      directory: split(parts[3]!),
      env: {
        A: env[0] === "unset" ? null : env[0]!,
        B: env[1] === "unset" ? null : env[1]!,
      },
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("OpenRC values survive openrc-run's eval exactly (sh)", async () => {
  const s = GOLDEN_SPECS.awkward!;
  const got = await evalAsOpenrc(renderOpenrcScript(s));
  // A service of another user: the program runs through a shell that sets the
  // environment as that user; openrc-run (root) and supervise-daemon see none of it.
  assertEquals(got.command, ["/bin/sh"]);
  assertEquals(got.args[0], "-c");
  assertEquals(got.args.slice(2), [s.program, ...s.args]);
  assertEquals(got.user, ["alice:alice"]);
  assertEquals(got.directory, [s.cwd!]);
  assertEquals(got.env, { A: null, B: null });
  const o = await new Deno.Command("/bin/sh", {
    args: ["-c", got.args[1]!, "/usr/bin/env"],
    clearEnv: true,
  }).output();
  const env = new TextDecoder().decode(o.stdout).split("\n");
  assertOk(env.includes("A=x'y") && env.includes("B=$PATH"), env.join("\n"));
  const root = await evalAsOpenrc(
    renderOpenrcScript({ ...s, runAs: ROOT_USER }),
  );
  assertEquals(root.command, [s.program]);
  assertEquals(root.args, s.args);
  assertEquals(root.env, { A: "x'y", B: "$PATH" });
  assertEquals(openrcValue(["a b"]), `"a' 'b"`);
  assertThrows(
    () => renderOpenrcScript({ ...s, env: [["M", "two\nlines"]] }),
    /Invalid value of M for OpenRC: it contains a tab or a newline/,
  );
  // through the env file (sourced by the user's shell) any value goes
  assertOk(
    renderOpenrcScript({ ...s, env: [] }, {
      envFile: "/etc/autostart/env/web.env",
    })
      .includes("/etc/autostart/env/web.env"),
  );
  for (const bad of ["a\nb", "a\tb"]) {
    assertThrows(
      () => renderOpenrcScript({ ...spec, args: [bad] }),
      UsageError,
      "openrc-run's eval cannot pass exactly",
    );
  }
});

Deno.test("renderOpenrcScript() maps keep-alive to supervise-daemon or a one-shot background start", () => {
  const always = renderOpenrcScript(spec);
  assertMatch(always, /^supervisor=supervise-daemon$/m);
  assertMatch(always, /^respawn_delay=2$/m);
  assertMatch(always, /^respawn_max=0$/m);
  const once = renderOpenrcScript({ ...spec, keepAlive: "false" });
  assertOk(!once.includes("supervise-daemon"));
  assertMatch(once, /^command_background=yes$/m);
  assertMatch(
    renderOpenrcScript({ ...spec, restartDelayMs: 0 }),
    /^respawn_delay=1$/m,
  );
});

Deno.test("readOpenrcScript() records the env-file copy, for root and for another user", () => {
  const copy = "/etc/autostart/env/it's.env";
  const asRoot = readOpenrcScript(
    renderOpenrcScript({ ...spec, env: [["A", "1"]] }, { envFile: copy }),
  );
  assertEquals(asRoot.envFile, copy);
  assertEquals(asRoot.env, [["A", "1"]]);
  const other = readOpenrcScript(
    renderOpenrcScript({ ...spec, runAs: ALICE, env: [] }, { envFile: copy }),
  );
  assertEquals(other.envFile, copy);
  assertEquals(other.program, spec.program);
  assertEquals(readOpenrcScript(renderOpenrcScript(spec)).envFile, undefined);
});
