import { assertOk } from "../../tests/assert.ts";
import { systemdDriver } from "./mod.ts";

Deno.test("systemdDriver.programLine() tells the program's lines from the manager's", () => {
  assertOk(
    !systemdDriver.programLine!(
      "2024-05-01T10:00:00+0000 vm systemd[111]: Started autostart-web.service.",
    ),
  );
  assertOk(
    systemdDriver.programLine!(
      "2024-05-01T10:00:00+0000 vm sh[42]: cannot open /etc/broken.conf",
    ),
  );
});
