/**
 * scripts/homebrew_formula.ts: the formula is valid Ruby (`ruby -c`), and evaluated
 * against a stub of Homebrew's DSL it gives the right url and sha256 on each
 * platform.
 *
 * @module
 */

import { assertEquals, assertMatch, assertThrows } from "../tests/assert.ts";
import { ROOT, which } from "../tests/helpers.ts";
import {
  DEFAULT_BASE_URL,
  FORMULA_PLATFORMS,
  main,
  renderFormula,
} from "./homebrew_formula.ts";
import { archiveName, formatSha256Sums } from "./release_files.ts";

const RUBY = which("ruby");
if (!RUBY) console.log("skipped: ruby is not installed (scripts/ci_deps.sh)");

/** A distinct fake digest per target. */
function digests(version: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, p] of FORMULA_PLATFORMS.entries()) {
    out[archiveName(version, p.target)] = String(i + 1).repeat(64);
  }
  out[archiveName(version, "x86_64-pc-windows-msvc")] = "f".repeat(64);
  return out;
}

/** Homebrew's DSL, just enough to see which url/sha256 a platform gets. */
const STUB = `
$os, $cpu = ARGV[1].to_sym, ARGV[2].to_sym
class Formula
  def self.desc(_) end
  def self.homepage(_) end
  def self.version(v = nil) @v = v if v; @v end
  def self.license(l = nil) @l = l if l; @l end
  def self.url(u) puts "url #{u}" end
  def self.sha256(s) puts "sha256 #{s}" end
  def self.on_macos; yield if $os == :macos end
  def self.on_linux; yield if $os == :linux end
  def self.on_arm; yield if $cpu == :arm end
  def self.on_intel; yield if $cpu == :intel end
  def self.test(&_) end
end
load ARGV[0]
puts "version #{Autostart.version}"
puts "license #{Autostart.license}"
puts "install #{Autostart.instance_method(:install).arity}"
`;

async function ruby(args: string[]): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("ruby", {
    args,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout) + d.decode(r.stderr) };
}

Deno.test("renderFormula() has the Homebrew parts", () => {
  const rb = renderFormula({
    version: "1.2.3",
    baseUrl: DEFAULT_BASE_URL,
    digests: digests("1.2.3"),
  });
  assertMatch(rb, /^class Autostart < Formula$/m);
  // Homebrew's audit requires a license; it must name the one in LICENSE.
  assertMatch(rb, /^ {2}license "Apache-2\.0"$/m);
  assertMatch(
    Deno.readTextFileSync(new URL("../LICENSE", import.meta.url)),
    /Apache License\s+Version 2\.0, January 2004/,
  );
  assertMatch(rb, /^ {2}on_macos do\n {4}on_arm do\n/m);
  assertMatch(rb, /^ {4}bin\.install "autostart"$/m);
  // The man page from the archive (scripts/release_files.ts puts it there).
  assertMatch(rb, /^ {4}man1\.install "autostart\.1"$/m);
  assertMatch(
    rb,
    /generate_completions_from_executable\(bin\/"autostart", "completions", shells: \[:bash, :zsh, :fish\]\)/,
  );
  assertMatch(rb, /shell_output\("#\{bin\}\/autostart --version"\)/);
  assertEquals(/^\s*service do/m.test(rb), false);
});

Deno.test("renderFormula() refuses SHA256SUMS without a platform's archive", () => {
  const d = digests("1.2.3");
  delete d[archiveName("1.2.3", "aarch64-unknown-linux-gnu")];
  assertThrows(
    () => renderFormula({ version: "1.2.3", baseUrl: "https://x", digests: d }),
    Error,
    "autostart-1.2.3-aarch64-unknown-linux-gnu.tar.gz",
  );
});

Deno.test({
  name:
    "homebrew_formula.ts writes valid Ruby with each platform's url and sha256",
  ignore: !RUBY,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(
        `${dir}/SHA256SUMS`,
        formatSha256Sums(digests("0.3.0")),
      );
      const code = await main([
        "--sums",
        `${dir}/SHA256SUMS`,
        "--version",
        "v0.3.0",
        "--base-url",
        "http://127.0.0.1:9/rel/download/",
        "--out",
        `${dir}/autostart.rb`,
      ]);
      assertEquals(code, 0);
      const syntax = await ruby(["-c", `${dir}/autostart.rb`]);
      assertEquals(syntax.code, 0, syntax.out);
      assertMatch(syntax.out, /Syntax OK/);
      await Deno.writeTextFile(`${dir}/stub.rb`, STUB);
      for (const [i, p] of FORMULA_PLATFORMS.entries()) {
        const r = await ruby([
          `${dir}/stub.rb`,
          `${dir}/autostart.rb`,
          p.os,
          p.cpu,
        ]);
        assertEquals(r.code, 0, r.out);
        assertEquals(
          r.out,
          `url http://127.0.0.1:9/rel/download/v0.3.0/autostart-0.3.0-${p.target}.tar.gz\n` +
            `sha256 ${
              String(i + 1).repeat(64)
            }\nversion 0.3.0\nlicense Apache-2.0\ninstall 0\n`,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("homebrew_formula.ts fails with one line on a bad SHA256SUMS", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/SHA256SUMS`, "not a checksum\n");
    const r = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `${ROOT}scripts/homebrew_formula.ts`,
        "--sums",
        `${dir}/SHA256SUMS`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assertEquals(r.code, 1);
    assertEquals(
      new TextDecoder().decode(r.stderr),
      'homebrew_formula: SHA256SUMS line 1 is not "HEX  NAME": "not a checksum"\n',
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
