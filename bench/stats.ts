/**
 * Pure helpers of the benchmark: summaries of repeated timings, targets and the
 * printed table. No effects, so they are unit-tested (`bench/stats_test.ts`).
 *
 * @module
 */

/** Median and minimum of a series of samples. */
export interface Summary {
  /** Middle value (mean of the two middle values for an even count). */
  median: number;
  /** Smallest value. */
  min: number;
  /** Number of samples. */
  n: number;
}

/**
 * Median and minimum of `samples`. Throws on an empty series.
 *
 * @example Usage
 * ```ts
 * import { summarize } from "./stats.ts";
 * const s = summarize([5, 1, 3]);
 * console.assert(s.median === 3 && s.min === 1 && s.n === 3);
 * ```
 */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError("summarize: no samples");
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, n: s.length };
}

/** One line of the result table: a measurement against its budget. */
export interface Row {
  /** What was measured. */
  what: string;
  /** Its timing, or a single value (memory) as a one-sample summary. */
  value: Summary;
  /** Unit of `value`: "ms" or "MiB". */
  unit: "ms" | "MiB";
  /** What it is compared with (words), e.g. "raw show 8.0 ms". */
  against?: string;
  /** The comparison value, in the same unit (ratio = value.median / base). */
  base?: number;
  /** The comparison built from minimums (min ratio = value.min / baseMin). */
  baseMin?: number;
  /** The most `value.median` may be for the target to be met. */
  budget?: number;
  /** How the budget is built, e.g. "1.5 x (deno + show)". */
  target?: string;
}

/** Whether a row meets its budget; `null` when it has none. */
export function met(row: Row): boolean | null {
  return row.budget === undefined ? null : row.value.median <= row.budget;
}

function num(v: number, unit: string): string {
  return unit === "MiB" ? v.toFixed(1) : v < 10 ? v.toFixed(1) : v.toFixed(0);
}

/** Pads each column of `cells` to its widest cell (left-aligned, two spaces apart). */
export function columns(cells: readonly (readonly string[])[]): string {
  const width: number[] = [];
  for (const r of cells) {
    r.forEach((c, i) => width[i] = Math.max(width[i] ?? 0, c.length));
  }
  return cells.map((r) =>
    r.map((c, i) => i === r.length - 1 ? c : c.padEnd(width[i]!)).join("  ")
      .trimEnd()
  ).join("\n") + "\n";
}

/**
 * Renders rows as the benchmark table: measurement (median and min), what it is
 * compared with, the ratio of medians (and of minimums: on a loaded machine the
 * least disturbed runs), the budget and whether the median meets it.
 *
 * @example Usage
 * ```ts
 * import { renderTable, summarize } from "./stats.ts";
 * const t = renderTable([{
 *   what: "status NAME", value: summarize([20, 22, 21]), unit: "ms",
 *   against: "deno + show", base: 20, budget: 30, target: "1.5 x",
 * }]);
 * console.assert(t.includes("1.05x") && t.includes("met"));
 * ```
 */
export function renderTable(rows: readonly Row[]): string {
  const cells = [[
    "MEASUREMENT",
    "MEDIAN",
    "MIN",
    "AGAINST",
    "RATIO",
    "MIN RATIO",
    "BUDGET",
    "TARGET",
  ]];
  for (const r of rows) {
    const ok = met(r);
    cells.push([
      r.what,
      `${num(r.value.median, r.unit)} ${r.unit}`,
      r.value.n > 1 ? `${num(r.value.min, r.unit)} ${r.unit}` : "-",
      r.against ?? "-",
      r.base ? `${(r.value.median / r.base).toFixed(2)}x` : "-",
      r.baseMin ? `${(r.value.min / r.baseMin).toFixed(2)}x` : "-",
      r.budget === undefined ? "-" : `${num(r.budget, r.unit)} ${r.unit}`,
      ok === null
        ? "-"
        : `${ok ? "met" : "MISSED"}${r.target ? ` (${r.target})` : ""}`,
    ]);
  }
  return columns(cells);
}

/**
 * Growth of a cost between two sizes, as the exponent k of cost ~ size^k (1 = linear).
 *
 * @example Usage
 * ```ts
 * import { growthExponent } from "./stats.ts";
 * console.assert(Math.abs(growthExponent(50, 10, 500, 100) - 1) < 1e-9);
 * ```
 */
export function growthExponent(
  n1: number,
  cost1: number,
  n2: number,
  cost2: number,
): number {
  return Math.log(cost2 / cost1) / Math.log(n2 / n1);
}
