import { describe, expect, test } from "bun:test";
import { reportsBaseOf, totalIn } from "../../../src/features/plume/client.ts";
import { percentile, statsText, uptimeOf, wanOf, wanText } from "../../../src/features/plume/history.ts";

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
  test("sums volumes; average, 95th percentile and peak with its time; skips samples without a time", () => {
    const w = wanOf([
      { timestamp: at - 30 * 60_000, rxMbytes: 1000, txMbytes: 100, rxMaxMbps: 300, txMaxMbps: 20 },
      { timestamp: new Date(at).toISOString(), rxMbytes: 600, txMbytes: null, rxMaxMbps: 450 },
      { timestamp: "never", rxMbytes: 99_999 },
    ]);
    expect(w.samples).toBe(2);
    expect([w.from, w.to]).toEqual([at - 30 * 60_000, at]);
    // 1600 MB over two 15-minute samples: 1600 × 8 / 1800 s.
    expect(w.rx.mbytes).toBe(1600);
    expect(w.rx.averageMbps).toBeCloseTo(7.11, 2);
    // The samples' own rates: 1000 MB → 8.9 Mbps, 600 MB → 5.3 Mbps; the 95th is the top one.
    expect(w.rx.p95Mbps).toBeCloseTo(8.89, 2);
    expect([w.rx.peakMbps, w.rx.peakAt]).toEqual([450, at]);
    // A sample without a max rate counts with its average (0 here), never as "unknown".
    expect([w.tx.peakMbps, w.tx.peakAt]).toEqual([20, at - 30 * 60_000]);
    expect(wanText({ text: "T", entities: [] }, "daily", w, "UTC").text).toBe(
      [
        "T",
        "WAN (daily) 22 Nov 11:30 UTC – 22 Nov 12:00 UTC",
        "↓ 1.6 GB · ↑ 100 MB",
        "average ↓ 7.1 Mbps · ↑ 0.4 Mbps",
        "95th percentile ↓ 8.9 Mbps · ↑ 0.9 Mbps",
        "peak ↓ 450 Mbps at 22 Nov 12:00 UTC",
        "peak ↑ 20 Mbps at 22 Nov 11:30 UTC",
      ].join("\n"),
    );
    expect(wanText({ text: "T", entities: [] }, "daily", wanOf([]), "UTC").text).toBe(
      "T\nWAN (daily): no data.",
    );
  });

  test("the 95th percentile is nearest-rank: one burst in twenty samples is not it", () => {
    expect(percentile([], 0.95)).toBe(0);
    const values = [...Array.from({ length: 19 }, () => 10), 500];
    expect(percentile(values, 0.95)).toBe(10);
    expect(percentile([...values, 500], 0.95)).toBe(500);
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

describe("totalIn", () => {
  test.each([
    ['{"locations":[],"total":130}', 130],
    ['{"items":[],"meta":{"total":7}}', 7],
    ['{"data":[],"pagination":{"totalCount":12}}', 12],
    ["[1,2,3]", undefined],
    ['{"total":"many"}', undefined],
    ['{"total":-1}', undefined],
    ["{not json", undefined],
  ])("%s", (text, total) => {
    expect(totalIn(text)).toBe(total as number | undefined);
  });
});
