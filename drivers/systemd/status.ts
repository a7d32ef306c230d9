/**
 * Status of the managed units of a scope: the unit files autostart wrote (marker and
 * seal checked), then one `systemctl show` for all of them, or for `--fast` one
 * `systemctl list-units` plus the enable links and the units' cgroups.
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import {
  type ServiceRef,
  type ServiceStatus,
  type StatusOptions,
  unknownStatus,
} from "../../core/driver.ts";
import { mapLimited } from "../../core/kit/mod.ts";
import { ownershipOf } from "../../core/ownership.ts";
import type { Condition } from "../../core/spec.ts";
import {
  serviceNameOfUnit,
  SYSTEMD_MARKER_TEXT,
} from "../../templates/systemd_unit.ts";
import { systemdAvailable } from "./available.ts";
import {
  systemctl,
  unitDir,
  unitFileOf,
  unitOf,
  userEnv,
  wantedBy,
} from "./paths.ts";
import { parseShow, SHOW_PROPERTIES, toStatus } from "./show.ts";

async function readUptime(ctx: Context): Promise<number | null> {
  const t = await ctx.fs.readText("/proc/uptime").catch(() => null);
  const v = t ? Number(t.split(" ")[0]) : NaN;
  return Number.isFinite(v) ? v : null;
}

/** A managed unit file found in the unit directory (or a ref's unit: file or none). */
interface ManagedUnit {
  name: string;
  unit: string;
  file: string | null;
  drifted: boolean;
}

/**
 * The units of `refs` under their identities, whoever wrote their files: `file` only
 * when it exists, `drifted` when it carries our marker and its seal broke.
 */
function unitsOfRefs(
  refs: readonly ServiceRef[],
  ctx: Context,
): Promise<ManagedUnit[]> {
  return mapLimited(refs, async (r) => {
    const file = unitFileOf(r, ctx);
    const content = await ctx.fs.readText(file).catch(() => null);
    return {
      name: r.name,
      unit: unitOf(r),
      file: content === null ? null : file,
      drifted: content !== null &&
        ownershipOf(content, SYSTEMD_MARKER_TEXT) === "edited",
    };
  });
}

/**
 * The managed unit files of a scope (marker checked, seal checked), read concurrently;
 * only files named like our units are opened.
 */
async function managedUnits(
  condition: Condition,
  ctx: Context,
  names?: string[],
): Promise<ManagedUnit[]> {
  const dir = unitDir(condition, ctx);
  const wanted = names ? new Set(names) : null;
  const candidates: { name: string; unit: string }[] = [];
  for (const f of await ctx.fs.list(dir)) {
    const name = serviceNameOfUnit(f);
    if (name === null || (wanted && !wanted.has(name))) continue;
    candidates.push({ name, unit: f });
  }
  const read = await mapLimited(
    candidates,
    (c) => ctx.fs.readText(`${dir}/${c.unit}`).catch(() => null),
  );
  const found: ManagedUnit[] = [];
  candidates.forEach((c, i) => {
    const content = read[i];
    const owner = content == null
      ? "foreign"
      : ownershipOf(content, SYSTEMD_MARKER_TEXT);
    if (owner === "foreign") return;
    found.push({
      ...c,
      file: `${dir}/${c.unit}`,
      drifted: owner === "edited",
    });
  });
  return found;
}

/** Load, active and sub state of one unit, from `systemctl list-units`. */
export interface ListedUnit {
  /** LoadState, e.g. "loaded". */
  load: string;
  /** ActiveState, e.g. "active". */
  active: string;
  /** SubState, e.g. "running". */
  sub: string;
}

/**
 * Parses `systemctl list-units --all --plain --no-legend --full` output
 * (`UNIT LOAD ACTIVE SUB DESCRIPTION...`) by unit name.
 */
export function parseListUnits(text: string): Map<string, ListedUnit> {
  const out = new Map<string, ListedUnit>();
  for (const raw of text.split("\n")) {
    const w = raw.replace(/^\s*[●*×]?\s*/, "").split(/\s+/);
    if (w.length < 4 || !w[0]) continue;
    out.set(w[0], { load: w[1]!, active: w[2]!, sub: w[3]! });
  }
  return out;
}

/**
 * The units of a scope matching `patterns` (names or globs), from one
 * `systemctl list-units` call; `units` is `null` when it failed (why in `stderr`).
 */
export async function listUnits(
  condition: Condition,
  ctx: Context,
  patterns: string[],
): Promise<{ units: Map<string, ListedUnit> | null; stderr: string }> {
  const r = await ctx.runner.run(
    [
      ...systemctl(condition),
      "list-units",
      "--all",
      "--plain",
      "--no-legend",
      "--full",
      "--",
      ...patterns,
    ],
    userEnv(condition, ctx),
  );
  return r.code === 0
    ? { units: parseListUnits(r.stdout), stderr: "" }
    : { units: null, stderr: r.stderr.trim() };
}

/**
 * Where a scope's unit cgroups live: the unified cgroup hierarchy (`/sys/fs/cgroup`, or
 * `/sys/fs/cgroup/unified` on hybrid systems, else systemd's v1 tree) plus the cgroup of
 * the system manager (from `/proc/1/cgroup`), plus the user manager's app slice for login.
 */
async function cgroupDir(
  condition: Condition,
  ctx: Context,
): Promise<string | null> {
  const mounts = [
    "/sys/fs/cgroup",
    "/sys/fs/cgroup/unified",
    "/sys/fs/cgroup/systemd",
  ];
  let mount: string | undefined;
  for (const m of mounts) {
    if (await ctx.fs.exists(`${m}/cgroup.procs`)) {
      mount = m;
      break;
    }
  }
  if (mount === undefined) return null;
  const own = await ctx.fs.readText("/proc/1/cgroup").catch(() => null);
  const line = own?.split("\n").find((l) =>
    mount.endsWith("/systemd")
      ? l.includes(":name=systemd:")
      : l.startsWith("0::")
  );
  if (!line) return null;
  const root = line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1)
    .replace(/\/init\.scope$/, "").replace(/\/$/, "");
  const uid = ctx.self.uid;
  return condition === "boot"
    ? `${mount}${root}/system.slice`
    : `${mount}${root}/user.slice/user-${uid}.slice/user@${uid}.service/app.slice`;
}

/**
 * `systemctl show`-like properties for the fast view: states from `list-units`, the
 * enable symlink in the target's `.wants/`, and a PID from the unit's cgroup (its
 * first process, the main one for a service that does not fork).
 */
async function fastProps(
  condition: Condition,
  ctx: Context,
  units: string[],
  listed: Map<string, ListedUnit>,
): Promise<Map<string, string>[]> {
  const dir = unitDir(condition, ctx);
  const [wants, cg] = await Promise.all([
    ctx.fs.list(`${dir}/${wantedBy(condition)}.wants`).catch(() => []),
    cgroupDir(condition, ctx),
  ]);
  const enabled = new Set(wants);
  return await mapLimited(units, async (unit) => {
    // systemd lists only units it holds in memory; it unloads an idle unit nothing
    // refers to, and `show` would load it from its file again: stopped, not missing.
    const l = listed.get(unit);
    const props = new Map<string, string>([
      ["LoadState", l?.load ?? "loaded"],
      ["ActiveState", l?.active ?? "inactive"],
      ["SubState", l?.sub ?? "dead"],
      ["UnitFileState", enabled.has(unit) ? "enabled" : "disabled"],
    ]);
    if (cg !== null && l && ["active", "reloading"].includes(l.active)) {
      const procs = await ctx.fs.readText(`${cg}/${unit}/cgroup.procs`)
        .catch(() => null);
      const pid = Number(procs?.split("\n")[0] ?? "");
      if (pid > 0) props.set("MainPID", String(pid));
    }
    return props;
  });
}

/**
 * The managed services of a condition with their state: one `systemctl show` for all
 * (or, with `fast`, one `systemctl list-units` and the units' cgroups).
 */
export async function systemdStatus(
  condition: Condition,
  ctx: Context,
  names?: string[],
  options: StatusOptions = {},
): Promise<ServiceStatus[]> {
  const found = await managedUnits(condition, ctx, names);
  return await statusOfUnits(condition, ctx, found, !names, options);
}

/**
 * The units of `refs` under their identities, whoever wrote their files: one status
 * per ref, in order; one `systemctl show` per condition among them.
 */
export async function systemdStatusOf(
  refs: readonly ServiceRef[],
  ctx: Context,
  options: StatusOptions = {},
): Promise<ServiceStatus[]> {
  const conditions = [...new Set(refs.map((r) => r.condition))];
  const answers = await Promise.all(conditions.map(async (condition) => {
    const mine = refs.filter((r) => r.condition === condition);
    const found = await unitsOfRefs(mine, ctx);
    const list = await statusOfUnits(condition, ctx, found, false, options);
    return new Map(mine.map((r, i) => [r, list[i]!]));
  }));
  return refs.map((r) => answers[conditions.indexOf(r.condition)]!.get(r)!);
}

/**
 * The state of `found` (units of one condition): one `systemctl show`, or with `fast`
 * one `systemctl list-units` (of every autostart unit when `all`, the pattern being
 * cheaper than a long list) and the units' cgroups.
 */
async function statusOfUnits(
  condition: Condition,
  ctx: Context,
  found: ManagedUnit[],
  all: boolean,
  options: StatusOptions,
): Promise<ServiceStatus[]> {
  if (found.length === 0) return [];
  const unknown = (detail: string): ServiceStatus[] =>
    found.map((f) => unknownStatus({ ...f, condition }, "systemd", detail));
  const a = await systemdAvailable(ctx, condition);
  if (!a.available) return unknown(a.reason ?? "systemd is not reachable");
  if (options.fast) {
    const listed = await listUnits(
      condition,
      ctx,
      all ? ["autostart-*.service"] : found.map((f) => f.unit),
    );
    if (listed.units === null) {
      return unknown(`systemctl list-units failed: ${listed.stderr}`);
    }
    const props = await fastProps(
      condition,
      ctx,
      found.map((f) => f.unit),
      listed.units,
    );
    const now = Date.now();
    return found.map((f, i) =>
      toStatus(props[i]!, { ...f, condition }, null, now)
    );
  }
  const [r, uptime] = await Promise.all([
    ctx.runner.run(
      [
        ...systemctl(condition),
        "show",
        `--property=${SHOW_PROPERTIES.join(",")}`,
        "--",
        ...found.map((f) => f.unit),
      ],
      userEnv(condition, ctx),
    ),
    readUptime(ctx),
  ]);
  if (r.code !== 0) {
    return unknown(`systemctl show failed: ${r.stderr.trim()}`);
  }
  const byId = new Map(
    parseShow(r.stdout).map((p) => [p.get("Id") ?? "", p]),
  );
  const now = Date.now();
  return found.map((f) =>
    toStatus(byId.get(f.unit) ?? new Map(), { ...f, condition }, uptime, now)
  );
}
