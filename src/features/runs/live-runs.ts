import type { RemoteRunHandle } from "../../shared/remote-runs.ts";
import type { Role } from "../../telegram/feature.ts";
import type { RunningProcess } from "./process.ts";
import type { ActiveRun, PresentedRun } from "./run-types.ts";

/**
 * The runs in flight in this process, kept across config reloads (like the redactor): the
 * app a reload creates finds the runs its predecessor started, for /jobs, Stop and the limits,
 * and never takes their rows for a crash's leftovers. Each runner still waits only for its own.
 */

export interface LocalLive extends ActiveRun {
  process: RunningProcess;
  done: Promise<void>;
}

/** A run started here on a server of the fleet, by `server#id`. */
export interface RemoteLive {
  handle: RemoteRunHandle;
  run: PresentedRun;
  server: string;
  /** The role the server gives the script: who sees the run in /jobs. */
  role: Role;
  stoppedBy?: string;
  done?: Promise<void>;
}

export interface LiveRuns {
  local: Map<number, LocalLive>;
  remote: Map<string, RemoteLive>;
}

export function createLiveRuns(): LiveRuns {
  return { local: new Map(), remote: new Map() };
}
