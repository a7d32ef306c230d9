/**
 * `autostart lima status [INSTANCE]`: each instance's Lima services, one per
 * condition: who wrote the file, what the init system says, and whether limactl
 * counts the instance as registered.
 *
 * @module
 */

import type { Driver } from "../../../core/driver.ts";
import { UsageError } from "../../../core/errors.ts";
import { RUNNING_STATES } from "../../../core/operations.ts";
import { type Condition, CONDITIONS, parseName } from "../../../core/spec.ts";
import { legacyLimaBootUnitName } from "../../../templates/lima_unit.ts";
import { limaKnows } from "../../../presets/lima.ts";
import { limaHome, listInstances } from "../../../presets/lima_locate.ts";
import { limaDriver } from "../../../presets/lima_resolve.ts";
import { limaStatus } from "../../../presets/lima_status.ts";
import type { App } from "../../app.ts";
import type { ParsedArgs } from "../../args.ts";
import { palette } from "../../output.ts";
import { ownerWords } from "./words.ts";

/** Version of the `lima status --json` document. */
export const LIMA_STATUS_SCHEMA_VERSION = 1;

/** Runs `lima status` on parsed arguments. */
export async function limaStatusCmd(a: ParsedArgs, app: App): Promise<number> {
  if (a.positionals.length > 1) {
    throw new UsageError(
      "Give at most one INSTANCE",
      "usage: autostart lima status [INSTANCE]",
    );
  }
  const ctx = await app.context();
  const home = await limaHome(ctx.env, ctx.self.home, ctx.cwd, ctx.fs);
  const existing = await listInstances(home.dir, ctx.fs);
  const names = a.positionals.length
    ? [parseName(a.positionals[0]!)]
    : existing;
  const registry = await app.registry();
  const drivers: [Condition, Driver][] = [];
  for (const condition of CONDITIONS) {
    drivers.push([
      condition,
      await limaDriver(registry, ctx, { condition, loose: true }),
    ]);
  }
  const instances = [];
  for (const instance of names) {
    const services = await Promise.all(
      drivers.map(([c, d]) => limaStatus(d, c, instance, ctx)),
    );
    const known = existing.includes(instance);
    if (!known && services.every((s) => s.owner === null)) {
      throw new UsageError(
        `Unknown Lima instance ${JSON.stringify(instance)} in ${home.dir}`,
        existing.length
          ? `existing instances: ${existing.join(", ")}`
          : `there are no instances in ${home.dir}`,
      );
    }
    instances.push({
      instance,
      instanceDir: known ? `${home.dir}/${instance}` : null,
      services: services.map(({ content: _c, ...s }) => s),
    });
  }
  if (a.values.json) {
    app.io.out(
      JSON.stringify(
        {
          schemaVersion: LIMA_STATUS_SCHEMA_VERSION,
          limaHome: home.dir,
          instances,
        },
        null,
        2,
      ) + "\n",
    );
    return 0;
  }
  if (instances.length === 0) {
    app.io.out(`No Lima instances in ${home.dir}.\n`);
    return 0;
  }
  const p = palette(app.io.color);
  for (const i of instances) {
    app.io.out(
      `${p.bold(`Lima instance "${i.instance}"`)}${
        i.instanceDir ? ` (${i.instanceDir})` : " (instance directory missing)"
      }\n`,
    );
    for (const s of i.services) {
      const state = s.owner === null && !RUNNING_STATES.has(s.state)
        ? "-"
        : `${s.state}${s.enabled === true ? ", enabled" : ""}${
          s.pid ? `, pid ${s.pid}` : ""
        }${s.restarts ? `, ${s.restarts} restarts` : ""}`;
      const lima = limaKnows(s.condition)
        ? `limactl: ${s.limaRegistered ? "registered" : "not registered"}`
        : "limactl: counts only login services as registered";
      app.io.out(
        `  ${s.condition.padEnd(5)}  ${state.padEnd(24)}  ${s.unit} (${
          ownerWords(s)
        }${s.drifted ? ", edited by hand" : ""}); ${lima}\n`,
      );
      if (
        s.owner === "autostart" && s.condition === "boot" &&
        s.unit === legacyLimaBootUnitName(i.instance)
      ) {
        app.io.out(
          `         ${
            p.yellow("note")
          }: the name earlier versions gave the boot unit, under which "limactl stop" fails; rename it: sudo autostart lima enable ${i.instance} --condition=boot\n`,
        );
      }
    }
  }
  return 0;
}
