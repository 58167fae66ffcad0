import { describe, expect, test } from "bun:test";
import type { PlumeClient } from "../../../src/features/plume/client.ts";
import { analyzeHealth } from "../../../src/features/plume/health.ts";
import type { PlumeService } from "../../../src/features/plume/service.ts";
import { createPlumeWatch } from "../../../src/features/plume/watch.ts";
import type { Reading } from "../../../src/shared/reading.ts";
import { captureLog } from "../../support/harness.ts";

const ID = (n: number) => String(n).repeat(24);
const locations = [1, 2, 3].map((n) => ({
  name: `loc${n}`,
  customer_id: ID(n),
  location_id: ID(n),
  watch: true,
}));
const down = { id: "GW", connectionState: "disconnected", leafToRoot: [] };

/** A service whose answer per location is given: a report, or a thrown error (a bug, a bad zone). */
function serviceOf(answers: Record<string, "throw" | "offline" | "unknown">) {
  return {
    health: async (_owner: string, _client: PlumeClient, c: string) => {
      const answer = answers[c];
      if (answer === "throw") throw new RangeError("invalid time zone: GMT-5");
      const report =
        answer === "offline"
          ? analyzeHealth({ location: { id: c }, nodes: [down], devices: [] }, 0)
          : analyzeHealth({ location: { id: c }, devices: [] }, 0);
      return { ok: true as const, value: { report, unavailable: [] } };
    },
  } as unknown as PlumeService;
}

describe("the Plume watch", () => {
  test("one location that throws never stops the others; unknown health gives no reading", async () => {
    const { log, lines } = captureLog();
    const reported: Reading[][] = [];
    const watch = createPlumeWatch({
      locations,
      pattern: "* * * * *",
      plume: serviceOf({ [ID(1)]: "throw", [ID(2)]: "unknown", [ID(3)]: "offline" }),
      serverClient: () => ({}) as PlumeClient,
      report: (r) => reported.push(r),
      log,
    });
    await watch.check();
    expect(reported.flat().map((r) => [r.id, r.value])).toEqual([["plume:loc3", 3]]);
    expect(lines.join("\n")).toContain("watched location could not be checked");
    expect(lines.join("\n")).toContain("invalid time zone: GMT-5");
    expect(lines.join("\n")).toContain("no evidence of health");
  });
});
