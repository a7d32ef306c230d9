import { assertEquals } from "../tests/assert.ts";
import { ROOT } from "../tests/helpers.ts";
import { headerOf, ownershipOf } from "./ownership.ts";
import { seal, SEAL_PLACEHOLDER } from "./seal.ts";

const MARK = "Managed by autostart";

Deno.test("ownershipOf(): every golden file is ours, and edited when changed", () => {
  let n = 0;
  for (const kind of Deno.readDirSync(`${ROOT}tests/golden`)) {
    if (kind.name === "apply") continue; // command output, not a managed file
    for (const f of Deno.readDirSync(`${ROOT}tests/golden/${kind.name}`)) {
      const text = Deno.readTextFileSync(
        `${ROOT}tests/golden/${kind.name}/${f.name}`,
      );
      const name = `${kind.name}/${f.name}`;
      assertEquals(ownershipOf(text, MARK), "ours", name);
      assertEquals(ownershipOf(text + "\n# edit\n", MARK), "edited", name);
      n++;
    }
  }
  assertEquals(n > 30, true, `only ${n} golden files`);
});

Deno.test("ownershipOf(): the marker anywhere but the header makes a file foreign", () => {
  const sealed = seal(`# ${MARK} (${SEAL_PLACEHOLDER}): x\n[Service]\n`);
  const cases: Record<string, string> = {
    "marker in a later comment": `[Unit]\n# ${MARK}\n`,
    "marker and a seal in a later line": `[Unit]\n${sealed}`,
    "marker in a value":
      `ExecStart=/bin/echo "${MARK} (autostart-hash:0123456789abcdef)"\n`,
    "marker without a seal": `# ${MARK}: hand written\n[Service]\n`,
    "marker with a malformed seal": `# ${MARK} (autostart-hash:xyz)\n`,
    "plist with the marker in another key":
      `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
  <dict>
    <key>Label</key>
    <string>dev.autostart.web</string>
    <key>Comment</key>
    <string>${MARK} (autostart-hash:0123456789abcdef)</string>
  </dict>
</plist>
`,
    "shell script with the marker after the second line":
      `#!/bin/sh\necho hi\n# ${MARK} (autostart-hash:0123456789abcdef)\n`,
  };
  for (const [why, text] of Object.entries(cases)) {
    assertEquals(ownershipOf(text, MARK), "foreign", why);
  }
  assertEquals(ownershipOf(sealed, MARK), "ours");
  assertEquals(ownershipOf(`#!/bin/sh\n${sealed}`, MARK), "edited");
});

Deno.test("headerOf(): first line, second after #!, AutostartManaged of a plist", () => {
  assertEquals(headerOf("# a\nb\n"), "a");
  assertEquals(headerOf("a\n# b\n"), "");
  assertEquals(headerOf("#!/bin/sh\n# b\nc"), "b");
  assertEquals(
    headerOf(
      `<?xml version="1.0"?>\n<!DOCTYPE plist>\n<plist version="1.0">\n<dict>\n<key>Label</key>\n<string>x</string>\n<key>AutostartManaged</key>\n<string>M</string>\n`,
    ),
    "M",
  );
});
