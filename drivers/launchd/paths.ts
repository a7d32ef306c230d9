/**
 * Where a launchd job of each kind lives: the two kinds (agent: login, domain `gui/UID`;
 * daemon: boot, domain `system`), their plist, log and backup directories, labels and
 * `DOMAIN/LABEL` service targets.
 *
 * @module
 */

import type { PlanContext } from "../../core/context.ts";
import { requireRoot as kitRequireRoot } from "../../core/kit/mod.ts";
import type { Condition } from "../../core/spec.ts";
import { launchdLabel } from "../../templates/launchd_plist.ts";

/** Where launchctl lives on every macOS. */
export const LAUNCHCTL_PATH = "/bin/launchctl";

/** The two kinds of launchd jobs autostart writes. */
export type LaunchdKind = "agent" | "daemon";

/** Everything fixed about one kind. */
export interface KindInfo {
  /** Driver id. */
  id: string;
  /** The condition the kind serves. */
  condition: Condition;
  /** One line for `autostart drivers`. */
  description: string;
}

/** The driver id, condition and description of each kind. */
export const KINDS: Record<LaunchdKind, KindInfo> = {
  agent: {
    id: "launchd-agent",
    condition: "login",
    description:
      "launchd LaunchAgents in ~/Library/LaunchAgents, started at login (domain gui/UID)",
  },
  daemon: {
    id: "launchd-daemon",
    condition: "boot",
    description:
      "launchd LaunchDaemons in /Library/LaunchDaemons, started at boot (domain system)",
  },
};

/** Directory of the plists of a kind. */
export function plistDir(kind: LaunchdKind, ctx: PlanContext): string {
  return kind === "daemon"
    ? "/Library/LaunchDaemons"
    : `${ctx.self.home}/Library/LaunchAgents`;
}

/** Default log directory of a kind (when `--log-dir` is not given). */
export function defaultLogDir(kind: LaunchdKind, ctx: PlanContext): string {
  return kind === "daemon"
    ? "/Library/Logs/autostart"
    : `${ctx.self.home}/Library/Logs/autostart`;
}

/** Where backups of replaced plists go (never the plist directory, which launchd reads). */
export function backupDir(kind: LaunchdKind, ctx: PlanContext): string {
  return kind === "daemon"
    ? "/Library/Application Support/autostart/backups"
    : `${ctx.self.home}/Library/Application Support/autostart/backups`;
}

/** launchd domain of a kind: `gui/UID` or `system`. */
export function launchdDomain(kind: LaunchdKind, ctx: PlanContext): string {
  return kind === "daemon" ? "system" : `gui/${ctx.self.uid}`;
}

/** The label of a service: its `identity` when it has one, else `dev.autostart.NAME`. */
export function labelOf(ref: { name: string; identity?: string }): string {
  return ref.identity ?? launchdLabel(ref.name);
}

/** Service target `DOMAIN/LABEL` of a service (its label: {@link labelOf}). */
export function serviceTarget(
  kind: LaunchdKind,
  ctx: PlanContext,
  ref: { name: string; identity?: string },
): string {
  return `${launchdDomain(kind, ctx)}/${labelOf(ref)}`;
}

/** Absolute path of a service's plist (named after its label: {@link labelOf}). */
export function plistPath(
  kind: LaunchdKind,
  ctx: PlanContext,
  ref: { name: string; identity?: string },
): string {
  return `${plistDir(kind, ctx)}/${labelOf(ref)}.plist`;
}

/** Refuses (exit 2, nothing written) a change to a daemon by anyone but root. */
export function requireRoot(kind: LaunchdKind, ctx: PlanContext, what: string) {
  kitRequireRoot(
    KINDS[kind].condition,
    ctx,
    what,
    "a boot service (LaunchDaemon)",
  );
}
