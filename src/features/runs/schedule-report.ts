import type { Outbox } from "../../telegram/send/outbox.ts";
import { lastLines, outcomeLine, withOutput } from "./messages.ts";
import type { ScheduleReport } from "./scheduler.ts";

/**
 * How a scheduled run is reported to `telegram.alert_chats`, per the script's `notify`
 * (failure: only failures and refusals; always; never). Failures ring, successes are quiet.
 */
export function createScheduleReporter(deps: { outbox: Outbox; alertChats: () => readonly number[] }) {
  return async ({ script, result, attempts }: ScheduleReport): Promise<void> => {
    const failed = "refused" in result || result.outcome.status !== "succeeded";
    if (script.notify === "never" || (script.notify === "failure" && !failed)) return;
    const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
    const text =
      "refused" in result
        ? { text: `⚠️ scheduled ${script.name} did not run: ${result.refused}`, entities: [] }
        : withOutput(
            `🕒 ${outcomeLine(script.name, result.outcome, result.durationMs)}${tries}\n/log ${result.run.id} for the full output`,
            lastLines(result.run.output.tail(), 2500, 25),
          );
    for (const chat of deps.alertChats()) await deps.outbox.send(chat, text, { silent: !failed });
  };
}
