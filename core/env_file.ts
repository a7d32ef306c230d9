/**
 * `.env` files as people write them, read the same way by every driver.
 *
 * The grammar ({@link parseEnvFile}) is the common ground of dotenv and systemd's
 * `EnvironmentFile=`; what those two (or a shell) would read differently is refused with
 * the file and line, so a value never silently changes meaning:
 *
 * - One `NAME=VALUE` per line; `NAME` is `[A-Za-z_][A-Za-z0-9_]*`, right before the `=`
 *   (no spaces around it); an optional `export ` prefix.
 * - Blank lines and lines whose first non-blank character is `#` are ignored.
 * - Unquoted values run to the end of the line or to a ` #` comment (a `#` after a blank),
 *   surrounding blanks trimmed. They may not contain quotes or `\`.
 * - `'single quotes'`: every character literal (newlines included), no escapes.
 * - `"double quotes"`: may span lines; `\n` is a newline, and `\"`, `\\`, `\$`, `` \` ``
 *   are the character itself; any other `\` sequence is refused.
 * - After a closing quote only blanks and a `# comment` may follow.
 * - No variable expansion, ever: `$NAME` and `${NAME}` in an unquoted or double-quoted
 *   value are refused (write the value out, or use single quotes for a literal `$`).
 * - A later line wins over an earlier one with the same name.
 *
 * {@link renderEnvFile} writes the canonical form autostart keeps (every value in double
 * quotes), which both this parser and systemd's `EnvironmentFile=` read back exactly.
 *
 * The grammar is implemented in `core/env_file_grammar.ts` (re-exported here); this
 * module keeps the rest: which names look secret, and the 0600 copy a service reads.
 *
 * @module
 */

export { parseEnvFile, renderEnvFile } from "./env_file_grammar.ts";

import type { Owner } from "./fs.ts";
import { MARKER_TEXT } from "./kit/marker.ts";
import { shQuote } from "./kit/sh_quote.ts";
import type { Step } from "./plan.ts";
import { renderEnvFile } from "./env_file_grammar.ts";
import { seal, SEAL_PLACEHOLDER } from "./seal.ts";
import type { PlanContext } from "./plan_context.ts";
import type { Condition, ServiceSpec } from "./spec/types.ts";

/** Words that make a variable name look like it holds a secret. */
export const SECRET_WORDS: readonly string[] = [
  "TOKEN",
  "SECRET",
  "PASSWORD",
  "PASSWD",
  "PASS",
  "KEY",
  "CREDENTIAL",
  "CREDENTIALS",
  "AUTH",
  "PRIVATE",
  "COOKIE",
  "SESSION",
  "DSN",
  "APIKEY",
];

/**
 * Whether a variable name looks like it holds a secret: one of {@link SECRET_WORDS} as a
 * `_`-separated part (`API_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `apiKey`),
 * but not `PATH`-like words that merely contain one (`KEYBOARD`, `PASSTHROUGH`).
 */
export function looksSecret(name: string): boolean {
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split("_")
    .filter(Boolean);
  return parts.some((p) => SECRET_WORDS.includes(p));
}

/** Directory of the env-file copies of a condition (see {@link envCopyPath}). */
export function envCopyDir(
  condition: Condition,
  ctx: Pick<PlanContext, "env" | "self">,
): string {
  if (condition === "boot") return "/etc/autostart/env";
  const config = ctx.env.XDG_CONFIG_HOME?.startsWith("/")
    ? ctx.env.XDG_CONFIG_HOME
    : `${ctx.self.home}/.config`;
  return `${config}/autostart/env`;
}

/**
 * Where autostart keeps the copy of a service's `--env-file` (named after its identity
 * when a preset set one): `/etc/autostart/env/NAME.env`
 * for boot services (directory root-owned 0711: nobody can list it), and
 * `~/.config/autostart/env/NAME.env` for login services (directory 0700). The copy is
 * mode 0600, owned by root, or by the service's user where the program reads it after
 * switching to that user (runit, OpenRC).
 */
export function envCopyPath(
  ref: { name: string; condition: Condition; identity?: string },
  ctx: Pick<PlanContext, "env" | "self">,
): string {
  return `${envCopyDir(ref.condition, ctx)}/${ref.identity ?? ref.name}.env`;
}

/** Text an env-file copy must contain to be replaced or removed. */
export const ENV_COPY_MARKER = MARKER_TEXT;

/** The content of the copy of a service's env file (sealed, canonical form). */
export function renderEnvCopy(spec: ServiceSpec): string {
  const env = spec.envFile;
  return seal(renderEnvFile(
    env?.vars ?? [],
    `${ENV_COPY_MARKER} (${SEAL_PLACEHOLDER}): do not edit; edit ${
      env?.source.replace(/[\r\n]/g, "?") ?? "your env file"
    } and run "autostart enable ${spec.name}" again.\nA copy of ${
      env?.source.replace(/[\r\n]/g, "?") ?? "?"
    }, read at enable; values are kept readable only by the service's user and root.`,
  ));
}

/**
 * The steps that write the copy of `spec`'s env file (none without one): its directory
 * (for boot, `/etc/autostart` 0755 then `env` 0711) and the file, mode 0600, owned by
 * `owner` when given.
 */
export function envCopySteps(
  spec: ServiceSpec,
  ctx: Pick<PlanContext, "env" | "self">,
  owner?: Owner,
): Step[] {
  if (spec.envFile === undefined) return [];
  const dir = envCopyDir(spec.condition, ctx);
  const steps: Step[] = spec.condition === "boot"
    ? [
      { kind: "mkdir", path: "/etc/autostart", mode: 0o755, secure: true },
      { kind: "mkdir", path: dir, mode: 0o711, secure: true },
    ]
    : [{ kind: "mkdir", path: dir, mode: 0o700 }];
  steps.push({
    kind: "write",
    path: envCopyPath(spec, ctx),
    content: renderEnvCopy(spec),
    mode: 0o600,
    ...(owner ? { owner } : {}),
    marker: ENV_COPY_MARKER,
    secret: true,
  });
  return steps;
}

/** The step that removes a service's env-file copy (a missing copy is fine). */
export function envCopyRemoveStep(
  ref: { name: string; condition: Condition; identity?: string },
  ctx: Pick<PlanContext, "env" | "self">,
): Step {
  return {
    kind: "remove",
    path: envCopyPath(ref, ctx),
    marker: ENV_COPY_MARKER,
  };
}

/**
 * The note `enable` prints for a service with an env file: where its values are kept
 * and that they were read now (edit the file, then enable again).
 */
export function envFileNote(spec: ServiceSpec, keptIn: string): string[] {
  if (spec.envFile === undefined) return [];
  const n = spec.envFile.vars.length;
  return [
    `--env-file ${spec.envFile.source} was read now: its ${n} variable${
      n === 1 ? "" : "s"
    } ${
      n === 1 ? "is" : "are"
    } kept in ${keptIn}, readable only by the service's user and root; after editing it, run the same enable again`,
  ];
}

/**
 * The command line that runs `command` after a shell has read the env-file copy into
 * its environment: `/bin/sh -c 'set -a; . COPY; set +a; exec "$0" "$@"' PROGRAM ARGS...`.
 * For init systems without an env-file key (launchd): the shell runs as the service's
 * user, so the values never appear in the service file nor in what the init system
 * shows (`launchctl print` shows a job's environment to every user for the system
 * domain). {@link parseEnvShellCommand} reads it back.
 */
export function envShellCommand(copy: string, command: string[]): string[] {
  return [
    "/bin/sh",
    "-c",
    `set -a; . ${shQuote(copy)}; set +a; exec "$0" "$@"`,
    ...command,
  ];
}

/** The copy and the command of an {@link envShellCommand} line, or `null` when it is not one. */
export function parseEnvShellCommand(
  argv: readonly string[],
): { copy: string; command: string[] } | null {
  if (argv[0] !== "/bin/sh" || argv[1] !== "-c" || argv.length < 4) return null;
  const m = /^set -a; \. '((?:[^']|'\\'')*)'; set \+a; exec "\$0" "\$@"$/.exec(
    argv[2]!,
  );
  if (!m) return null;
  return { copy: m[1]!.replaceAll(`'\\''`, "'"), command: argv.slice(3) };
}
