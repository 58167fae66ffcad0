import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/parse.ts";
import { DB_FILE } from "../storage/db.ts";
import type { CliIo } from "./io.ts";
import { createRealSnapshotter } from "./snapshotter.ts";
import { statusCommand } from "./status.ts";

/**
 * `octopus serve-ssh`: the forced command a server gives its hub's key
 * (`restrict,command="/usr/local/bin/octopus serve-ssh"` in authorized_keys). sshd puts what
 * the hub asked in SSH_ORIGINAL_COMMAND; only these are answered, from this server's own
 * config: the hub can never run anything this server does not list.
 */
export const ALLOWED = [
  "status --json",
  "scripts --json",
  "history --json",
  "run NAME [--values]",
  "choices NAME PARAM",
  "stop RUN_ID",
  "log RUN_ID",
  "version",
] as const;

export async function serveSsh(
  config: Config,
  requested: string,
  io: CliIo,
  version: string,
  stateDir: string,
  env: Record<string, string | undefined> = {},
): Promise<number> {
  const asked = requested.trim().replace(/\s+/g, " ");
  // A script name is a config name (letters, digits, _ . -): nothing a shell could read.
  const run = /^run ([A-Za-z0-9_.-]{1,64})( --values)?$/.exec(asked);
  if (run) {
    const [{ serveRun }, { parseValues, readBoundedStdin }] = await Promise.all([
      import("./serve-ssh-run.ts"),
      import("./serve-ssh-params.ts"),
    ]);
    if (!run[2]) return serveRun(config, run[1] as string, stateDir, env);
    // The values come on stdin, one JSON line (a command line is visible to `ps`).
    const text = await readBoundedStdin();
    const given = text === undefined ? undefined : parseValues(text);
    return serveRun(
      config,
      run[1] as string,
      stateDir,
      env,
      undefined,
      given ?? { ok: false, error: "its values are too long" },
    );
  }
  const choices = /^choices ([A-Za-z0-9_.-]{1,64}) ([a-z][a-z0-9_]{0,31})$/.exec(asked);
  if (choices) {
    const { choicesAnswer, serverChoiceLister } = await import("./serve-ssh-params.ts");
    const answer = await choicesAnswer(
      config.scripts,
      choices[1] as string,
      choices[2] as string,
      serverChoiceLister(env),
    );
    io.out(JSON.stringify(answer.json));
    return answer.code;
  }
  const stop = /^stop (\d{1,12})$/.exec(asked);
  if (stop) return (await import("./serve-ssh-run.ts")).serveStop(Number(stop[1]), stateDir, io);
  const log = /^log (\d{1,12})$/.exec(asked);
  if (log) return (await import("./serve-ssh-run.ts")).serveLog(Number(log[1]), stateDir, config);
  switch (asked) {
    case "status --json":
      return statusCommand(config, createRealSnapshotter(), true, io);
    case "scripts --json": {
      const { listedScript } = await import("./serve-ssh-params.ts");
      io.out(JSON.stringify(config.scripts.map(listedScript)));
      return 0;
    }
    case "history --json":
      io.out(JSON.stringify(recentRuns(stateDir)));
      return 0;
    case "version":
      io.out(version);
      return 0;
    default:
      io.err(
        `octopus serve-ssh: not allowed: ${asked.slice(0, 80) || "(nothing asked)"}; allowed: ${ALLOWED.join(", ")}`,
      );
      return 2;
  }
}

/** The last 20 runs from this server's state database, read-only (the bot may be running). */
function recentRuns(stateDir: string) {
  const file = join(stateDir, DB_FILE);
  if (!existsSync(file)) return [];
  const db = new Database(file, { readonly: true });
  try {
    return db
      .query<Record<string, unknown>, []>(
        `SELECT id, script, status, exit_code AS exitCode, reason, requested_by_name AS requestedByName,
                started_at AS startedAt, ended_at AS endedAt FROM runs ORDER BY id DESC LIMIT 20`,
      )
      .all();
  } finally {
    db.close();
  }
}
