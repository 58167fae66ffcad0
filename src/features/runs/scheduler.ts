import { Cron } from "croner";
import type { ScriptDef } from "../../config/parse.ts";
import { backoffMs, fullStep } from "../../shared/backoff.ts";
import type { Logger } from "../../shared/log.ts";
import type { FinishedRun, RunListener } from "./run-types.ts";
import type { Runner } from "./runner.ts";

/**
 * Scheduled scripts on croner: `protect` so a slow run never overlaps its next tick,
 * `catch` so one failure never stops the schedule. A failed run is retried `retries`
 * times with backoff; only the final result is reported, per the script's `notify`.
 */

export interface ScheduleReport {
  script: ScriptDef;
  result: FinishedRun | { refused: string };
  attempts: number;
}

export function createScheduler(deps: {
  runner: Runner;
  log: Logger;
  report(r: ScheduleReport): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Backoff before retry n (1-based), in ms. */
  backoffMs?(attempt: number): number;
}) {
  const jobs = new Map<string, { job: Cron; script: ScriptDef }>();
  const backoff =
    deps.backoffMs ?? ((n: number) => backoffMs(n, { baseMs: 30_000, maxMs: 30 * 60_000 }, fullStep));

  function runOnce(script: ScriptDef): Promise<FinishedRun | { refused: string }> {
    return new Promise((resolve) => {
      const listener: RunListener = { finished: (result) => resolve(result) };
      const started = deps.runner.start(
        script,
        { userId: null, name: "schedule", chatId: null, trigger: "schedule" },
        listener,
      );
      if (!started.ok) {
        const r = started.error;
        resolve({
          refused:
            r.kind === "already-running" || r.kind === "running-elsewhere"
              ? "already running"
              : r.kind === "limit"
                ? `${r.max} runs at once already`
                : r.reason,
        });
      }
    });
  }

  async function tick(script: ScriptDef) {
    let attempts = 0;
    for (;;) {
      attempts++;
      const result = await runOnce(script);
      if ("refused" in result && result.refused === "already running") {
        // Started by hand, or the last scheduled run is still going: no overlap, and no noise.
        deps.log.warn("scheduled run skipped: the previous one is still running", { script: script.name });
        return;
      }
      const failed =
        "refused" in result || result.outcome.status === "failed" || result.outcome.status === "timed_out";
      if (!failed || attempts > script.retries) {
        await deps.report({ script, result, attempts });
        return;
      }
      deps.log.warn("scheduled run failed: retrying", {
        script: script.name,
        attempt: attempts,
        in_ms: backoff(attempts),
      });
      await deps.sleep(backoff(attempts));
    }
  }

  return {
    /** (Re)creates one croner job per scheduled script. */
    start(scripts: readonly ScriptDef[]) {
      for (const { job } of jobs.values()) job.stop();
      jobs.clear();
      for (const script of scripts.filter((s) => s.schedule)) {
        const job = new Cron(
          script.schedule as string,
          {
            protect: (j) =>
              deps.log.warn("scheduled run skipped: the previous one is still running", {
                script: script.name,
                started: j.currentRun()?.toISOString(),
              }),
            catch: (error) => deps.log.error("scheduled run failed", { script: script.name, error }),
          },
          () => tick(script),
        );
        jobs.set(script.name, { job, script });
      }
    },
    list: () =>
      [...jobs.values()].map(({ job, script }) => ({
        name: script.name,
        pattern: script.schedule as string,
        next: job.nextRun(),
      })),
    /** Runs a scheduled script's tick now (tests and "run now" use it). */
    trigger: (name: string) => jobs.get(name)?.job.trigger(),
    stop() {
      for (const { job } of jobs.values()) job.stop();
      jobs.clear();
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
