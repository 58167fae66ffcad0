import type { RunStatus } from "../../storage/runs-repo.ts";
import type { RunOutcome } from "./messages.ts";
import type { ProcessExit } from "./process.ts";

/** Pure: how a process ended, as a run outcome, a history status and a reason. */
export function outcomeOf(
  exit: ProcessExit,
  timeoutMs: number,
): { outcome: RunOutcome; status: RunStatus; reason: string | null } {
  if (exit.stoppedBy)
    return {
      outcome: { status: "stopped", by: exit.stoppedBy },
      status: "stopped",
      reason: `stopped by ${exit.stoppedBy}`,
    };
  if (exit.timedOut)
    return { outcome: { status: "timed_out", timeoutMs }, status: "timed_out", reason: "timeout" };
  if (exit.exitCode === 0)
    return { outcome: { status: "succeeded", exitCode: 0 }, status: "succeeded", reason: null };
  return {
    outcome: { status: "failed", exitCode: exit.exitCode, signal: exit.signal },
    status: "failed",
    reason: null,
  };
}
