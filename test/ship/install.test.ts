import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "../..");
const hasAnalyze = Bun.spawnSync(["sh", "-c", "command -v systemd-analyze"]).exitCode === 0;

function install(destdir: string, binary: string) {
  return Bun.spawnSync(
    ["make", "--no-print-directory", "install", `DESTDIR=${destdir}`, "PREFIX=/usr", `BINARY=${binary}`],
    { cwd: ROOT },
  );
}

function stubBinary(): string {
  const dir = mkdtempSync(join(tmpdir(), "octopus-stub-"));
  const path = join(dir, "octopus");
  writeFileSync(path, "#!/bin/sh\necho octopus stub\n", { mode: 0o755 });
  return path;
}

/** The binary as the installer runs it: the source through this Bun, so check-config is real. */
function sourceBinary(): string {
  const dir = mkdtempSync(join(tmpdir(), "octopus-src-"));
  const path = join(dir, "octopus");
  writeFileSync(path, `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, "src/main.ts")}" "$@"\n`, {
    mode: 0o755,
  });
  return path;
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe("make install DESTDIR=…", () => {
  test("lays out every file with the right modes and touches nothing outside DESTDIR", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    const r = install(dest, sourceBinary());
    expect(r.exitCode).toBe(0);
    const out = r.stdout.toString();
    expect(out).toContain("DESTDIR set: no user created, systemd not touched.");
    // The example config and an empty token: installed, but it would not be started, and
    // the installed binary says why (not a grep in the installer).
    expect(out).toContain("The service cannot start yet:");
    expect(out).toContain("no bot token: put TELEGRAM_TOKEN=");
    expect(out).toContain("telegram.admins is still the example id 123456789");
    expect(out).toContain("the service could not start yet: see above");
    expect(mode(join(dest, "usr/bin/octopus"))).toBe("755");
    expect(mode(join(dest, "etc/octopus"))).toBe("750");
    expect(mode(join(dest, "etc/octopus/config.yaml"))).toBe("640");
    expect(mode(join(dest, "etc/octopus/octopus.env"))).toBe("600");
    expect(mode(join(dest, "etc/systemd/system/octopus.service"))).toBe("644");
    expect(readFileSync(join(dest, "etc/octopus/octopus.env"), "utf8")).toContain("TELEGRAM_TOKEN=\n");
    const unit = readFileSync(join(dest, "etc/systemd/system/octopus.service"), "utf8");
    expect(unit).toContain("ExecStart=/usr/bin/octopus run");
    // The unit points at the project's own docs, installed beside the binary.
    expect(unit).toContain(
      "\nDocumentation=file:///usr/share/doc/octopus/OPERATIONS.md file:///usr/share/doc/octopus/README.md\n",
    );
    expect(readFileSync(join(dest, "usr/share/doc/octopus/OPERATIONS.md"), "utf8")).toStartWith(
      "# Operations",
    );
    expect(mode(join(dest, "usr/share/doc/octopus/README.md"))).toBe("644");
    for (const line of [
      "LoadCredential=octopus.env:/etc/octopus/octopus.env",
      "StateDirectory=octopus",
      "Restart=on-failure",
      "KillMode=mixed",
      "RestartPreventExitStatus=2",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "ProtectKernelTunables=yes",
      "ProtectControlGroups=yes",
      "RestrictSUIDSGID=yes",
      "LockPersonality=yes",
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute/m);
    // The stop timeout outlasts the scripts' 5 s grace and the bot's own 9 s bound.
    expect(Number(/TimeoutStopSec=(\d+)s/.exec(unit)?.[1])).toBeGreaterThan(10);
    // The installed example config is valid where it lands (its scripts came along).
    const check = Bun.spawnSync([
      process.execPath,
      join(ROOT, "src/main.ts"),
      "check-config",
      join(dest, "etc/octopus/config.yaml"),
    ]);
    expect(check.stderr.toString()).toBe("");
    expect(check.exitCode).toBe(0);
    // It runs the example scripts it copied, nothing a minimal Debian may lack, and no fake Plume location.
    const installed = readFileSync(join(dest, "etc/octopus/config.yaml"), "utf8");
    expect(installed).toContain("path: scripts/health-check.sh");
    expect(installed).toContain("path: scripts/count-lines.sh");
    expect(installed).not.toContain("/usr/bin/top");
    expect(installed).not.toMatch(/customer_id/);
    expect(check.stdout.toString()).toContain("1 one-time script and 1 long-running script");
  });

  test("a second install keeps an edited config and env file; the binary judges readiness", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    const binary = sourceBinary();
    expect(install(dest, binary).exitCode).toBe(0);
    writeFileSync(join(dest, "etc/octopus/config.yaml"), "telegram:\n  admins: []\n");
    writeFileSync(join(dest, "etc/octopus/octopus.env"), "TELEGRAM_TOKEN=123:abc\n");
    const again = install(dest, binary);
    expect(again.exitCode).toBe(0);
    expect(again.stdout.toString()).toContain("no admin: set telegram.admins");
    expect(again.stdout.toString()).not.toContain("no bot token");
    // A short admin id is a real one (the old grep wanted three digits).
    writeFileSync(join(dest, "etc/octopus/config.yaml"), "telegram:\n  admins: [42]\n");
    const short = install(dest, binary).stdout.toString();
    expect(short).toContain("The service can start");
    expect(short).toContain("the service is ready to start");
    writeFileSync(join(dest, "etc/octopus/config.yaml"), "telegram:\n  admins:\n    - 987654\n");
    expect(install(dest, binary).stdout.toString()).toContain("the service is ready to start");
    // A broken config is not "ready", and its problem is shown.
    writeFileSync(join(dest, "etc/octopus/config.yaml"), "telegram:\n  admins: [42]\nalerts:\n  for: many\n");
    const broken = install(dest, binary).stdout.toString();
    expect(broken).toContain("alerts.for");
    expect(broken).toContain("the service could not start yet");
    writeFileSync(join(dest, "etc/octopus/config.yaml"), "telegram:\n  admins: [42]\n");
    expect(again.stdout.toString()).toContain("kept the existing /etc/octopus/config.yaml");
    expect(readFileSync(join(dest, "etc/octopus/config.yaml"), "utf8")).toBe("telegram:\n  admins: [42]\n");
    expect(readFileSync(join(dest, "etc/octopus/octopus.env"), "utf8")).toBe("TELEGRAM_TOKEN=123:abc\n");
  });

  test("a binary that cannot check here (another architecture) is not taken for ready", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    const out = install(dest, stubBinary()).stdout.toString();
    expect(out).toContain("could not run /usr/bin/octopus here to check the config");
    expect(out).toContain("on the target: octopus check-config --service");
    expect(out).not.toContain("ready to start");
  });

  test("make uninstall removes the unit and binary and keeps config and state", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    install(dest, stubBinary());
    const r = Bun.spawnSync(["make", "--no-print-directory", "uninstall", `DESTDIR=${dest}`, "PREFIX=/usr"], {
      cwd: ROOT,
    });
    expect(r.exitCode).toBe(0);
    expect(() => statSync(join(dest, "usr/bin/octopus"))).toThrow();
    expect(() => statSync(join(dest, "etc/systemd/system/octopus.service"))).toThrow();
    expect(() => statSync(join(dest, "usr/share/doc/octopus"))).toThrow();
    expect(statSync(join(dest, "etc/octopus/config.yaml")).isFile()).toBe(true);
    expect(r.stdout.toString()).toContain("kept /etc/octopus");
  });

  test.skipIf(!hasAnalyze)("systemd-analyze security scores the installed unit OK (≤ 2.5)", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    install(dest, stubBinary());
    const r = Bun.spawnSync([
      "systemd-analyze",
      "security",
      "--offline=yes",
      join(dest, "etc/systemd/system/octopus.service"),
    ]);
    const out = r.stdout.toString() + r.stderr.toString();
    const score = Number(/Overall exposure level for octopus\.service: ([\d.]+)/.exec(out)?.[1]);
    expect(score).toBeLessThanOrEqual(2.5);
    // Hardening that would break the bot stays out: the JIT, and /proc/stat for /status.
    expect(out).toMatch(/✗ MemoryDenyWriteExecute=/);
    expect(out).toMatch(/✗ ProcSubset=/);
  });

  test.skipIf(!hasAnalyze)("systemd-analyze verify accepts the unit, with no warning", () => {
    const dest = mkdtempSync(join(tmpdir(), "octopus-dest-"));
    install(dest, stubBinary());
    // verify checks that ExecStart exists on this machine: point it at the staged binary.
    const unit = readFileSync(join(dest, "etc/systemd/system/octopus.service"), "utf8").replace(
      "/usr/bin/octopus",
      join(dest, "usr/bin/octopus"),
    );
    const path = join(dest, "octopus.service");
    writeFileSync(path, unit);
    const r = Bun.spawnSync(["systemd-analyze", "verify", path]);
    expect(r.stderr.toString().trim()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("make dist", () => {
  test("every file the dist target copies is tracked by git (a clean clone has it)", () => {
    const makefile = readFileSync(join(ROOT, "Makefile"), "utf8");
    const recipe = makefile.slice(makefile.indexOf("\ndist:"), makefile.indexOf("\nclean:"));
    const sources = [...recipe.matchAll(/\bcp ([^;$]+?) \$\$d/g)].flatMap((m) =>
      (m[1] as string).trim().split(/\s+/),
    );
    expect(sources).toContain("scripts/dist/INSTALL.txt");
    const tracked = Bun.spawnSync(["git", "ls-files", "--", ...sources], { cwd: ROOT }).stdout.toString();
    for (const source of sources) {
      const file = source.replace(/\/\*$/, "/");
      expect(tracked).toContain(file);
    }
  });
});
