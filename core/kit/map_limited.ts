/**
 * Bounded concurrency for reads: many files or units are read at once, but never
 * hundreds of operations in flight.
 *
 * @module
 */

/** How many calls {@link mapLimited} keeps in flight unless told otherwise. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * `Promise.all(items.map(f))` with at most `limit` calls in flight: a file system whose
 * reads are asynchronous would otherwise start hundreds at once. Results keep the order
 * of `items`; the first rejection rejects the whole (as `Promise.all` does).
 *
 * @param items What to map.
 * @param f The asynchronous mapping.
 * @param limit Most calls running at the same time (at least 1).
 * @returns The results, in the order of `items`.
 *
 * @example Usage
 * ```ts
 * import { mapLimited } from "./map_limited.ts";
 * const sizes = await mapLimited(["a", "bb"], (s) => Promise.resolve(s.length), 2);
 * console.assert(sizes.join() === "1,2");
 * ```
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  f: (item: T) => Promise<R>,
  limit: number = DEFAULT_CONCURRENCY,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(
    Array.from(
      { length: Math.min(Math.max(1, Math.floor(limit)), items.length) },
      worker,
    ),
  );
  return out;
}
