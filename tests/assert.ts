/**
 * Assertions for tests, from `node:assert/strict` (JSR's @std/assert is unreachable
 * here; switching is one line in each import).
 *
 * @module
 */

import assert from "node:assert/strict";

/** Deep strict equality. */
export const assertEquals: (
  actual: unknown,
  expected: unknown,
  message?: string,
) => void = assert.deepStrictEqual;
/** Truthiness. */
export const assertOk: (value: unknown, message?: string) => asserts value =
  assert.ok;
/** A string matches a regular expression. */
export const assertMatch: (
  value: string,
  re: RegExp,
  message?: string,
) => void = assert.match;
/** A string does not match. */
export const assertNoMatch: (
  value: string,
  re: RegExp,
  message?: string,
) => void = assert.doesNotMatch;
/** An async function rejects with an error matching. */
export const assertRejects: (
  fn: () => Promise<unknown>,
  error?: RegExp | ((e: unknown) => boolean) | (new (...a: never[]) => Error),
  message?: string,
) => Promise<void> = assert.rejects as never;
/** A function throws. */
export const assertThrows: (
  fn: () => unknown,
  error?: RegExp | ((e: unknown) => boolean) | (new (...a: never[]) => Error),
  message?: string,
) => void = assert.throws as never;
