/**
 * The one way autostart runs other programs. Drivers receive a {@link Runner} so
 * tests can record command lines (see `core/fake.ts`) and e2e tests can use the real one.
 * Arguments are always passed as an argv array: no user string ever goes through a shell.
 *
 * @module
 */

import { hostSignalPlatform, signalNumber } from "./kit/signals.ts";

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

/** Options of {@link Runner.stream}. */
export interface StreamOptions {
  /** Extra environment variables for the child. */
  env?: Record<string, string>;
  /** Aborting stops the child (SIGTERM) and ends the stream without an error. */
  signal?: AbortSignal;
}

/**
 * Thrown by {@link Runner.stream} when the program ends with a non-zero code (and was
 * not stopped through the signal): the command line, its code and its stderr.
 */
export class StreamError extends Error {
  /** The command line. */
  readonly argv: string[];
  /** Its exit code. */
  readonly code: number;
  /** What it printed on stderr. */
  readonly stderr: string;

  /** @param argv Command line. @param code Exit code. @param stderr Its stderr. */
  constructor(argv: string[], code: number, stderr: string) {
    super(`${argv[0]} exited with code ${code}: ${stderr.trim()}`);
    this.name = "StreamError";
    this.argv = argv;
    this.code = code;
    this.stderr = stderr;
  }
}

/** Runs programs and captures their output. */
export interface Runner {
  /**
   * Runs `argv[0]` with the rest as arguments, and waits for it.
   * A program that cannot be found resolves with code 127 and a message on stderr,
   * never a thrown error, so callers treat it like any other failure.
   */
  run(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /**
   * Runs a program and yields its standard output line by line as it comes (nothing
   * is buffered whole: for `journalctl -f` and the like). Ends when the program
   * exits; throws {@link StreamError} when it exits non-zero, unless `signal` stopped it.
   */
  stream(argv: string[], options?: StreamOptions): AsyncIterable<string>;
}

/**
 * A {@link Runner.stream} built on `run()`, for runners that cannot stream (test models,
 * wrappers): the whole output comes at the end, line by line.
 */
export function bufferedStream(
  run: Runner["run"],
): Runner["stream"] {
  return async function* (argv, options = {}) {
    const r = await run(argv, options.env ? { env: options.env } : {});
    if (options.signal?.aborted) return;
    if (r.stdout !== "") yield* r.stdout.replace(/\n$/, "").split("\n");
    if (r.code !== 0) throw new StreamError(argv, r.code, r.stderr);
  };
}

/** Splits a stream of text chunks into lines (without their "\n"). */
export async function* splitLines(
  chunks: AsyncIterable<string>,
): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of chunks) {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf !== "") yield buf;
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
        code: out.signal ? 128 + exitSignal(out.signal) : out.code,
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

  async *stream(argv, options = {}) {
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new TypeError("stream: empty command line");
    const { signal } = options;
    if (signal?.aborted) return;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(cmd, {
        args,
        env: options.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new StreamError(argv, 127, `${cmd}: command not found`);
      }
      throw e;
    }
    const stop = () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    };
    signal?.addEventListener("abort", stop, { once: true });
    const stderr = new Response(child.stderr).text();
    let ended = false;
    try {
      const text = child.stdout.pipeThrough(new TextDecoderStream());
      for await (const line of splitLines(text)) {
        if (signal?.aborted) break;
        yield line;
      }
      ended = !signal?.aborted;
    } finally {
      // The consumer stopped early (break, return, abort): stop the program too.
      if (!ended) stop();
      signal?.removeEventListener("abort", stop);
    }
    const status = await child.status;
    const err = await stderr.catch(() => "");
    if (signal?.aborted) return;
    const code = status.signal ? 128 + exitSignal(status.signal) : status.code;
    if (code !== 0) throw new StreamError(argv, code, err);
  },
};

/** The number of a signal that ended a child, on this machine (0 when unknown). */
function exitSignal(sig: Deno.Signal): number {
  return signalNumber(sig, hostSignalPlatform()) ?? 0;
}
