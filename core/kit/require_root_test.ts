import { assertEquals, assertThrows } from "../../tests/assert.ts";
import { UsageError } from "../errors.ts";
import { requireRoot } from "./require_root.ts";

const user = { self: { uid: 1000 } };
const root = { self: { uid: 0 } };

Deno.test("requireRoot() refuses a boot service to a user with exit 2 and the next step", () => {
  let e: unknown;
  try {
    requireRoot("boot", user, "Installing");
  } catch (err) {
    e = err;
  }
  if (!(e instanceof UsageError)) {
    throw new Error(`expected a UsageError, got ${e}`);
  }
  assertEquals(e.message, "Installing a boot service needs root");
  assertEquals(e.exitCode, 2);
  assertEquals(e.hint, "run the same command with sudo");
});

Deno.test("requireRoot() names the subject it is given", () => {
  assertThrows(
    () =>
      requireRoot("boot", user, "Removing", "a boot service (LaunchDaemon)"),
    (e) =>
      e instanceof UsageError &&
      e.message === "Removing a boot service (LaunchDaemon) needs root",
  );
});

Deno.test("requireRoot() lets root plan a boot service and anyone a login service", () => {
  requireRoot("boot", root, "Installing");
  requireRoot("login", user, "Installing");
  requireRoot("login", root, "Starting");
});
