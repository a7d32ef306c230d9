/**
 * The one way autostart runs other programs. Drivers receive a {@link Runner} so
 * tests can record command lines (see `core/fake.ts`) and e2e tests can use the real one.
 * Arguments are always passed as an argv array: no user string ever goes through a shell.
 *
 * @module
 */

/** What a finished command produced. */
export interface CommandResult {
  /** Exit code (a signal-killed process reports 128 + signal number). */
  code: number;
  /** Standard output, decoded as UTF-8. */
  stdout: string;
  /** Standard error, decoded as UTF-8. */
  stderr: string;
}

/** Options of one command run. */
export interface RunOptions {
  /** Extra environment variables for the child (added to the inherited environment). */
  env?: Record<string, string>;
  /** Bytes written to the child's standard input. */
  stdin?: string;
}

/** Runs programs and captures their output. */
export interface Runner {
  /**
   * Runs `argv[0]` with the rest as arguments, and waits for it.
   * A program that cannot be found resolves with code 127 and a message on stderr,
   * never a thrown error, so callers treat it like any other failure.
   */
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
}

const decoder = new TextDecoder();

/**
 * The real runner, on `Deno.Command`.
 *
 * @example Usage
 * ```ts ignore
 * import { denoRunner } from "./runner.ts";
 * const r = await denoRunner.run(["systemctl", "--version"]);
 * console.log(r.code, r.stdout);
 * ```
 */
export const denoRunner: Runner = {
  async run(argv, options = {}) {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new TypeError("run: empty command line");
    try {
      const child = new Deno.Command(cmd, {
        args,
        env: options.env,
        stdin: options.stdin === undefined ? "null" : "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      if (options.stdin !== undefined) {
        const w = child.stdin.getWriter();
        await w.write(new TextEncoder().encode(options.stdin));
        await w.close();
      }
      const out = await child.output();
      return {
        code: out.signal ? 128 + signalNumber(out.signal) : out.code,
        stdout: decoder.decode(out.stdout),
        stderr: decoder.decode(out.stderr),
      };
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        return { code: 127, stdout: "", stderr: `${cmd}: command not found` };
      }
      if (e instanceof Deno.errors.PermissionDenied) {
        return { code: 126, stdout: "", stderr: `${cmd}: permission denied` };
      }
      throw e;
    }
  },
};

function signalNumber(sig: Deno.Signal): number {
  const table: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGPIPE: 13,
    SIGALRM: 14,
    SIGTERM: 15,
  };
  return table[sig] ?? 0;
}
