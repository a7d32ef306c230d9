import { assertEquals } from "../tests/assert.ts";
import { FakeRunner, MemoryFs } from "./fake.ts";
import {
  darwinSelf,
  lookupUserDarwin,
  parseDscl,
  userLookup,
} from "./context.ts";

const fixture = (name: string) =>
  Deno.readTextFileSync(
    new URL(`../tests/fixtures/dscl/${name}`, import.meta.url),
  );

/** A Mac with one user: dscl and id answer as on macOS (fixtures: tests/fixtures/dscl). */
function mac(): FakeRunner {
  // Rules added later are asked first.
  return new FakeRunner()
    .on(["getent"], { code: 127, stderr: "getent: command not found" })
    .on(["id"], {
      stdout:
        "uid=505(games) gid=20(staff) groups=20(staff),12(everyone),61(localaccounts)\n",
    })
    .on(["id", "-un"], { code: 1, stderr: "id: 999: no such user\n" })
    .on(["id", "-un", "505"], { stdout: "games\n" })
    .on(["id", "-gn", "games"], { stdout: "staff\n" })
    .on((a) => a[0] === "dscl", {
      code: 56,
      stderr: fixture("read_missing.stderr"),
    })
    .on(["dscl", ".", "-read", "/Users/games"], {
      stdout: fixture("read_user_games.txt"),
    });
}

Deno.test("parseDscl() reads one-line values and values continued on the next line", () => {
  const m = parseDscl(fixture("read_user_games.txt"));
  assertEquals(m.get("UniqueID"), "505");
  assertEquals(m.get("PrimaryGroupID"), "20");
  assertEquals(m.get("NFSHomeDirectory"), "/Users/games");
  assertEquals(m.get("UserShell"), "/bin/bash");
  assertEquals(
    m.get("Picture"),
    "/Library/User Pictures/Flowers/Sunflower.tif",
  );
  assertEquals(m.get("dsAttrTypeNative:_writers_hint"), "games");
  assertEquals(
    parseDscl("NFSHomeDirectory:\n /Users/Example User\nUniqueID: 501\n")
      .get("NFSHomeDirectory"),
    "/Users/Example User",
  );
});

Deno.test("lookupUserDarwin() asks Open Directory and names the group (staff, not 20)", async () => {
  const runner = mac();
  assertEquals(await lookupUserDarwin(runner, "games"), {
    name: "games",
    uid: 505,
    gid: 20,
    group: "staff",
    home: "/Users/games",
  });
  // Only the keys it uses: an account may lack others (UserShell, RealName).
  assertEquals(
    runner.lines()[0],
    "dscl . -read /Users/games UniqueID PrimaryGroupID NFSHomeDirectory",
  );
  assertEquals((await lookupUserDarwin(runner, "505"))?.name, "games");
  assertEquals(await lookupUserDarwin(runner, "nobody-here"), null);
  assertEquals(await lookupUserDarwin(runner, "999"), null);
  assertEquals(await lookupUserDarwin(runner, "../etc"), null);
});

Deno.test("userLookup() on darwin finds a user /etc/passwd does not list; on linux it reads /etc/passwd", async () => {
  // macOS's /etc/passwd lists system accounts only.
  const fs = new MemoryFs({
    "/etc/passwd":
      "nobody:*:-2:-2:Unprivileged User:/var/empty:/usr/bin/false\nroot:*:0:0:System Administrator:/var/root:/bin/sh\n",
    "/etc/group": "wheel:*:0:root\nstaff:*:20:root\n",
  });
  assertEquals(
    (await userLookup("darwin", mac(), fs)("games"))?.home,
    "/Users/games",
  );
  assertEquals(await userLookup("linux", mac(), fs)("games"), null);
  assertEquals(
    (await userLookup("linux", mac(), fs)("root"))?.group,
    "wheel",
  );
});

Deno.test("darwinSelf() reads the invoking user from one id, the home from HOME or Open Directory", async () => {
  assertEquals(await darwinSelf(mac(), { HOME: "/Users/games" }), {
    name: "games",
    uid: 505,
    gid: 20,
    group: "staff",
    home: "/Users/games",
  });
  const noHome = mac();
  assertEquals((await darwinSelf(noHome, {}))?.home, "/Users/games");
  assertEquals(
    noHome.lines().some((l) => l.startsWith("dscl . -read /Users/games")),
    true,
  );
});
