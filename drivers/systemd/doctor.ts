/**
 * `autostart doctor` for systemd: systemd as init and its version (how crash loops back
 * off), the user manager, lingering, the unit directories, the PATH of login services,
 * and the managed files (edited by hand, not loaded, orphaned, logs too big).
 *
 * @module
 */

import type { Context } from "../../core/context.ts";
import type { Check, ServiceStatus } from "../../core/driver.ts";
import { type LogFile, logSizeChecks, mebibytes } from "../../core/log_size.ts";
import type { Condition } from "../../core/spec.ts";
import {
  LOG_ROTATE_BYTES,
  LOG_ROTATE_KEEP,
} from "../../templates/log_rotate_sh.ts";
import {
  serviceNameOfUnit,
  SYSTEMD_BACKOFF_VERSION,
} from "../../templates/systemd_unit.ts";
import { systemdAvailable } from "./available.ts";
import { logFileOfUnit } from "./logs.ts";
import { runtimeDir, systemctl, unitDir, userEnv, wantedBy } from "./paths.ts";
import { listUnits, systemdStatus } from "./status.ts";
import { systemdVersion } from "./version.ts";

/** `systemctl --user show-environment` PATH compared with the shell's. */
async function pathCheck(ctx: Context): Promise<Check> {
  const r = await ctx.runner.run(
    ["systemctl", "--user", "show-environment"],
    userEnv("login", ctx),
  );
  const title = "PATH of login services";
  if (r.code !== 0) {
    return {
      id: "systemd.path",
      title,
      level: "warn",
      detail: `systemctl --user show-environment exited with code ${r.code}: ${
        r.stderr.trim() || r.stdout.trim()
      }`,
      fix: "see the check of the user manager above",
    };
  }
  const managerPath = /^PATH=(.*)$/m.exec(r.stdout)?.[1] ?? "";
  const mine = (ctx.env.PATH ?? "").split(":").filter(Boolean);
  const theirs = new Set(managerPath.split(":"));
  const missing = mine.filter((d) => !theirs.has(d));
  if (missing.length === 0) {
    return {
      id: "systemd.path",
      title,
      level: "ok",
      detail: `the user manager's PATH has every directory of yours`,
    };
  }
  return {
    id: "systemd.path",
    title,
    level: "warn",
    detail: `the user manager's PATH (${managerPath || "empty"}) lacks ${
      missing.join(", ")
    }`,
    fix:
      "services enabled with the default --path inherit carry your PATH and are not affected; for others, enable them again without --path default",
  };
}

/** Checks of the managed files of one condition: drifted, not loaded, orphaned. */
async function fileChecks(
  condition: Condition,
  ctx: Context,
  statuses: ServiceStatus[],
): Promise<Check[]> {
  const checks: Check[] = [];
  const sc = systemctl(condition).join(" ");
  const sudo = condition === "boot" ? "sudo " : "";
  const cond = condition === "boot" ? " --condition=boot" : "";
  const logs: LogFile[] = [];
  for (const s of statuses) {
    const text = s.file
      ? await ctx.fs.readText(s.file).catch(() => null)
      : null;
    const log = text === null ? null : logFileOfUnit(text);
    if (log !== null) {
      logs.push({
        name: s.name,
        file: log,
        fix: `it is rotated when over ${
          mebibytes(LOG_ROTATE_BYTES)
        } at each start: ${sudo}autostart restart ${s.name}${cond} (older parts are kept as ${log}.1 to .${LOG_ROTATE_KEEP}); or make the program less chatty`,
      });
    }
    if (s.drifted) {
      checks.push({
        id: "systemd.drifted",
        title: `"${s.name}" unit file`,
        level: "warn",
        detail: `${s.file} was edited by hand since autostart wrote it`,
        fix:
          `run the autostart enable command of "${s.name}" again to rewrite it (your edits are kept as a backup), or remove it: ${sudo}autostart disable ${s.name}${cond}`,
      });
    }
    if (s.state === "not-loaded") {
      checks.push({
        id: "systemd.not-loaded",
        title: `"${s.name}" unit`,
        level: "warn",
        detail: `${s.file} exists but systemd has not loaded it (${s.detail})`,
        fix:
          `${sudo}${sc} daemon-reload, then: ${sudo}autostart start ${s.name}`,
      });
    }
  }
  checks.push(...await logSizeChecks("systemd", logs, ctx));
  // Units systemd still knows (loaded, or enabled through a link) whose file is gone.
  const dir = unitDir(condition, ctx);
  const have = new Set(statuses.map((s) => s.unit));
  const listed = await listUnits(condition, ctx, ["autostart-*.service"]);
  const loaded = [...(listed.units?.keys() ?? [])]
    .filter((u) => serviceNameOfUnit(u) !== null);
  const wants = `${wantedBy(condition)}.wants`;
  const linked = (await ctx.fs.list(`${dir}/${wants}`).catch(() => []))
    .filter((u) => serviceNameOfUnit(u) !== null);
  for (const u of new Set([...loaded, ...linked])) {
    if (have.has(u) || (await ctx.fs.exists(`${dir}/${u}`))) continue;
    checks.push({
      id: "systemd.orphaned",
      title: `${u}`,
      level: "warn",
      detail: `systemd still knows ${u} (${
        linked.includes(u) ? `enabled through ${dir}/${wants}` : "loaded"
      }) but its unit file is gone`,
      fix: `${sudo}${sc} disable --now ${u}; ${sudo}${sc} daemon-reload`,
    });
  }
  return checks;
}

/** The health checks of systemd for `autostart doctor`. */
export async function diagnose(ctx: Context): Promise<Check[]> {
  const checks: Check[] = [];
  if (!(await ctx.fs.exists("/run/systemd/system"))) {
    return [{
      id: "systemd.init",
      title: "systemd",
      level: "fail",
      detail: "systemd is not running as init here (no /run/systemd/system)",
      fix:
        "autostart needs systemd on Linux; on a machine or container without it, services cannot be enabled",
    }];
  }
  const version = await systemdVersion(ctx);
  checks.push({
    id: "systemd.init",
    title: "systemd",
    level: "ok",
    detail: `systemd${
      version === null ? "" : ` ${version}`
    } is running as init`,
  });
  checks.push({
    id: "systemd.backoff",
    title: "crash-loop backoff",
    level: "ok",
    detail: version !== null && version >= SYSTEMD_BACKOFF_VERSION
      ? `by systemd itself (RestartSteps=, RestartMaxDelaySec=)`
      : `by an ExecStartPre= step in each unit: systemd ${
        version ?? "(version unknown)"
      } has no RestartSteps= (it came in ${SYSTEMD_BACKOFF_VERSION}); units written before an upgrade keep it until enabled again`,
  });
  const user = ctx.self.name;
  const runtime = runtimeDir(ctx);
  const login = await systemdAvailable(ctx, "login");
  const bus = await ctx.fs.exists(`${runtime}/bus`);
  if (!login.available) {
    checks.push({
      id: "systemd.user-manager",
      title: "systemd user manager",
      level: "fail",
      detail: `${login.reason}${
        ctx.env.XDG_RUNTIME_DIR ? "" : "; XDG_RUNTIME_DIR is not set"
      }`,
      fix:
        `log in through a real session (ssh or the desktop, not su), or run: sudo loginctl enable-linger ${user}`,
    });
  } else {
    checks.push({
      id: "systemd.user-manager",
      title: "systemd user manager",
      level: ctx.env.XDG_RUNTIME_DIR && bus ? "ok" : "warn",
      detail: `running (${runtime}/systemd/private)${
        ctx.env.XDG_RUNTIME_DIR ? "" : "; XDG_RUNTIME_DIR is not set"
      }${bus ? "" : `; no user bus at ${runtime}/bus`}`,
      ...(ctx.env.XDG_RUNTIME_DIR && bus ? {} : {
        fix:
          `autostart works around it; for systemctl --user itself, log in through a real session or export XDG_RUNTIME_DIR=${runtime}`,
      }),
    });
  }
  const login_ = login.available ? await systemdStatus("login", ctx) : [];
  const lingering = await ctx.fs.exists(`/var/lib/systemd/linger/${user}`);
  checks.push(
    lingering
      ? {
        id: "systemd.linger",
        title: "lingering",
        level: "ok",
        detail:
          `lingering is on for ${user}: login services start at boot and survive logout`,
      }
      : {
        id: "systemd.linger",
        title: "lingering",
        level: login_.length ? "warn" : "ok",
        detail: login_.length
          ? `lingering is off for ${user}: its ${login_.length} login service(s) start only when ${user} logs in and stop at logout`
          : `lingering is off for ${user} (no login services yet)`,
        ...(login_.length
          ? { fix: `sudo loginctl enable-linger ${user}` }
          : {}),
      },
  );
  for (const c of ["login", "boot"] as const) {
    const dir = unitDir(c, ctx);
    if ((c === "boot" && ctx.self.uid !== 0) || !ctx.fs.writable) continue;
    const ok = await ctx.fs.writable(dir);
    checks.push({
      id: `systemd.${c}-dir`,
      title: `${c} unit directory`,
      level: ok ? "ok" : "fail",
      detail: `${dir} is ${ok ? "" : "not "}writable`,
      ...(ok ? {} : {
        fix: c === "boot"
          ? "run autostart with sudo for boot services"
          : `make it yours: sudo chown -R ${user} ${dir}`,
      }),
    });
  }
  if (login.available) checks.push(await pathCheck(ctx));
  checks.push(...await fileChecks("login", ctx, login_));
  if (ctx.self.uid === 0) {
    checks.push(
      ...await fileChecks("boot", ctx, await systemdStatus("boot", ctx)),
    );
  }
  return checks;
}
