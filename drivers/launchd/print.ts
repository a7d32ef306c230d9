/**
 * Parsers of `launchctl print TARGET` and `launchctl print-disabled DOMAIN` output.
 *
 * @module
 */

/**
 * Parses `launchctl print DOMAIN/LABEL` output into its top-level `key = value` fields.
 * Nested blocks such as `arguments = { ... }`, `environment = { ... }` or coalitions
 * (which repeat keys like `state`) are skipped. The structure is read from the
 * indentation, never by counting braces: a block is `KEY = {` followed by deeper lines
 * and closed by a `}` at its own indentation, so an argument or an environment value
 * that ends in `{` or starts with `}` cannot shift the fields. The first occurrence of
 * a key wins.
 *
 * @example Usage
 * ```ts
 * import { parsePrint } from "./print.ts";
 * const f = parsePrint("gui/501/x = {\n\tstate = running\n\tpid = 42\n}\n");
 * console.assert(f.get("pid") === "42");
 * ```
 */
export function parsePrint(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  const lines = text.split("\n").map((raw) => {
    const indent = /^[ \t]*/.exec(raw)![0];
    return { indent: indent.replaceAll("\t", "    ").length, line: raw.trim() };
  }).filter((l) => l.line !== "");
  if (lines.length === 0) return fields;
  // `TARGET = {` ... `}` around everything: the fields are the lines one level in.
  const wrapped = /=\s*\{$/.test(lines[0]!.line) &&
    (lines[1]?.indent ?? 0) > lines[0]!.indent;
  const body = wrapped ? lines.slice(1) : lines;
  const top = body[0]?.indent ?? 0;
  for (let i = 0; i < body.length; i++) {
    const { indent, line } = body[i]!;
    if (indent !== top) continue;
    const next = body[i + 1];
    const opens = /^[^=]+ = \{$/.test(line) && next !== undefined &&
      (next.indent > indent || (next.indent === indent && next.line === "}"));
    if (opens) {
      // Skip to the `}` at this block's own indentation.
      let j = i + 1;
      while (
        j < body.length &&
        !(body[j]!.indent === indent && body[j]!.line === "}")
      ) j++;
      i = j;
      continue;
    }
    const k = line.indexOf(" = ");
    if (k <= 0) continue;
    const key = line.slice(0, k).trim();
    if (!fields.has(key)) fields.set(key, line.slice(k + 3).trim());
  }
  return fields;
}

/**
 * Parses `launchctl print-disabled DOMAIN` into label → disabled. Newer macOS prints
 * `"label" => disabled|enabled`, older `"label" => true|false` (true = disabled).
 */
export function parsePrintDisabled(text: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const line of text.split("\n")) {
    const m = /^\s*"([^"]+)"\s*=>\s*(\w+)/.exec(line);
    if (!m) continue;
    out.set(m[1]!, m[2] === "disabled" || m[2] === "true");
  }
  return out;
}
