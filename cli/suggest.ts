/**
 * "Did you mean": the closest known word to a misspelled one.
 *
 * @module
 */

/** Edit distance (insert, delete, substitute, swap of neighbours) between two words. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from(
    { length: a.length + 1 },
    (_, i) =>
      Array.from(
        { length: b.length + 1 },
        (_, j) => i === 0 ? j : j === 0 ? i : 0,
      ),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate closest to `word`, when it is close enough to be a typo (at most a
 * third of its letters off, and at least one), or one that `word` is the start of;
 * `undefined` otherwise.
 *
 * @example Usage
 * ```ts
 * import { didYouMean } from "./suggest.ts";
 * console.assert(didYouMean("stauts", ["status", "start", "stop"]) === "status");
 * console.assert(didYouMean("xyz", ["status", "start"]) === undefined);
 * ```
 */
export function didYouMean(
  word: string,
  candidates: readonly string[],
): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== undefined && bestD <= Math.max(1, Math.floor(w.length / 3))) {
    return best;
  }
  const prefixed = candidates.filter((c) => w.length >= 2 && c.startsWith(w));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
