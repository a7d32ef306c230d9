/**
 * A small JSON Schema validator for the subset the published schemas use (`type`,
 * `properties`, `required`, `additionalProperties`, `items`, `enum`, `const`,
 * `minimum`, `pattern`, `$ref` to `#/$defs/...`), so tests check the JSON output
 * against the very files users read. Unknown keywords are an error, so a schema cannot
 * silently use something this validator ignores.
 *
 * @module
 */

/** A JSON Schema (the subset above). */
export type Schema = Record<string, unknown>;

const KNOWN = new Set([
  "$schema",
  "$id",
  "$defs",
  "$ref",
  "title",
  "description",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "minimum",
  "pattern",
  "format",
]);

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/**
 * Validates `value` against `schema`; returns the problems (empty: valid).
 *
 * @example Usage
 * ```ts
 * import { validate } from "./schema.ts";
 * console.assert(validate({ type: "integer" }, 3).length === 0);
 * ```
 */
export function validate(
  schema: Schema,
  value: unknown,
  root: Schema = schema,
  at = "$",
): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(schema)) {
    if (!KNOWN.has(k)) {
      errs.push(`${at}: schema keyword "${k}" is not supported`);
    }
  }
  if (typeof schema.$ref === "string") {
    const m = /^#\/\$defs\/(.+)$/.exec(schema.$ref);
    const target = m
      ? (root.$defs as Record<string, Schema> | undefined)?.[m[1]!]
      : undefined;
    if (!target) return [...errs, `${at}: unresolved $ref ${schema.$ref}`];
    return [...errs, ...validate(target, value, root, at)];
  }
  if (schema.type !== undefined) {
    const types = ([] as string[]).concat(schema.type as string | string[]);
    const t = typeOf(value);
    const ok = types.includes(t) ||
      (t === "integer" && types.includes("number"));
    if (!ok) return [...errs, `${at}: expected ${types.join("|")}, got ${t}`];
  }
  if ("const" in schema && value !== schema.const) {
    errs.push(`${at}: expected ${JSON.stringify(schema.const)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    errs.push(
      `${at}: ${JSON.stringify(value)} is not one of ${
        JSON.stringify(schema.enum)
      }`,
    );
  }
  if (
    typeof schema.minimum === "number" && typeof value === "number" &&
    value < schema.minimum
  ) {
    errs.push(`${at}: ${value} < ${schema.minimum}`);
  }
  if (
    typeof schema.pattern === "string" && typeof value === "string" &&
    !new RegExp(schema.pattern, "u").test(value)
  ) {
    errs.push(
      `${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`,
    );
  }
  if (Array.isArray(value) && schema.items) {
    value.forEach((v, i) =>
      errs.push(...validate(schema.items as Schema, v, root, `${at}[${i}]`))
    );
  }
  if (typeOf(value) === "object") {
    const o = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    for (const r of (schema.required ?? []) as string[]) {
      if (!(r in o)) errs.push(`${at}: missing "${r}"`);
    }
    for (const [k, v] of Object.entries(o)) {
      if (props[k]) errs.push(...validate(props[k]!, v, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) {
        errs.push(`${at}: unexpected property "${k}"`);
      } else if (typeof schema.additionalProperties === "object") {
        errs.push(
          ...validate(
            schema.additionalProperties as Schema,
            v,
            root,
            `${at}.${k}`,
          ),
        );
      }
    }
  }
  return errs;
}
