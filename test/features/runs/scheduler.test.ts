import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createScheduler, type ScheduleReport } from "../../../src/features/runs/scheduler.ts";
import { makeRunner } from "../../support/runner-kit.ts";

describe("scheduler", () => {
  test("a failed run is retried with backoff and reported once, with the attempts", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "octopus-flaky-")), "marker");
    const k = makeRunner(
      `one_time_scripts:\n  - { name: flaky, path: flaky.sh, schedule: "0 0 1 1 *", retries: 2, env: { MARKER: "${marker}" } }\n`,
    );
    const reports: ScheduleReport[] = [];
    const waits: number[] = [];
    const scheduler = createScheduler({
      runner: k.runner,
      log: k.log,
      report: async (r) => {
        reports.push(r);
      },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    scheduler.start(k.config.scripts);
    expect(scheduler.list()).toEqual([{ name: "flaky", pattern: "0 0 1 1 *", next: expect.any(Date) }]);
    await scheduler.trigger("flaky");
    expect(reports).toHaveLength(1);
    expect(reports[0]?.attempts).toBe(2);
    expect(waits).toEqual([30_000]);
    const result = reports[0]?.result;
    expect(result && "outcome" in result && result.outcome.status).toBe("succeeded");
    scheduler.stop();
  });

  test("a tick while the previous run is still going is skipped, not overlapped", async () => {
    const k = makeRunner(
      `one_time_scripts:\n  - { name: slow, path: ticker.sh, schedule: "0 0 1 1 *", env: { N: "3" } }\n`,
    );
    const reports: ScheduleReport[] = [];
    const scheduler = createScheduler({
      runner: k.runner,
      log: k.log,
      report: async (r) => void reports.push(r),
      sleep: Bun.sleep,
    });
    scheduler.start(k.config.scripts);
    const first = scheduler.trigger("slow");
    await Bun.sleep(50);
    await scheduler.trigger("slow"); // protect: returns at once
    await first;
    expect(reports).toHaveLength(1);
    expect(k.lines.some((l) => l.includes("scheduled run skipped: the previous one is still running"))).toBe(
      true,
    );
    expect(k.runsRepo.recent(10)).toHaveLength(1);
    scheduler.stop();
  });
});
