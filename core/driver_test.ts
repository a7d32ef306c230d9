import { assertEquals } from "../tests/assert.ts";
import { fakeContext, webSpec } from "../tests/helpers.ts";
import type { Context, PlanContext } from "./context.ts";
import { type Driver, featuresOf } from "./driver.ts";
import type { Plan } from "./plan.ts";
import type { ServiceSpec } from "./spec.ts";

/** A driver whose plans only look at the facts of their context. */
const pure: Driver = {
  id: "pure",
  description: "plans from facts only",
  platforms: ["linux"],
  conditions: ["login"],
  keepAlive: ["on-failure"],
  available: () => Promise.resolve({ available: true }),
  plan(spec, ctx): Plan {
    // @ts-expect-error: a plan's context has no runner
    void ctx.runner;
    // @ts-expect-error: a plan's context has no file system
    void ctx.fs;
    // @ts-expect-error: nor an account lookup
    void ctx.lookupUser;
    return {
      driver: "pure",
      service: spec.name,
      steps: [{
        kind: "write",
        path: `${ctx.self.home}/${spec.name}`,
        content: ctx.os,
        mode: 0o644,
        marker: "Managed by autostart",
      }],
    };
  },
  planDisable: (ref) => ({ driver: "pure", service: ref.name, steps: [] }),
  planControl: (ref) => ({ driver: "pure", service: ref.name, steps: [] }),
  status: () => Promise.resolve([]),
};

/** A driver whose plan asks for the effects too does not fit the contract. */
const impure: Driver = {
  ...pure,
  // @ts-expect-error: a plan that takes a full Context (runner, fs) is refused
  plan: (spec: ServiceSpec, ctx: Context): Plan => ({
    driver: "impure",
    service: spec.name,
    steps: [],
    notes: [String(ctx.runner)],
  }),
};

Deno.test("Driver.plan() receives a PlanContext: facts only, a full Context fits it", () => {
  const ctx: Context = fakeContext();
  const facts: PlanContext = ctx; // the effects are left out, nothing is missing
  const plan = pure.plan(webSpec(), facts);
  assertEquals(plan.steps[0], {
    kind: "write",
    path: "/home/alice/web",
    content: "linux",
    mode: 0o644,
    marker: "Managed by autostart",
  });
});

Deno.test("a plan that takes the full Context is refused by the compiler (see impure)", () => {
  assertEquals(typeof impure.plan, "function"); // compiled only with @ts-expect-error
});

Deno.test("featuresOf() names what a spec asks of its driver", () => {
  assertEquals(featuresOf(webSpec()), []);
  assertEquals(
    featuresOf(
      webSpec({ stopTimeoutMs: 5000, envFile: { source: "/e", vars: [] } }),
    ),
    ["stop-timeout", "env-file"],
  );
});
