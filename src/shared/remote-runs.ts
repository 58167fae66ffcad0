import type { Result } from "./result.ts";

/**
 * The port between /run (the runs feature, which presents a run) and the fleet (which
 * reaches a server over ssh): a run on another server, seen from the hub. Neither feature
 * imports the other; app.ts hands the fleet's implementation to the runs feature.
 */

export interface RemoteScript {
  name: string;
  title: string;
  kind: "oneshot" | "long";
  role: "viewer" | "admin";
  confirm: boolean;
  description: string | null;
}

export interface RemoteRunStart {
  /** The run's id in that server's history. */
  run: number;
  script: string;
  kind: "oneshot" | "long";
  startedAt: number;
}

export interface RemoteRunEnd {
  status: "succeeded" | "failed" | "timed_out" | "stopped" | "interrupted";
  exitCode?: number | null | undefined;
  signal?: string | null | undefined;
  timeoutMs?: number | null | undefined;
  durationMs: number;
  truncated: boolean;
  leftoversKilled: boolean;
  survivors: number;
  saveError?: string | null | undefined;
}

export interface RemoteRunHandle {
  start: RemoteRunStart;
  /** How it ended, or why the hub no longer knows (the connection was lost). */
  ended: Promise<Result<RemoteRunEnd, string>>;
  /** Asks the server to stop it; the answer to show. */
  stop(): Promise<string>;
  /** Stops following it (the hub stops): the run goes on there, `ended` says the connection closed. */
  detach(): void;
}

export interface RemoteRuns {
  /** The servers of the fleet, by name. */
  names(): string[];
  /** A server's scripts as its own config lists them, or why not (a line for the chat). */
  scripts(server: string): Promise<Result<RemoteScript[], string>>;
  /**
   * Starts a script there. `open` is called once the server has started it and returns where
   * the run's text goes. The error is a line for the chat (refused, unreachable…).
   */
  start(
    server: string,
    script: string,
    open: (start: RemoteRunStart) => (text: string) => void,
  ): Promise<Result<RemoteRunHandle, string>>;
  /**
   * The script of one of the server's recent runs (its `history`), undefined when the run is
   * not among them: what a role check needs before any log is transferred.
   */
  runScript(server: string, id: number): Promise<Result<string | undefined, string>>;
  /** A run's filtered text into `path`; the run's script name, or why not. */
  log(server: string, id: number, path: string): Promise<Result<{ script: string }, string>>;
}
