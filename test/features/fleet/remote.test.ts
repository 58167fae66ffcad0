import { describe, expect, test } from "bun:test";
import { MAX_MONITORED_DEVICES } from "../../../src/config/schema.ts";
import { serverReadings } from "../../../src/features/fleet/readings.ts";
import {
  MAX_REMOTE_DEVICES,
  parseRemoteChoices,
  parseRemoteRuns,
  parseRemoteScripts,
  parseRemoteStatus,
  remoteRunLine,
  remoteStatusText,
  serverLine,
  viewerScriptsOf,
} from "../../../src/features/fleet/remote.ts";

const status = JSON.stringify({
  host: "web1.example",
  load: { per_core_5m: 0.5, level: "ok", warn: 1.5, crit: 3 },
  cpu_percent: { busy: 12.3 },
  memory: { used_percent: 93.4, level: "warn", warn: 90, crit: 97 },
  devices: [
    { name: "root", used_percent: 45, error: null, alert_threshold: 80, critical_threshold: 90, level: "ok" },
    { name: "data", used_percent: null, error: "no such path", level: "crit" },
  ],
});
const fallback = { load: { warn: 9, crit: 9 }, memory: { warn: 9, crit: 9 } };

describe("a server's status JSON", () => {
  test("is read up to as many disks as a server can watch", () => {
    expect(MAX_REMOTE_DEVICES).toBe(MAX_MONITORED_DEVICES);
  });

  test("one line for /servers: the worst level, load, memory, worst disk", () => {
    const s = parseRemoteStatus(status);
    if (!s) throw new Error("did not parse");
    expect(serverLine("web1", { ok: true, value: s })).toBe("🔴 web1 · load 0.50/core · mem 93% · data ✖"); // an unreadable disk is the worst
    expect(
      serverLine("web2", {
        ok: false,
        error: { kind: "unreachable", detail: "connect to host 10.0.0.2 port 22: Connection refused" },
      }),
    ).toBe("⚪ web2 · unreachable: connect to host 10.0.0.2 port 22: Connection refused");
    expect(parseRemoteStatus("<html>")).toBeUndefined();
    expect(parseRemoteStatus(JSON.stringify({ host: "x" }))).toBeUndefined();
  });

  test("readings carry the server's name and its own thresholds", () => {
    const s = parseRemoteStatus(status);
    if (!s) throw new Error("did not parse");
    const r = serverReadings("web1", { ok: true, value: s }, fallback);
    expect(r.map((x) => [x.id, x.value, x.warn, x.crit])).toEqual([
      ["web1:reachable", 0, 1, 2],
      ["web1:load", 0.5, 1.5, 3],
      ["web1:memory", 93.4, 90, 97],
      ["web1:disk:root", 45, 80, 90],
      ["web1:disk:data", undefined, 80, 90],
    ]);
    const down = serverReadings("web2", { ok: false, error: { kind: "host-key", detail: "x" } }, fallback);
    expect(down).toEqual([
      expect.objectContaining({
        id: "web2:reachable",
        value: 2,
        display: "host key changed: not contacted until octopus fleet trust",
      }),
    ]);
  });

  test("runs and the viewer's scripts", () => {
    const runs = parseRemoteRuns(
      JSON.stringify([
        {
          id: 7,
          script: "backup",
          status: "failed",
          exitCode: 3,
          requestedByName: "Ada",
          startedAt: 0,
          endedAt: 1,
        },
      ]),
    );
    expect(runs?.map((r) => remoteRunLine(r, () => "22 Nov 14:03"))).toEqual([
      "#7 ⚠️ backup exit 3 · Ada · 22 Nov 14:03",
    ]);
    expect([
      ...viewerScriptsOf(
        JSON.stringify([
          { name: "a", kind: "oneshot", role: "viewer" },
          { name: "b", kind: "long", role: "admin" },
        ]),
      ),
    ]).toEqual(["a"]);
    expect(viewerScriptsOf("nonsense").size).toBe(0);
  });
});

describe("failures say what failed", () => {
  test.each([
    ["unreachable", "⚪ web2 · unreachable: x"],
    ["timeout", "⚪ web2 · unreachable: x"],
    ["refused", "⚪ web2 · refused: x"],
    ["host-key", "🔴 web2 · host key changed: x"],
  ] as const)("%s", (kind, line) => {
    expect(serverLine("web2", { ok: false, error: { kind, detail: "x" } })).toBe(line);
  });

  test("at most MAX_REMOTE_DEVICES disks read from one answer, the rest counted and said; a name past 64 characters is no answer", () => {
    const devices = Array.from({ length: MAX_REMOTE_DEVICES + 10 }, (_, i) => ({
      name: `d${i}`,
      used_percent: 1,
    }));
    const many = JSON.stringify({ ...JSON.parse(status), devices });
    const s = parseRemoteStatus(many);
    expect(s?.devices).toHaveLength(MAX_REMOTE_DEVICES);
    expect(s?.omitted).toBe(10);
    expect(s && remoteStatusText("web1", s)).toEndWith(
      `… 10 more disks not read (at most ${MAX_REMOTE_DEVICES} a server)`,
    );
    expect(parseRemoteStatus(status)?.omitted).toBe(0);
    const long = JSON.stringify({
      ...JSON.parse(status),
      devices: [{ name: "x".repeat(65), used_percent: 1 }],
    });
    expect(parseRemoteStatus(long)).toBeUndefined();
  });
});

describe("a server's scripts and choices, read by the hub", () => {
  const script = (extra: Record<string, unknown>) =>
    JSON.stringify([{ name: "restart", kind: "oneshot", role: "admin", ...extra }]);

  test("an older server lists no params: none, no approval, no revision", () => {
    expect(parseRemoteScripts(script({}))?.[0]).toMatchObject({
      params: [],
      approval: false,
      revision: null,
    });
  });

  test("params as the form asks them: a choices_from only marked, a regex shown but never applied here", () => {
    const [s] =
      parseRemoteScripts(
        script({
          revision: "abc",
          approval: true,
          params: [
            { name: "unit", type: "choice", choices_from: true },
            { name: "note", type: "string", required: false, regex: "(a+)+$", description: "Why" },
          ],
        }),
      ) ?? [];
    expect(s?.approval).toBe(true);
    expect(s?.params[0]).toMatchObject({ name: "unit", required: true, secret: false });
    expect(s?.params[0]?.choices_from).toBeDefined();
    expect(s?.params[1]?.regex).toBeUndefined();
    expect(s?.params[1]?.description).toBe("Why · must match (a+)+$ (checked on the server)");
  });

  test("a param no octopus would list makes the answer unreadable, not half-read", () => {
    for (const bad of [
      { name: "Bad Name", type: "string" },
      { name: "x", type: "shell" },
      { name: "x", type: "choice", choices: Array.from({ length: 101 }, (_, i) => `c${i}`) },
    ])
      expect(parseRemoteScripts(script({ params: [bad] }))).toBeUndefined();
  });

  test("choices: a list, an error line, or unreadable", () => {
    expect(parseRemoteChoices('{"choices":["a","b"],"truncated":true}')).toEqual({
      choices: ["a", "b"],
      truncated: true,
    });
    expect(parseRemoteChoices('{"error":"the list of choices came back empty"}')).toEqual({
      error: "the list of choices came back empty",
    });
    expect(parseRemoteChoices('{"choices":[]}')).toBeUndefined();
    expect(parseRemoteChoices("garbage")).toBeUndefined();
  });
});
