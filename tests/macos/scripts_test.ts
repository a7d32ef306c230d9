// The macOS end-to-end scripts run only in CI on a Mac; here they are kept correct by
// construction: bash parses them and shellcheck finds nothing, and the workflow runs
// each of them.
import { assertEquals, assertOk } from "../assert.ts";
import { ROOT, which } from "../helpers.ts";

const DIR = `${ROOT}tests/macos`;
const scripts = [...Deno.readDirSync(DIR)].filter((e) => e.name.endsWith(".sh"))
  .map((e) => `${DIR}/${e.name}`).sort();

async function run(argv: string[]) {
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: { LANG: "C.UTF-8", TERM: "dumb" },
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    text: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}

Deno.test("tests/macos scripts: bash parses each, and the CI workflow runs each", async () => {
  assertOk(scripts.length >= 3, scripts.join(", "));
  const ci = await Deno.readTextFile(`${ROOT}.github/workflows/ci.yml`);
  for (const s of scripts) {
    const r = await run(["bash", "-n", s]);
    assertEquals(r.code, 0, r.text);
    const rel = s.slice(ROOT.length);
    assertOk(ci.includes(`./${rel}`), `ci.yml does not run ${rel}`);
  }
});

Deno.test({
  name: "tests/macos scripts are shellcheck clean",
  ignore: which("shellcheck") === null,
  fn: async () => {
    const r = await run(["shellcheck", "--shell=bash", ...scripts]);
    assertEquals(r.code, 0, r.text);
  },
});

if (which("shellcheck") === null) {
  console.log("skipped: shellcheck is not installed (scripts/ci_deps.sh)");
}

// What a macOS runner runs (the CI workflow's steps and what they call) must not lean
// on GNU-only forms: BSD sed knows no \x escapes and no bare `-i`, BSD stat no `-c`,
// and macOS has no `timeout`, `readlink -f` (before macOS 13) or `seq -s`.
Deno.test("the scripts a macOS runner runs use no GNU-only command forms", async () => {
  const files = [
    ...scripts,
    `${ROOT}scripts/test.sh`,
    `${ROOT}scripts/setup.sh`,
    `${ROOT}scripts/ci_deps.sh`,
  ];
  const gnu: [RegExp, string][] = [
    [/\bsed\b[^\n|]*\\x[0-9a-fA-F]{2}/, "sed with a \\x escape"],
    [/\bsed\s+-i(\s|$)/, "sed -i without a suffix"],
    [/\bstat\s+-c\b/, "stat -c"],
    [/\breadlink\s+-f\b/, "readlink -f"],
    [/(^|[;&|(]\s*|\s)timeout\s+\d/, "timeout"],
    [/\bdate\s+-d\b/, "date -d"],
    [/\bgrep\s+-\w*P/, "grep -P"],
    [/\bxargs\s+-\w*r/, "xargs -r"],
  ];
  for (const f of files) {
    const lines = (await Deno.readTextFile(f)).split("\n");
    lines.forEach((line, i) => {
      if (/^\s*#/.test(line)) return;
      for (const [re, what] of gnu) {
        assertOk(!re.test(line), `${f}:${i + 1}: ${what}: ${line.trim()}`);
      }
    });
  }
});
