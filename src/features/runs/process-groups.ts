import { readFileSync } from "node:fs";

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may hold spaces and parentheses: count from the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Ends a process group a crash left behind, if its leader is still the same process
 * (same pid and start time). Returns true if a signal was sent.
 */
export function endOrphanGroup(pid: number, pidStart: string | null): boolean {
  if (!pidStart || processStartTime(pid) !== pidStart) return false;
  try {
    process.kill(-pid, "SIGKILL");
    return true;
  } catch {
    return false;
  }
}

/** This process, as a run's owner. */
export function selfAsOwner(): { ownerPid: number; ownerStart: string | null } {
  return { ownerPid: process.pid, ownerStart: processStartTime(process.pid) };
}

/**
 * Whether a `running` row belongs to another live process (the bot, or a server's
 * `serve-ssh run` for its hub): same pid and start time, and not this process.
 */
export function ownedElsewhere(row: { ownerPid: number | null; ownerStart: string | null }): boolean {
  if (row.ownerPid === null || row.ownerPid === process.pid || !row.ownerStart) return false;
  return processStartTime(row.ownerPid) === row.ownerStart;
}
