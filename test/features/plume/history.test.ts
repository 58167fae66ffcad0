import { describe, expect, test } from "bun:test";
import { reportsBaseOf } from "../../../src/features/plume/client.ts";
import { statsText, uptimeOf, wanOf, wanText } from "../../../src/features/plume/history.ts";

const H = 3_600_000;
const at = Date.UTC(2026, 10, 22, 12, 0);
const sample = (hoursAgo: number, value: string) => ({
  timestamp: new Date(at - hoursAgo * H).toISOString(),
  value,
});

describe("uptimeOf", () => {
  test.each([
    ["no samples: no data, never 100 %", [], undefined, 0],
    ["all online", [sample(3, "online"), sample(2, "online")], 100, 0],
    [
      "one outage that ended",
      [sample(4, "online"), sample(3, "offline"), sample(2, "offline"), sample(1, "ONLINE")],
      50,
      1,
    ],
    ["an outage still going", [sample(2, "online"), sample(1, "offline")], 50, 1],
    [
      "two outages, out of order in the answer",
      [sample(1, "offline"), sample(5, "offline"), sample(3, "online"), sample(0, "online")],
      50,
      2,
    ],
    [
      "a sample without a usable time is left out",
      [sample(1, "online"), { timestamp: "soon", value: "offline" }],
      100,
      0,
    ],
  ] as const)("%s", (_, samples, percent, outages) => {
    const u = uptimeOf([...samples]);
    expect(u.percent).toBe(percent);
    expect(u.outages).toHaveLength(outages);
  });

  test("the text: percent, outages with their zone and length, the last one still going", () => {
    const u = uptimeOf([
      sample(4, "online"),
      sample(3, "offline"),
      sample(2, "online"),
      sample(1, "offline"),
    ]);
    expect(statsText({ text: "T", entities: [] }, "24h", u, "UTC", at).text).toBe(
      "T\n🟠 50.0% online over 24 h (4 samples)\n2 outages:\n• offline 22 Nov 09:00 UTC for 1h\n• offline 22 Nov 11:00 UTC for 1h (still)",
    );
    expect(statsText({ text: "T", entities: [] }, "7d", uptimeOf([]), "UTC", at).text).toBe(
      "T\nUptime over 7 days: no data.",
    );
  });
});

describe("wanOf", () => {
  test("sums volumes, takes peaks, skips samples without a time", () => {
    const w = wanOf([
      { timestamp: at - 30 * 60_000, rxMbytes: 1000, txMbytes: 100, rxMaxMbps: 300, txMaxMbps: 20 },
      { timestamp: new Date(at).toISOString(), rxMbytes: 600, txMbytes: null, rxMaxMbps: 450 },
      { timestamp: "never", rxMbytes: 99_999 },
    ]);
    expect(w).toEqual({
      samples: 2,
      rxMbytes: 1600,
      txMbytes: 100,
      peakRxMbps: 450,
      peakTxMbps: 20,
      from: at - 30 * 60_000,
      to: at,
    });
    expect(wanText({ text: "T", entities: [] }, "daily", w, "UTC").text).toBe(
      "T\nWAN (daily) 22 Nov 11:30 UTC – 22 Nov 12:00 UTC\n↓ 1.6 GB · ↑ 100 MB\npeak ↓ 450 Mbps · ↑ 20 Mbps",
    );
    expect(wanText({ text: "T", entities: [] }, "daily", wanOf([]), "UTC").text).toBe(
      "T\nWAN (daily): no data.",
    );
  });
});

describe("reportsBaseOf", () => {
  test.each([
    [
      "https://piranha-gamma.prod.us-west-2.aws.plumenet.io/api",
      "https://piranha-gamma.prod.us-west-2.aws.plumenet.io/reports",
    ],
    ["https://x.plume.com/api/", "https://x.plume.com/reports"],
    ["http://127.0.0.1:8080/custom", "http://127.0.0.1:8080/reports"],
  ])("%s", (api, reports) => {
    expect(reportsBaseOf(api)).toBe(reports);
  });
});
