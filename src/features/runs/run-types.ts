import type { ScriptDef } from "../../config/parse.ts";
import type { RunRow } from "../../storage/runs-repo.ts";
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

/** What the chat shows of a run: a local one, or one on a server of the fleet. */
export interface PresentedRun {
  id: number;
  script: Pick<ScriptDef, "name" | "kind">;
  requester: Pick<Requester, "name">;
  startedAt: number;
  output: RunOutput;
  textPath: string;
}

export interface FinishedRun<R extends PresentedRun = ActiveRun> {
  run: R;
  outcome: RunOutcome;
  durationMs: number;
  leftoversKilled: boolean;
  /** Set when the run's log files could not be written (disk full): the chat gets the tail. */
  saveError?: string;
  /** Processes of the run that were still alive after SIGKILL. */
  survivors: number;
}

export interface RunListener<R extends PresentedRun = ActiveRun> {
  started?(run: R): void | Promise<void>;
  /** Output arrived (called at most once per chunk; throttle on your side). */
  output?(run: R): void;
  /** The run's filtered text (ANSI stripped, redacted), whole lines as they are produced. */
  text?(run: R, piece: string): void;
  finished(result: FinishedRun<R>): void | Promise<void>;
}

export type StartRefusal =
  | { kind: "already-running"; run: ActiveRun }
  | { kind: "limit"; max: number }
  /** Run by another process on the same state: the bot, or a server's `serve-ssh run`. */
  | { kind: "running-elsewhere"; row: RunRow }
  | { kind: "cannot-start"; runId: number; reason: string };
