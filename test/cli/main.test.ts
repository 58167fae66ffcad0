import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "../../src/cli/args.ts";
import { main } from "../../src/main.ts";
import { UsageError } from "../../src/shared/errors.ts";

const ROOT = resolve(import.meta.dir, "../..");

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

describe("parseArgs", () => {
  test.each([
    [[], { name: "run" }],
    [["run"], { name: "run" }],
    [["console"], { name: "console" }],
    [["check-config"], { name: "check-config" }],
    [["check-config", "x.yaml"], { name: "check-config", file: "x.yaml" }],
    [["status", "--json"], { name: "status", json: true }],
    [["--version"], { name: "version" }],
    [["--help"], { name: "help" }],
    [["-c", "my.yaml"], { name: "run", config: "my.yaml" }],
    [["console", "--config", "my.yaml"], { name: "console", config: "my.yaml" }],
    [["status", "--json", "--config=my.yaml"], { name: "status", json: true, config: "my.yaml" }],
    [["check-config", "-c", "my.yaml"], { name: "check-config", file: "my.yaml" }],
    [
      ["check-config", "--service", "o.env", "x.yaml"],
      { name: "check-config", file: "x.yaml", service: "o.env" },
    ],
    [
      ["check-config", "x.yaml", "--service", "o.env"],
      { name: "check-config", file: "x.yaml", service: "o.env" },
    ],
    [["example-config"], { name: "example-config" }],
  ] as const)("%p", (argv, command) => {
    expect(parseArgs(argv)).toEqual(command);
  });

  test.each([
    [["bogus"]],
    [["run", "extra"]],
    [["status", "--yaml"]],
    [["check-config", "a", "b"]],
    [["run", "-c"]],
    [["check-config", "a.yaml", "-c", "b.yaml"]],
    [["example-config", "x"]],
    [["check-config", "x.yaml", "--service"]],
    [["check-config", "--service", "--json"]],
  ])("%p is a usage error", (argv) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
  });
});

describe("the binary alone in an empty folder", () => {
  const inEmptyDir = (...argv: string[]) => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-alone-"));
    const r = Bun.spawnSync([process.execPath, join(ROOT, "src/main.ts"), ...argv], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
    });
    return { dir, code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
  };

  test("status works with no config: the root and the real mounted filesystems", () => {
    const r = inEmptyDir("status", "--json");
    expect(r.code === 0 || r.code === 1).toBe(true);
    const json = JSON.parse(r.out) as { devices: { name: string; path: string }[] };
    expect(json.devices[0]).toMatchObject({ name: "root", path: "/" });
  });

  test("example-config prints the commented reference; with no config anywhere, run says how to get one", () => {
    const example = inEmptyDir("example-config");
    expect(example.code).toBe(0);
    expect(example.out).toStartWith("# Octopus configuration reference.");
    expect(example.out).toBe(`${readFileSync(join(ROOT, "config/config.example.yaml"), "utf8").trimEnd()}\n`);
    const run = inEmptyDir("run");
    expect(run.code).toBe(2);
    expect(run.err).toContain(
      "no config file: looked for ./config.yaml, ./config/config.yaml, /etc/octopus/config.yaml",
    );
    expect(run.err).toContain("octopus example-config > config.yaml");
  });

  test("a config.yaml beside the binary is found, and check-config names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-beside-"));
    writeFileSync(join(dir, "config.yaml"), "telegram:\n  admins: [42]\n");
    const r = Bun.spawnSync([process.execPath, join(ROOT, "src/main.ts"), "check-config"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
    });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toStartWith(`${dir}/config.yaml: OK.`);
  });
});

describe("main", () => {
  test("check-config on the shipped config exits 0 with a summary", async () => {
    const c = capture();
    const code = await main(["check-config"], { CONFIG_FILE: resolve(ROOT, "config/config.yaml") }, c.io);
    expect(code).toBe(0);
    expect(c.out.join("\n")).toContain("1 one-time script and 1 long-running script; 3 monitored devices");
  });

  test("check-config --service: exit 3 with what is missing, 0 once a token and a real admin are set", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-ready-"));
    const file = join(dir, "config.yaml");
    const envFile = join(dir, "octopus.env");
    const run = async () => {
      const c = capture();
      const code = await main(["check-config", "--service", envFile, file], {}, c.io);
      return { code, out: c.out.join("\n"), err: c.err.join("\n") };
    };
    writeFileSync(file, "telegram:\n  admins: [123456789]\n");
    let r = await run();
    expect(r.code).toBe(3);
    expect(r.out).toContain(`${envFile} cannot be read`);
    expect(r.out).toContain("still the example id 123456789");
    writeFileSync(envFile, "# comment\nTELEGRAM_TOKEN=\n");
    writeFileSync(file, "telegram:\n  admins: [7]\n");
    r = await run();
    expect(r.code).toBe(3);
    expect(r.out).toContain("no bot token");
    expect(r.out).not.toContain("telegram.admins");
    writeFileSync(envFile, "TELEGRAM_BOT_TOKEN='7:secret-token-value'\n");
    r = await run();
    expect(r.code).toBe(0);
    expect(r.out).toContain("The service can start");
    // The token is judged, never printed.
    expect(r.out + r.err).not.toContain("secret-token-value");
    // The Alertmanager bridge without its token in the env file: said, with what to add.
    writeFileSync(file, "telegram:\n  admins: [7]\nhttp:\n  listen: 127.0.0.1:9464\nalertmanager: {}\n");
    r = await run();
    expect(r.code).toBe(3);
    expect(r.out).toContain("has no OCTOPUS_ALERTMANAGER_TOKEN=");
    writeFileSync(
      envFile,
      "TELEGRAM_BOT_TOKEN='7:secret-token-value'\nOCTOPUS_ALERTMANAGER_TOKEN=am-secret-1\n",
    );
    r = await run();
    expect(r.code).toBe(0);
    expect(r.out + r.err).not.toContain("am-secret-1");
    writeFileSync(file, "telegram:\n  admins: [7]\nalerts:\n  for: many\n");
    expect((await run()).code).toBe(2);
  });

  test("check-config on an old bot's config names the command each script name became", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-names-"));
    const file = join(dir, "config.yaml");
    writeFileSync(file, "one_time_scripts:\n  - name: Disk Report\n    path: /bin/true\n");
    const c = capture();
    expect(await main(["check-config", file], {}, c.io)).toBe(0);
    expect(c.out.join("\n")).toContain(
      'Scripts by their command-safe names: "Disk Report" is /run disk_report.',
    );
  });

  test("check-config on a broken config exits 2 with the error lines only", async () => {
    const c = capture();
    const file = resolve(ROOT, "test/fixtures/config/threshold-120.yaml");
    const code = await main(["check-config", file], {}, c.io);
    expect(code).toBe(2);
    expect(c.err).toEqual([
      `${file}:4:22 monitored_devices[0].alert_threshold: must be from 0 to 100 (percent used)`,
    ]);
  });

  test("under systemd (JOURNAL_STREAM) an error before the logger exists carries the error priority", async () => {
    const c = capture();
    const file = resolve(ROOT, "test/fixtures/config/threshold-120.yaml");
    const code = await main(["run"], { CONFIG_FILE: file, JOURNAL_STREAM: "8:1234" }, c.io);
    expect(code).toBe(2);
    expect(c.err).toEqual([
      `<3>${file}:4:22 monitored_devices[0].alert_threshold: must be from 0 to 100 (percent used)`,
    ]);
  });

  test("an unknown subcommand prints the usage and exits 2", async () => {
    const c = capture();
    expect(await main(["frobnicate"], {}, c.io)).toBe(2);
    expect(c.err.join("\n")).toContain("unknown command: frobnicate");
    expect(c.err.join("\n")).toContain("Usage: octopus");
  });

  test("--version names the version, commit and bun", async () => {
    const c = capture();
    expect(await main(["--version"], {}, c.io)).toBe(0);
    expect(c.out[0]).toMatch(/^octopus \S+ \(commit \S+, bun 1\.4\.\d+\)$/);
  });

  test("the real process exits 2 for a bad config and prints no stack trace", async () => {
    const proc = Bun.spawn(
      [process.execPath, "src/main.ts", "check-config", "test/fixtures/config/bad-cron.yaml"],
      {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(
      'test/fixtures/config/bad-cron.yaml:4:15 one_time_scripts[0].schedule: not a valid cron pattern (5 or 6 fields, e.g. "*/5 * * * *")',
    );
    expect(stderr).not.toContain("    at ");
  });
});
