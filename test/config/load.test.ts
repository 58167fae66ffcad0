import { describe, expect, test } from "bun:test";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig, MAX_CONFIG_BYTES } from "../../src/config/load.ts";
import { MAX_MONITORED_DEVICES } from "../../src/config/schema.ts";

const DIR = resolve(import.meta.dir, "../fixtures/config");
const SCRIPTS = join(DIR, "scripts");

/** Each broken fixture and the exact lines check-config must print for it. */
const BROKEN: [file: string, lines: string[]][] = [
  [
    "syntax-error.yaml",
    [
      "syntax-error.yaml:4:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ],
  ["empty.yaml", ["empty.yaml:1:1: the file is empty (octopus example-config prints a commented reference)"]],
  [
    "not-a-mapping.yaml",
    ["not-a-mapping.yaml:1:1: expected a mapping of sections (one_time_scripts, telegram, …)"],
  ],
  ["duplicate-yaml-key.yaml", ["duplicate-yaml-key.yaml:3:1: YAML syntax error: Map keys must be unique"]],
  ["directory.yaml", ["directory.yaml: is a directory, expected a YAML file"]],
  ["no-such-file.yaml", ["no-such-file.yaml: no such file (set CONFIG_FILE or pass the path)"]],
  ["unknown-top-key.yaml", ["unknown-top-key.yaml:2:1 telegrm: unknown key (did you mean telegram?)"]],
  [
    "unknown-script-key.yaml",
    ["unknown-script-key.yaml:4:5 one_time_scripts[0].timeot: unknown key (did you mean timeout?)"],
  ],
  ["missing-path.yaml", ["missing-path.yaml:2:5 one_time_scripts[0].path: missing required key"]],
  [
    "missing-script-file.yaml",
    [`missing-script-file.yaml:3:11 one_time_scripts[0].path: no such file: ${join(SCRIPTS, "missing.sh")}`],
  ],
  [
    "not-executable.yaml",
    [
      `not-executable.yaml:3:11 long_running_scripts[0].path: not executable (chmod +x ${join(SCRIPTS, "not-executable.sh")})`,
    ],
  ],
  [
    "no-shebang.yaml",
    [
      `no-shebang.yaml:3:11 one_time_scripts[0].path: the kernel cannot run ${join(SCRIPTS, "no-shebang.sh")}: it has no #! line and is not a binary (add a first line such as #!/bin/sh)`,
    ],
  ],
  [
    "script-is-directory.yaml",
    [`script-is-directory.yaml:3:11 one_time_scripts[0].path: not a regular file: ${SCRIPTS}`],
  ],
  [
    "duplicate-names.yaml",
    [
      'duplicate-names.yaml:5:11 long_running_scripts[0].name: duplicate script name "backup" (first at one_time_scripts[0].name)',
    ],
  ],
  [
    "bad-script-name.yaml",
    [
      'bad-script-name.yaml:4:11 one_time_scripts[1].name: "backup now" and "Backup Now" (one_time_scripts[0].name) are both /run backup_now: rename one',
    ],
  ],
  [
    "threshold-120.yaml",
    ["threshold-120.yaml:4:22 monitored_devices[0].alert_threshold: must be from 0 to 100 (percent used)"],
  ],
  [
    "threshold-string.yaml",
    [
      "threshold-string.yaml:4:22 monitored_devices[0].alert_threshold: expected a number from 0 to 100 (percent used)",
    ],
  ],
  [
    "critical-below-alert.yaml",
    [
      "critical-below-alert.yaml:2:5 monitored_devices[0]: critical_threshold must not be below alert_threshold",
    ],
  ],
  [
    "bad-duration.yaml",
    ["bad-duration.yaml:4:14 one_time_scripts[0].timeout: expected a duration such as 30s, 5m or 1h"],
  ],
  [
    "bare-number-timeout.yaml",
    [
      "bare-number-timeout.yaml:4:14 long_running_scripts[0].timeout: expected a duration such as 30s, 5m or 1h",
    ],
  ],
  [
    "bad-cron.yaml",
    [
      'bad-cron.yaml:4:15 one_time_scripts[0].schedule: not a valid cron pattern (5 or 6 fields, e.g. "*/5 * * * *")',
    ],
  ],
  [
    "bad-alert-cron.yaml",
    ['bad-alert-cron.yaml:2:10 alerts.check: not a valid cron pattern (5 or 6 fields, e.g. "*/5 * * * *")'],
  ],
  ["bad-user-id.yaml", ["bad-user-id.yaml:2:12 telegram.admins[0]: expected a numeric Telegram user id"]],
  [
    "negative-user-id.yaml",
    ["negative-user-id.yaml:2:13 telegram.viewers[0]: a Telegram user id is a positive number"],
  ],
  ["bad-notify.yaml", ["bad-notify.yaml:4:13 one_time_scripts[0].notify: expected failure, always or never"]],
  ["bad-role.yaml", ["bad-role.yaml:4:11 one_time_scripts[0].role: expected admin or viewer"]],
  ["scripts-not-list.yaml", ["scripts-not-list.yaml:2:3 one_time_scripts: expected a list"]],
  [
    "bad-plume-id.yaml",
    ["bad-plume-id.yaml:4:20 plume.locations[0].customer_id: expected a 24-character hex id"],
  ],
  [
    "plume-http.yaml",
    [
      "plume-http.yaml:2:13 plume.api_base: expected an https:// URL (plain http only for loopback addresses)",
    ],
  ],
  [
    "http-remote.yaml",
    ["http-remote.yaml:2:11 http.listen: a non-loopback address needs http.allow_remote: true"],
  ],
  ["bad-log-level.yaml", ["bad-log-level.yaml:2:10 log.level: expected debug, info, warn or error"]],
  ["bad-regex.yaml", ["bad-regex.yaml:2:5 redact[0]: not a valid regular expression"]],
  [
    "secret-env-unknown.yaml",
    ['secret-env-unknown.yaml:6:18 one_time_scripts[0].secret_env[0]: "PASSWORD" is not a key of env'],
  ],
  ["load-crit-below-warn.yaml", ["load-crit-below-warn.yaml:3:5 alerts.load: crit must not be below warn"]],
  [
    "duplicate-servers.yaml",
    [
      'duplicate-servers.yaml:4:12 servers[2].name: duplicate server name "web1" (first at servers[0].name)',
      'duplicate-servers.yaml:5:12 servers[3].name: duplicate server name: "DB1" and "db1" (servers[1].name) differ only by case',
    ],
  ],
  [
    // One pass: a missing script, a duplicate and schema errors together, top to bottom, in plain words.
    "mixed-errors.yaml",
    [
      "mixed-errors.yaml:3:17 telegram.max_messages: must be at most 20 (it is 120)",
      `mixed-errors.yaml:6:11 one_time_scripts[0].path: no such file: ${join(SCRIPTS, "missing.sh")}`,
      'mixed-errors.yaml:7:11 one_time_scripts[1].name: "Report" and "report" (one_time_scripts[0].name) are both /run report: rename one',
      "mixed-errors.yaml:10:8 alerts.for: must be at least 1 (it is 0)",
      "mixed-errors.yaml:14:44 monitored_devices[0].alert_threshold: expected a number from 0 to 100 (percent used)",
    ],
  ],
  [
    "several-errors.yaml",
    [
      "several-errors.yaml:4:14 one_time_scripts[0].timeout: expected a duration such as 30s, 5m or 1h",
      "several-errors.yaml:8:22 monitored_devices[0].alert_threshold: must be from 0 to 100 (percent used)",
      "several-errors.yaml:10:12 telegram.admins[0]: expected a numeric Telegram user id",
    ],
  ],
];

describe("loadConfig on broken files", () => {
  test.each(BROKEN)("%s", (file, lines) => {
    const result = loadConfig(join(DIR, file));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Messages name the file as given; compare relative to the fixture folder.
    expect(result.error.message.split("\n").map((l) => l.replace(`${DIR}/`, ""))).toEqual(lines);
  });

  test("keeps at least 25 broken fixtures", () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(25);
  });
});

describe("loadConfig on valid files", () => {
  test("a lone memory.warn raises crit with it; a lone load.crit lowers warn", () => {
    const result = loadConfig(join(DIR, "memory-warn-only.yaml"));
    if (!result.ok) throw result.error;
    expect(result.value.alerts.memory).toEqual({ warn: 98, crit: 98 });
    expect(result.value.alerts.load).toEqual({ warn: 1.0, crit: 1.0 });
  });

  test("a seed-format file loads unchanged, with defaults filled in", () => {
    const result = loadConfig(join(DIR, "valid-seed.yaml"));
    if (!result.ok) throw result.error;
    const config = result.value;
    expect(config.scripts.map((s) => [s.name, s.kind, s.timeoutMs, s.role, s.path])).toEqual([
      ["cleanup", "oneshot", 300_000, "admin", join(SCRIPTS, "ok.sh")],
      ["tail_log", "long", 3_600_000, "admin", join(SCRIPTS, "ok.sh")],
    ]);
    expect(config.monitored_devices).toEqual([
      { name: "root", path: "/", alert_threshold: 80, critical_threshold: 90 },
      { name: "data", path: "/does/not/exist/yet", alert_threshold: 80, critical_threshold: 90 },
    ]);
    expect(config.alerts).toMatchObject({ check: "*/30 * * * * *", for: 2, clear_margin: 5, repeat: "off" });
    expect(config.plume).toMatchObject({ timeout: 10_000, cache_ttl: 60_000 });
    expect(config.runner).toEqual({
      max_parallel: 4,
      max_log_bytes: 50_000_000,
      keep_runs: 200,
      keep_history: 90 * 86_400_000,
    });
  });

  test.each(["config/config.yaml", "config/config.example.yaml", "config/config.install.yaml"])(
    "the shipped %s loads",
    (file) => {
      const result = loadConfig(resolve(import.meta.dir, "../..", file));
      if (!result.ok) throw result.error;
      expect(result.value.monitored_devices.length).toBeGreaterThan(0);
    },
  );

  test("alert chats default to the admins", () => {
    const result = loadConfig(resolve(import.meta.dir, "../..", "config/config.example.yaml"));
    if (!result.ok) throw result.error;
    expect(result.value.telegram.alert_chats).toEqual(result.value.telegram.admins);
  });
});

describe("loadConfig bounds", () => {
  const devices = (n: number) =>
    `monitored_devices:\n${Array.from({ length: n }, (_, i) => `  - { name: d${i}, path: / }`).join("\n")}\n`;
  const write = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-load-"));
    const file = join(dir, "config.yaml");
    writeFileSync(file, text);
    return file;
  };

  test(`${MAX_MONITORED_DEVICES} devices load; one more is refused at the list, with the bound`, () => {
    const fits = loadConfig(write(devices(MAX_MONITORED_DEVICES)));
    if (!fits.ok) throw fits.error;
    expect(fits.value.monitored_devices).toHaveLength(MAX_MONITORED_DEVICES);
    const file = write(devices(MAX_MONITORED_DEVICES + 1));
    const over = loadConfig(file);
    expect(over.ok).toBe(false);
    if (over.ok) return;
    expect(over.error.message).toBe(
      `${file}:2:3 monitored_devices: 257 devices: at most 256 can be watched on one server`,
    );
  });

  test("a file past 1 MiB is refused before it is parsed", () => {
    const file = write(`# ${"x".repeat(MAX_CONFIG_BYTES)}\ntelegram: {}\n`);
    const result = loadConfig(file);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error.message).toBe(`${file}: is larger than 1 MiB, the most a config can be`);
  });

  test("an endless file (a link to /dev/zero) is refused, not read forever", () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-load-"));
    const file = join(dir, "config.yaml");
    symlinkSync("/dev/zero", file);
    const result = loadConfig(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe(`${file}: is not a regular file, expected a YAML file`);
  });
});
