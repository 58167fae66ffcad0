import { describe, expect, test } from "bun:test";
import { catalogErrorText, resolveRunRequest, scriptsFor } from "../../../src/features/runs/catalog.ts";
import { configOf } from "../../support/runner-kit.ts";

const scripts = configOf(`one_time_scripts:
  - { name: backup, path: exit-with.sh }
  - { name: health, path: exit-with.sh, role: viewer }
  - { name: Disk Report, path: exit-with.sh }
  - name: restart
    path: exit-with.sh
    args: ["{service}"]
    params: [{ name: service, type: choice, choices: [nginx, "a;b"] }]
`).scripts;

describe("resolveRunRequest", () => {
  test.each([
    ["backup", "admin", { ok: true, name: "backup" }],
    ["BACKUP", "admin", { ok: true, name: "backup" }],
    ["health", "viewer", { ok: true, name: "health" }],
    ["", "admin", { ok: false, error: { kind: "usage" } }],
    ["backup now", "admin", { ok: false, error: { kind: "arguments", name: "backup" } }],
    ["backup; rm -rf /", "admin", { ok: false, error: { kind: "arguments", name: "backup" } }],
    ["backup;", "admin", { ok: false, error: { kind: "arguments", name: "backup" } }],
    ["backup|sh", "admin", { ok: false, error: { kind: "arguments", name: "backup" } }],
    ["../../bin/sh", "admin", { ok: false, error: { kind: "unknown", name: "../../bin/sh" } }],
    ["nope", "admin", { ok: false, error: { kind: "unknown", name: "nope" } }],
    ["backup", "viewer", { ok: false, error: { kind: "forbidden", name: "backup" } }],
    ["disk_report", "admin", { ok: true, name: "disk_report" }],
    ["Disk Report", "admin", { ok: true, name: "disk_report" }],
    ["disk report", "admin", { ok: true, name: "disk_report" }],
    ["Disk Report", "viewer", { ok: false, error: { kind: "forbidden", name: "disk_report" } }],
    ["Disk", "admin", { ok: false, error: { kind: "unknown", name: "Disk" } }],
  ] as const)("%p as %s", (args, role, expected) => {
    const r = resolveRunRequest(scripts, args, role);
    expect(r.ok ? { ok: true, name: r.value.script.name } : r).toEqual(expected);
  });

  test.each([
    ["restart", ""],
    ["restart service=nginx", "service=nginx"],
    ['RESTART  service="a;b"', 'service="a;b"'],
  ])("a script with params takes the words after its name: %p", (args, rest) => {
    const r = resolveRunRequest(scripts, args, "admin");
    expect(r.ok && r.value).toEqual({ script: scripts[3] as (typeof scripts)[number], rest });
  });

  test("shell punctuation glued to the name is still refused, params or not", () => {
    expect(resolveRunRequest(scripts, "restart;x service=nginx", "admin")).toEqual({
      ok: false,
      error: { kind: "arguments", name: "restart" },
    });
  });
});

describe("messages", () => {
  test("an unknown name is echoed back cut at 64 characters", () => {
    const text = catalogErrorText({ kind: "unknown", name: "x".repeat(10_000) }, []);
    expect(text).toBe(`No script named ${"x".repeat(63)}….`);
  });

  test("a viewer sees only viewer scripts", () => {
    expect(scriptsFor(scripts, "viewer").map((s) => s.name)).toEqual(["health"]);
  });

  test.each([
    [{ kind: "usage" }, "Usage: /run NAME\nAvailable: backup, health, disk_report, restart"],
    [
      { kind: "arguments", name: "backup" },
      "backup takes no arguments: /run backup runs it as configured. Nothing was run.",
    ],
    [{ kind: "unknown", name: "x" }, "No script named x.\nAvailable: backup, health, disk_report, restart"],
    [{ kind: "forbidden", name: "backup" }, "backup may only be run by admins."],
  ] as const)("%o", (error, text) => {
    expect(catalogErrorText(error, scripts)).toBe(text);
  });
});
