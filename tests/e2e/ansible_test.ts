// docs/fleet.md's Ansible playbook, run by the real ansible-playbook (connection: local)
// inside the sandboxed systemd: the first run reports changed and starts the service,
// the second reports ok for every task, and --check on a changed manifest reports
// changed and changes nothing.
import { assertEquals, assertOk } from "../assert.ts";
import { ROOT, which } from "../helpers.ts";
import { E2E, sharedBox } from "./_box.ts";

const box = sharedBox();
const ansible = which("ansible-playbook");
if (E2E.ignore === false && ansible === null) {
  console.log(
    "skipped: ansible-playbook is not installed (scripts/ci_deps.sh installs ansible-core)",
  );
}

/** The playbook of docs/fleet.md: the yaml block after the playbook marker. */
async function docPlaybook(): Promise<string> {
  const doc = await Deno.readTextFile(`${ROOT}docs/fleet.md`);
  const at = doc.indexOf("<!-- playbook:");
  const m = /```yaml\n([\s\S]*?)```/.exec(doc.slice(at));
  if (at < 0 || !m) throw new Error("docs/fleet.md has no playbook block");
  return m[1]!;
}

const manifest = (seconds: number) =>
  JSON.stringify({
    version: 1,
    services: [{
      name: "tick",
      condition: "boot",
      user: "u1",
      keepAlive: "always",
      command: ["/bin/sleep", String(seconds)],
    }],
  });

interface Run {
  changed: Record<string, boolean>;
  total: number;
}

Deno.test({
  name:
    "ansible: the playbook of docs/fleet.md applies, is idempotent, and --check changes nothing",
  ...E2E,
  ignore: E2E.ignore || ansible === null,
  async fn() {
    const b = await box.get();
    try {
      await b.addUser("u1", { linger: false });
      const play = await docPlaybook();
      const put = async (path: string, text: string) => {
        const r = await b.sh(`mkdir -p /srv/fleet && cat > ${path}`, {
          stdin: text,
        });
        assertEquals(r.code, 0, r.stderr);
      };
      await put("/srv/fleet/site.yml", play);
      await put("/srv/fleet/services.json", manifest(100000));
      const playbook = async (...extra: string[]): Promise<Run> => {
        const r = await b.exec([
          "ansible-playbook",
          "-i",
          "localhost,",
          "-c",
          "local",
          "-e",
          "autostart_binary=/usr/local/bin/autostart",
          "-e",
          "autostart_manifest=/srv/fleet/services.json",
          ...extra,
          "/srv/fleet/site.yml",
        ], {
          env: {
            LANG: "C.UTF-8",
            LC_ALL: "C.UTF-8",
            HOME: "/root",
            ANSIBLE_NOCOLOR: "1",
            ANSIBLE_LOCALHOST_WARNING: "false",
            ANSIBLE_INVENTORY_UNPARSED_WARNING: "false",
          },
        });
        assertEquals(
          r.code,
          0,
          `ansible-playbook failed:\n${r.stdout}\n${r.stderr}`,
        );
        // The default callback: "TASK [name] ***" then "changed: [localhost]" or
        // "ok: [localhost]"; the recap line counts changed tasks.
        const changed: Record<string, boolean> = {};
        for (const part of r.stdout.split(/^TASK \[/m).slice(1)) {
          const name = part.slice(0, part.indexOf("]"));
          changed[name] = /^changed: \[localhost\]/m.test(part);
        }
        const recap = /localhost\s*:.*changed=(\d+)/.exec(r.stdout);
        assertOk(recap, r.stdout);
        return { changed, total: Number(recap[1]) };
      };
      const unit = "/etc/systemd/system/autostart-tick.service";

      const first = await playbook();
      assertEquals(
        first.changed["Apply the manifest"],
        true,
        JSON.stringify(first),
      );
      assertEquals(
        await b.prop("autostart-tick.service", "ActiveState"),
        "active",
      );
      const pid = await b.prop("autostart-tick.service", "MainPID");
      const file = (await b.exec(["cat", unit])).stdout;
      assertOk(file.includes('ExecStart="/bin/sleep" "100000"'), file);

      const second = await playbook();
      assertEquals(second.total, 0, `second run: ${JSON.stringify(second)}`);
      assertEquals(await b.prop("autostart-tick.service", "MainPID"), pid);

      await put("/srv/fleet/services.json", manifest(200000));
      const check = await playbook("--check");
      assertEquals(
        check.changed["Apply the manifest"],
        true,
        JSON.stringify(check),
      );
      assertEquals(
        (await b.exec(["cat", unit])).stdout,
        file,
        "unit unchanged",
      );
      assertEquals(await b.prop("autostart-tick.service", "MainPID"), pid);
    } finally {
      await box.stop();
    }
  },
});
