import { statSync } from "node:fs";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { RunRow, RunsRepo } from "../../storage/runs-repo.ts";
import { processesWithKey } from "./proc-tree.ts";
import { endOrphanGroup, ownedElsewhere } from "./process-groups.ts";
import type { RunHistory } from "./run-history.ts";

/**
 * At start: rows a crash left `running` become `interrupted`, and what is left of their
 * processes is ended. Returns the rows so their chats can be told. A row another live process
 * runs (the bot's, or a `serve-ssh run` for a hub, on the same state) is not touched; `only`
 * narrows which rows this caller may take over.
 */
export function recoverInterrupted(deps: {
  runsRepo: RunsRepo;
  history: Pick<RunHistory, "write">;
  clock: Clock;
  log: Logger;
  runKey(id: number): string;
  only?(row: RunRow): boolean;
}): RunRow[] {
  const { runsRepo, clock, log } = deps;
  const rows = runsRepo.running().filter((r) => !ownedElsewhere(r) && (deps.only?.(r) ?? true));
  for (const row of rows) {
    // Outside systemd nothing else ends a crashed bot's children: do it here.
    // Its group, and what left the group but still carries the run's key in its environment.
    const strays = processesWithKey(deps.runKey(row.id));
    for (const pid of strays) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    const orphan = (row.pid !== null && endOrphanGroup(row.pid, row.pidStart)) || strays.length > 0;
    if (orphan) log.warn("ended the processes of an interrupted run", { run: row.id, pid: row.pid });
    let bytes = 0;
    try {
      bytes = row.logPath ? statSync(row.logPath).size : 0;
    } catch {
      // the log was never written
    }
    deps.history.write(
      () =>
        runsRepo.finish(row.id, {
          endedAt: clock.now(),
          exitCode: null,
          signal: null,
          status: "interrupted",
          reason: orphan
            ? "the bot stopped while it ran; its processes were ended at restart"
            : "the bot stopped while it ran",
          outputBytes: bytes,
        }),
      undefined,
    );
  }
  if (rows.length) log.warn("runs interrupted by the last stop", { runs: rows.map((r) => r.id).join(",") });
  return rows;
}
