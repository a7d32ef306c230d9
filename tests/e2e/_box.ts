/**
 * One sandboxed systemd per e2e test file: booted by the first test that needs it,
 * stopped by the file's last test (and on exit), skipped with a reason where it cannot
 * run.
 *
 * @module
 */

import { bootSandbox, type Sandbox, sandboxSupport } from "../sandbox.ts";

/** Whether e2e tests run here; prints why not once. */
export const support: { ok: boolean; why: string } = sandboxSupport();
if (!support.ok) {
  console.log(`skipped: e2e tests need a sandboxed systemd: ${support.why}`);
}

/** Options for e2e `Deno.test`s: skipped where unsupported, no sanitizers. */
export const E2E = {
  ignore: !support.ok,
  sanitizeOps: false,
  sanitizeResources: false,
  sanitizeExit: false,
} as const;

/**
 * A lazily booted box shared by the tests of one file. `setup` (users, fixtures) runs
 * once, right after the boot, whichever test asks first: so each test can run alone
 * (`deno test --filter`) and no test depends on an earlier one having run.
 */
export function sharedBox(setup?: (box: Sandbox) => Promise<void>): {
  get(): Promise<Sandbox>;
  stop(): Promise<void>;
} {
  let box: Promise<Sandbox> | undefined;
  const boot = async () => {
    const b = await bootSandbox();
    try {
      await setup?.(b);
    } catch (e) {
      await b.stop();
      throw e;
    }
    return b;
  };
  return {
    get: () => (box ??= boot()),
    async stop() {
      if (box) await (await box.catch(() => null))?.stop();
      box = undefined;
    },
  };
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Parses JSON output of a command, with the output in the error when it is not JSON. */
export function json<T = Record<string, unknown>>(
  r: { stdout: string; stderr: string },
): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
