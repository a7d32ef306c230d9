import { assertEquals } from "../../tests/assert.ts";
import { parseShow, toStatus } from "./show.ts";

Deno.test("toStatus() maps systemd states to autostart states", () => {
  const base = {
    name: "x",
    condition: "login" as const,
    unit: "u",
    file: null,
    drifted: false,
  };
  const st = (p: Record<string, string>) =>
    toStatus(
      new Map(Object.entries({ LoadState: "loaded", ...p })),
      base,
      null,
      Date.now(),
    ).state;
  assertEquals(st({ LoadState: "not-found" }), "not-loaded");
  assertEquals(st({ ActiveState: "inactive", SubState: "dead" }), "stopped");
  assertEquals(
    st({ ActiveState: "activating", SubState: "auto-restart", NRestarts: "1" }),
    "starting",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "auto-restart", NRestarts: "7" }),
    "crash-looping",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "start", NRestarts: "7" }),
    "crash-looping",
  );
  assertEquals(
    st({ ActiveState: "activating", SubState: "start", NRestarts: "0" }),
    "starting",
  );
  assertEquals(st({ ActiveState: "failed" }), "failed");
  assertEquals(st({ ActiveState: "active", SubState: "running" }), "running");
});

Deno.test("parseShow() splits blocks on blank lines", () => {
  const blocks = parseShow("Id=a\nX=1\n\nId=b\nX=a=b\n");
  assertEquals(blocks.map((b) => Object.fromEntries(b)), [{ Id: "a", X: "1" }, {
    Id: "b",
    X: "a=b",
  }]);
});
