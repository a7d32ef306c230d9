import { assertEquals, assertThrows } from "../tests/assert.ts";
import { checkSeal, contentHash, seal, SEAL_PLACEHOLDER } from "./seal.ts";

Deno.test("seal() and checkSeal() detect any change of the text", () => {
  const text = seal(
    `# Managed by autostart (${SEAL_PLACEHOLDER})\nExecStart="/bin/true"\n`,
  );
  assertEquals(checkSeal(text), "intact");
  assertEquals(checkSeal(text.replace("true", "truE")), "drifted");
  assertEquals(checkSeal(text + " "), "drifted");
  assertEquals(checkSeal("no seal here"), "none");
});

Deno.test("seal() needs the placeholder", () => {
  assertThrows(() => seal("plain"), TypeError);
});

Deno.test("contentHash() is stable and 16 hex digits", () => {
  assertEquals(contentHash("abc"), contentHash("abc"));
  assertEquals(/^[0-9a-f]{16}$/.test(contentHash("ünï ✓")), true);
  assertEquals(contentHash("a") === contentHash("b"), false);
});
