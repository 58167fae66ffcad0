import type { ScriptDef } from "../../config/parse.ts";
import type { RunOutcome } from "./messages.ts";
import type { RunOutput } from "./output.ts";

/** What the runner tells its listeners (the /run presenter, the scheduler) about a run. */

export interface Requester {
  userId: number | null;
  name: string;
  chatId: number | null;
  trigger: "user" | "schedule";
}

export interface ActiveRun {
  id: number;
  script: ScriptDef;
  requester: Requester;
  startedAt: number;
  output: RunOutput;
  textPath: string;
  stop(by: string): void;
}

export interface FinishedRun {
  run: ActiveRun;
  outcome: RunOutcome;
  durationMs: number;
  leftoversKilled: boolean;
  /** Set when the run's log files could not be written (disk full): the chat gets the tail. */
  saveError?: string;
  /** Processes of the run that were still alive after SIGKILL. */
  survivors: number;
}

export interface RunListener {
  started?(run: ActiveRun): void | Promise<void>;
  /** Output arrived (called at most once per chunk; throttle on your side). */
  output?(run: ActiveRun): void;
  finished(result: FinishedRun): void | Promise<void>;
}

export type StartRefusal =
  | { kind: "already-running"; run: ActiveRun }
  | { kind: "limit"; max: number }
  | { kind: "cannot-start"; runId: number; reason: string };
