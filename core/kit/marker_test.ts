import { assertEquals, assertOk } from "../../tests/assert.ts";
import { checkSeal, seal, SEAL_PLACEHOLDER } from "../seal.ts";
import { ownershipOf } from "../ownership.ts";
import { MARKER_TEXT, markerNote } from "./marker.ts";
import { ENV_COPY_MARKER } from "../env_file.ts";
import { MARKER_TEXT as PLUGIN_MARKER_TEXT } from "../plugins.ts";
import {
  SYSTEMD_MARKER,
  SYSTEMD_MARKER_TEXT,
} from "../../templates/systemd_unit.ts";
import { LAUNCHD_MARKER_TEXT } from "../../templates/launchd_plist.ts";
import { NEWSYSLOG_MARKER_TEXT } from "../../templates/newsyslog_conf.ts";
import { RUNIT_MARKER_TEXT } from "../../templates/runit_scripts.ts";
import { OPENRC_MARKER_TEXT } from "../../templates/openrc_script.ts";

Deno.test("MARKER_TEXT is the words every managed file has carried", () => {
  // Files written by earlier releases must still be recognised as ours.
  assertEquals(MARKER_TEXT, "Managed by autostart");
});

Deno.test("markerNote() names the command that regenerates the file and seals", () => {
  const note = markerNote("autostart lima enable default");
  assertEquals(
    note,
    `Managed by autostart (${SEAL_PLACEHOLDER}): do not edit; run "autostart lima enable default" again to change it.`,
  );
  const file = seal(`# ${note}\n[Unit]\n`);
  assertEquals(checkSeal(file), "intact");
  assertOk(ownershipOf(file, MARKER_TEXT) !== "foreign");
  assertEquals(ownershipOf("[Unit]\n", MARKER_TEXT), "foreign");
});

Deno.test("every older marker name is the kit's MARKER_TEXT", () => {
  for (
    const m of [
      ENV_COPY_MARKER,
      PLUGIN_MARKER_TEXT,
      SYSTEMD_MARKER_TEXT,
      LAUNCHD_MARKER_TEXT,
      NEWSYSLOG_MARKER_TEXT,
      RUNIT_MARKER_TEXT,
      OPENRC_MARKER_TEXT,
    ]
  ) assertEquals(m, MARKER_TEXT);
  assertEquals(SYSTEMD_MARKER, `# ${MARKER_TEXT}`);
});
