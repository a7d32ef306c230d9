/**
 * An example autostart plugin in one file: the "echo" driver. It keeps each service as
 * a small sealed file in a directory and, where a real driver would call its init
 * system, runs `echo`. Load it at run time:
 *
 * ```sh
 * autostart --plugin plugins/examples/echo_driver.ts drivers
 * autostart --plugin plugins/examples/echo_driver.ts enable web --driver=echo -- python3 -m http.server
 * autostart --plugin plugins/examples/echo_driver.ts status
 * autostart --plugin plugins/examples/echo_driver.ts disable web
 * ```
 *
 * The default export is a function that receives the plugin API (seal, marker text,
 * sh quoting, error classes) and returns the driver, so the file needs no import at run
 * time: the `import type` line is only read by the type checker.
 *
 * @module
 */

import type {
  ControlAction,
  Driver,
  Plan,
  PlanContext,
  PluginApi,
  ServiceRef,
  ServiceSpec,
  ServiceStatus,
} from "../../mod.ts";

/** Makes the echo driver. */
export default function echoDriver(api: PluginApi): Driver {
  /** Where the service files live (AUTOSTART_ECHO_DIR, or ~/.local/share/autostart-echo). */
  const dir = (ctx: PlanContext) =>
    ctx.env.AUTOSTART_ECHO_DIR ??
      `${ctx.self.home}/.local/share/autostart-echo`;
  const file = (ctx: PlanContext, name: string) => `${dir(ctx)}/${name}.txt`;

  /** The file of a service: marker and seal first, then what it runs. */
  const render = (spec: ServiceSpec) =>
    api.seal(
      [
        `# ${api.markerText} (${api.sealPlaceholder}): do not edit.`,
        `condition=${spec.condition}`,
        `keep-alive=${spec.keepAlive}`,
        `command=${[spec.program, ...spec.args].map(api.shQuote).join(" ")}`,
        "",
      ].join("\n"),
    );

  const echo = (action: string, name: string) => ({
    kind: "run" as const,
    argv: ["echo", action, name],
    title: `${action} the service`,
  });

  return {
    id: "echo",
    description:
      "example plugin: a sealed file per service, and echo where an init system would act",
    platforms: ["linux", "darwin"],
    conditions: ["login"],
    keepAlive: ["false", "on-failure", "always"],

    available: () => Promise.resolve({ available: true }),

    // Plans see facts only (PlanContext: no runner, no file system): they are pure.
    plan(spec: ServiceSpec, ctx: PlanContext): Plan {
      return {
        driver: "echo",
        service: spec.name,
        steps: [
          { kind: "mkdir", path: dir(ctx) },
          {
            kind: "write",
            path: file(ctx, spec.name),
            content: render(spec),
            mode: 0o644,
            marker: api.markerText,
          },
          ...(spec.start
            ? [{
              ...echo("start", spec.name),
              undo: ["echo", "stop", spec.name],
            }]
            : []),
        ],
      };
    },

    planDisable(ref: ServiceRef, ctx: PlanContext, options = {}): Plan {
      return {
        driver: "echo",
        service: ref.name,
        steps: [
          echo("stop", ref.name),
          ...(options.keepFiles ? [] : [{
            kind: "remove" as const,
            path: file(ctx, ref.name),
            marker: api.markerText,
          }]),
        ],
      };
    },

    planControl(ref: ServiceRef, action: ControlAction): Plan {
      return {
        driver: "echo",
        service: ref.name,
        steps: [echo(action, ref.name)],
      };
    },

    async status(condition, ctx, names): Promise<ServiceStatus[]> {
      const out: ServiceStatus[] = [];
      // Only the services it wrote (`names`: only those). Without a `statusOf`
      // member, presets (whose services have a unit name of their own) refuse it.
      for (const f of await ctx.fs.list(dir(ctx))) {
        const name = f.replace(/\.txt$/, "");
        if (!f.endsWith(".txt") || (names && !names.includes(name))) continue;
        const text = await ctx.fs.readText(`${dir(ctx)}/${f}`);
        if (text === null || !text.includes(api.markerText)) continue;
        out.push({
          name,
          driver: "echo",
          condition,
          unit: name,
          file: `${dir(ctx)}/${f}`,
          state: "stopped",
          enabled: true,
          pid: null,
          restarts: null,
          lastExit: null,
          since: null,
          detail: "example driver: nothing runs",
          drifted: api.checkSeal(text) === "drifted",
        });
      }
      return out;
    },
  };
}
