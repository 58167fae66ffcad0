import type { ParamSpec } from "./param-rules.ts";
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
  /**
   * Its parameters as that server's config declares them. A `choices_from` list is made
   * there (`choices`), never here: on the hub its `choices_from` only says that one exists.
   * The server checks every value again against its own config before anything runs.
   */
  params: ParamSpec[];
  /** It needs a second admin's approval on that server (a hub cannot prove one). */
  approval: boolean;
  /** What the server's config says the script runs now: a value sent for another is refused. */
  revision: string | null;
}

/** The values of a remote run with parameters: the server checks each of them again. */
export interface RemoteValues {
  /** The script's revision the form was filled for. */
  revision: string;
  values: Record<string, string>;
  /** Who asked on the hub, as the server's history records it. */
  by: string;
}

export interface RemoteChoiceList {
  choices: string[];
  truncated: boolean;
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
    given?: RemoteValues,
  ): Promise<Result<RemoteRunHandle, string>>;
  /** The choices a parameter's `choices_from` command prints on that server now. */
  choices(server: string, script: string, param: string): Promise<Result<RemoteChoiceList, string>>;
  /**
   * The script of one of the server's recent runs (its `history`), undefined when the run is
   * not among them: what a role check needs before any log is transferred.
   */
  runScript(server: string, id: number): Promise<Result<string | undefined, string>>;
  /** A run's filtered text into `path`; the run's script name, or why not. */
  log(server: string, id: number, path: string): Promise<Result<{ script: string }, string>>;
}
