/**
 * `autostart export [NAME...] [--condition=...]`: prints the manifest of the services
 * autostart manages, read back from the files it wrote (so it works where nothing else
 * is known), and the Lima services of `autostart lima enable` as `lima: INSTANCE`
 * entries. `autostart apply` of that output on another machine recreates the same
 * files.
 *
 * @module
 */

import type { Driver } from "../../core/driver.ts";
import {
  entryOfFields,
  type Manifest,
  MANIFEST_VERSION,
} from "../../core/manifest.ts";
import { parseCondition, parseName } from "../../core/spec.ts";
import { limaExports } from "../../presets/lima_export.ts";
import type { App } from "../app.ts";
import { parseArgs } from "../args.ts";
import { optionsOf } from "../table/mod.ts";
import { collect } from "../locate.ts";

/** Runs `export`. */
export async function exportCommand(argv: string[], app: App): Promise<number> {
  const a = parseArgs(argv, optionsOf("export"), "export");
  const names = a.positionals.map(parseName);
  const condition = a.values.condition === undefined
    ? undefined
    : parseCondition(a.values.condition as string);
  const ctx = await app.context();
  const registry = await app.registry();
  const found = await collect(app, {
    ...(names.length ? { names } : {}),
    ...(condition ? { condition } : {}),
  });
  const { compare } = new Intl.Collator();
  found.sort((x, y) =>
    compare(x.status.name, y.status.name) ||
    compare(x.status.condition, y.status.condition)
  );
  // The driver a manifest entry need not name: the one apply picks by itself here.
  const defaults = new Map<string, Driver | null>();
  const defaultFor = async (c: string, keepAlive: string) => {
    const key = `${c}/${keepAlive}`;
    if (!defaults.has(key)) {
      defaults.set(
        key,
        await registry.select({
          condition: c as "login" | "boot",
          keepAlive: keepAlive as "false" | "on-failure" | "always",
          ignoreAvailability: true,
        }, ctx).catch(() => null),
      );
    }
    return defaults.get(key);
  };
  const manifest: Manifest = { version: MANIFEST_VERSION, services: [] };
  for (const { driver, status } of found) {
    const rb = await driver.readBack?.(status, ctx);
    if (!rb) {
      app.io.err(
        `warning: "${status.name}" (${driver.id}) left out: this driver cannot read back its file\n`,
      );
      continue;
    }
    if (status.drifted) {
      app.io.err(
        `warning: "${status.name}": ${rb.file} was edited by hand; the manifest holds what autostart can read back from it\n`,
      );
    }
    const entry = entryOfFields(rb.fields, driver.id);
    if (
      (await defaultFor(status.condition, rb.fields.keepAlive))?.id ===
        driver.id
    ) {
      delete entry.driver;
    }
    manifest.services.push(entry);
  }
  // Lima services autostart wrote (`autostart lima enable`), as `lima: INSTANCE`.
  const lima = await limaExports(ctx, registry, {
    ...(names.length ? { names } : {}),
    ...(condition ? { condition } : {}),
  });
  for (const l of lima) {
    if (l.warning) app.io.err(`warning: ${l.warning}\n`);
    manifest.services.push(l.entry);
  }
  app.io.out(JSON.stringify(manifest, null, 2) + "\n");
  const missing = names.filter((n) =>
    !found.some((f) => f.status.name === n) &&
    !lima.some((l) => l.instance === n)
  );
  for (const n of missing) app.io.err(`"${n}" is not managed by autostart\n`);
  return missing.length ? 1 : 0;
}
