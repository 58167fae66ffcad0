import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { err, ok, type Result } from "../shared/result.ts";

/**
 * One instance per state directory: `octopus.lock` holds the pid. A lock whose process is
 * gone (or is not octopus any more: pid reuse) is stale and taken over.
 */
export type Lock = { release(): void };

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
    process.kill(pid, 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return /octopus|main\.ts|bun/.test(cmdline) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock, or returns the pid that holds it. */
export function acquireLock(stateDir: string): Result<Lock, { heldBy: number }> {
  const path = join(stateDir, "octopus.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return ok({ release: () => rmSync(path, { force: true }) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = holder(path);
      if (pid !== undefined) return err({ heldBy: pid });
      rmSync(path, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`cannot take ${path}`);
}
