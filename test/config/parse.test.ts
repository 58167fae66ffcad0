import { describe, expect, test } from "bun:test";
import { commandName, parseConfig } from "../../src/config/parse.ts";
import { closestKey } from "../../src/config/suggest.ts";

const parse = (text: string) => parseConfig(text, "/etc/octopus/config.yaml");

describe("parseConfig", () => {
  test("critical threshold defaults to alert + 10, at most 99 and never below the alert", () => {
    const result = parse(
      "monitored_devices:\n  - {name: a, path: /, alert_threshold: 50}\n  - {name: b, path: /, alert_threshold: 95}\n  - {name: c, path: /, alert_threshold: 100}\n",
    );
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.config.monitored_devices.map((d) => d.critical_threshold)).toEqual([60, 99, 100]);
  });

  test("empty sections mean defaults", () => {
    const result = parse("telegram:\nalerts:\none_time_scripts:\n");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.config.telegram.admins).toEqual([]);
    expect(result.value.config.alerts.for).toBe(2);
  });

  test("relative script paths and cwd resolve against the config folder", () => {
    const result = parse("one_time_scripts:\n  - {name: a, path: bin/a.sh, cwd: work, timeout: 90s}\n");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.config.scripts[0]).toMatchObject({
      path: "/etc/octopus/bin/a.sh",
      cwd: "/etc/octopus/work",
      timeoutMs: 90_000,
    });
  });

  test("http on a loopback address needs no allow_remote", () => {
    expect(parse("http:\n  listen: 127.0.0.1:9464\n").ok).toBe(true);
    expect(parse("http:\n  listen: '[::1]:9464'\n").ok).toBe(true);
    expect(parse("http:\n  listen: 0.0.0.0:9464\n  allow_remote: true\n").ok).toBe(true);
  });

  test("alertmanager: needs the http listener; its path, routes and URL are checked", () => {
    const am = (body: string, http = "http:\n  listen: 127.0.0.1:9464\n") =>
      parse(`${http}alertmanager:\n${body}`);
    const ok = am(
      "  url: http://127.0.0.1:9093\n  routes:\n    - { match: { team: db }, chats: [-100123] }\n",
    );
    if (!ok.ok) throw new Error(JSON.stringify(ok.error));
    expect(ok.value.config.alertmanager).toEqual({
      url: "http://127.0.0.1:9093",
      path: "/alertmanager",
      routes: [{ match: { team: "db" }, chats: [-100123], continue: false }],
    });
    const issues = (r: ReturnType<typeof parse>) => (r.ok ? [] : r.error.map((e) => e.message));
    expect(issues(am("  url: http://127.0.0.1:9093\n", ""))).toEqual([
      "the Alertmanager webhook needs the http listener: set http.listen (e.g. 127.0.0.1:9464)",
    ]);
    expect(issues(am("  path: /metrics\n"))).toEqual(["that path is the listener's own"]);
    expect(issues(am("  url: ftp://x\n"))).toEqual([
      "expected Alertmanager's URL such as http://127.0.0.1:9093",
    ]);
    expect(issues(am("  routes:\n    - { match: {}, chats: [1] }\n"))).toEqual([
      "expected at least one label, such as { severity: critical }",
    ]);
  });

  test("http.dashboard: off by default, needs the listener; public_url is an origin; sessions 5m-7d", () => {
    const off = parse("http:\n  listen: 127.0.0.1:9464\n");
    if (!off.ok) throw new Error(JSON.stringify(off.error));
    expect(off.value.config.http).toEqual({
      listen: "127.0.0.1:9464",
      allow_remote: false,
      dashboard: false,
      session: 43_200_000,
    });
    const on = parse(
      "http:\n  listen: 127.0.0.1:9464\n  dashboard: true\n  public_url: https://ops.example.com/\n  session: 1h\n",
    );
    if (!on.ok) throw new Error(JSON.stringify(on.error));
    expect(on.value.config.http.public_url).toBe("https://ops.example.com");
    expect(on.value.config.http.session).toBe(3_600_000);
    const issues = (text: string) => {
      const r = parse(text);
      return r.ok ? [] : r.error.map((e) => e.message);
    };
    expect(issues("http:\n  dashboard: true\n")).toEqual([
      "the dashboard is served by the http listener: set http.listen (e.g. 127.0.0.1:9464)",
    ]);
    expect(issues("http:\n  listen: 127.0.0.1:1\n  public_url: https://ops.example.com/octopus\n")).toEqual([
      "expected an origin such as https://ops.example.com (no path: the dashboard is served at /web/)",
    ]);
    expect(issues("http:\n  listen: 127.0.0.1:1\n  session: 30d\n")).toEqual([
      "a session lasts from 5m to 7d",
    ]);
  });

  test("plain http is accepted for a loopback Plume API only", () => {
    expect(parse("plume:\n  api_base: http://127.0.0.1:8080/api\n").ok).toBe(true);
    expect(parse("plume:\n  api_base: https://plume.example.com/api\n").ok).toBe(true);
  });
});

describe("script names: any name, a command-safe form for /run", () => {
  test.each([
    ["disk_report", "disk_report"],
    ["Disk Report", "disk_report"],
    ["Hello", "hello"],
    ["  Backup -- Now!  ", "backup_--_now"],
    ["nightly-backup", "nightly-backup"],
    ["Résumé du disque", "r_sum_du_disque"],
    ["a".repeat(40), "a".repeat(32)],
    ["Отчёт", "script_once_3"],
    ["!!!", "script_once_3"],
  ] as const)("%p → %p", (name, expected) => {
    expect(commandName(name, "one_time_scripts", 2)).toBe(expected);
  });

  test("the old bot's names load: /run uses the safe form, the title stays as written", () => {
    const result = parse(
      "one_time_scripts:\n  - {name: Disk Report, path: /bin/true}\nlong_running_scripts:\n  - {name: Hello, path: /bin/true}\n",
    );
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.config.scripts.map((s) => [s.name, s.title])).toEqual([
      ["disk_report", "Disk Report"],
      ["hello", "Hello"],
    ]);
  });

  test.each([
    ["an empty name", '""', "a script name cannot be empty"],
    ["two lines", '"a\\nb"', "a script name is one line of text"],
  ] as const)("%s is refused", (_, name, message) => {
    const result = parse(`one_time_scripts:\n  - {name: ${name}, path: /bin/true}\n`);
    expect(result.ok ? [] : result.error.map((e) => e.message)).toEqual([message]);
  });
});

describe("closestKey", () => {
  test.each([
    ["timeot", ["timeout", "name"], "timeout"],
    ["TELEGRAM", ["telegram"], "telegram"],
    ["zzzzzz", ["timeout", "name"], undefined],
  ] as const)("%s", (input, known, expected) => {
    expect(closestKey(input, known)).toBe(expected);
  });
});
