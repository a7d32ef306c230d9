import { assertEquals } from "../../tests/assert.ts";
import {
  hostSignalPlatform,
  signalName,
  signalNumber,
  signalText,
} from "./signals.ts";

Deno.test("signalName() uses the numbering of the platform asked", () => {
  assertEquals(signalName(15, "linux"), "TERM");
  assertEquals(signalName(9, "darwin"), "KILL");
  assertEquals(signalName(7, "linux"), "BUS");
  assertEquals(signalName(7, "darwin"), "EMT");
  assertEquals(signalName(10, "linux"), "USR1");
  assertEquals(signalName(10, "darwin"), "BUS");
  assertEquals(signalName(30, "darwin"), "USR1");
  assertEquals(signalName(64, "linux"), undefined);
  assertEquals(signalName(0, "darwin"), undefined);
});

Deno.test("signalNumber() reads SIGTERM, TERM and aliases", () => {
  assertEquals(signalNumber("SIGTERM", "linux"), 15);
  assertEquals(signalNumber("term", "darwin"), 15);
  assertEquals(signalNumber("SIGPOLL", "linux"), 29);
  assertEquals(signalNumber("SIGIOT", "darwin"), 6);
  assertEquals(signalNumber("SIGUSR2", "darwin"), 31);
  assertEquals(signalNumber("SIGPWR", "darwin"), undefined);
  assertEquals(signalNumber("SIGNOPE", "linux"), undefined);
});

Deno.test("signalText() shows the name, or the number when there is none", () => {
  assertEquals(signalText(11, "linux"), "signal SEGV");
  assertEquals(signalText(40, "linux"), "signal 40");
});

Deno.test("signalName() agrees with bash's `kill -l` on this machine", async () => {
  // bash names every signal of the C library it was built with (dash does not).
  const platform = hostSignalPlatform();
  for (let n = 1; n <= 31; n++) {
    const out = await new Deno.Command("bash", {
      args: ["-c", `kill -l ${n}`],
      env: { LANG: "C", PATH: "/usr/bin:/bin" },
      clearEnv: true,
    }).output();
    const said = new TextDecoder().decode(out.stdout).trim().replace(
      /^SIG/,
      "",
    );
    assertEquals(signalName(n, platform), said, `signal ${n}`);
    assertEquals(signalNumber(said, platform), n, said);
  }
});
