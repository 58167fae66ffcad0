import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/parse.ts";
import { FRAME } from "../features/fleet/frames.ts";
import { textPathOf } from "../features/runs/files.ts";
import { launchFor } from "../features/runs/params.ts";
import { ownedElsewhere } from "../features/runs/process-groups.ts";
import type { ActiveRun, FinishedRun, StartRefusal } from "../features/runs/run-types.ts";
import { createRunner, type RunLaunch } from "../features/runs/runner.ts";
import { systemClock } from "../shared/clock.ts";
import { createLogger } from "../shared/log.ts";
import { createRedactor } from "../shared/redact.ts";
import type { RemoteValues } from "../shared/remote-runs.ts";
import type { Result } from "../shared/result.ts";
import { DB_FILE, openDb } from "../storage/db.ts";
import { createRunsRepo } from "../storage/runs-repo.ts";
import type { CliIo } from "./io.ts";
import { hubScriptEnv, serverChoiceLister, valuesFor } from "./serve-ssh-params.ts";

/**
 * `serve-ssh run NAME` and `serve-ssh stop RUN_ID` on a server: a run for the hub goes
 * through this server's own runner (its config, timeout, redaction, history row and log), its
 * text streamed to stdout between two frame lines the hub reads:
 *
 *   \x1e{"run":ID,"script":NAME,"kind":…,"startedAt":ms}   first line
 *   …the script's filtered output…
 *   \x1e{"end":{"status":…,"exitCode":…,"durationMs":…}}   last line
 *
 * A refusal is one frame line `\x1e{"refused":TEXT}` (exit 1). The run belongs to this
 * process (its row's owner): the bot restarting on this server leaves it alone, and Stop
 * from the hub is SIGTERM to this process, which stops the run as the bot's Stop does. If the
 * hub's connection drops, the run goes on and ends in this server's history.
 */

export interface Streams {
  write(text: string): void;
}

/**
 * Stdout to the hub. When the hub goes away (its connection closed, the hub stopped) a write
 * fails with EPIPE, as an "error" event: from then on nothing is written, and the run goes on
 * and ends in this server's history (unhandled, that event would end this process and leave
 * the run's row "running").
 */
function hubStdout(): Streams {
  let gone = false;
  process.stdout.on("error", () => {
    gone = true;
  });
  return {
    write(text) {
      if (gone) return;
      try {
        process.stdout.write(text);
      } catch {
        gone = true;
      }
    },
  };
}

function refusalText(r: StartRefusal): string {
  switch (r.kind) {
    case "already-running":
      return `already running as run #${r.run.id}`;
    case "running-elsewhere":
      return `already running as run #${r.row.id} (started by ${r.row.requestedByName ?? "?"})`;
    case "limit":
      return `${r.max} scripts are running already (runner.max_parallel)`;
    case "cannot-start":
      return `could not start: ${r.reason} (run #${r.runId})`;
  }
}

export async function serveRun(
  config: Config,
  name: string,
  stateDir: string,
  env: Record<string, string | undefined>,
  out: Streams = hubStdout(),
  /** `run NAME --values`: what the hub's form sent (undefined: plain `run NAME`, defaults only). */
  given?: Result<RemoteValues, string>,
): Promise<number> {
  const refuse = (text: string) => {
    out.write(`${FRAME}${JSON.stringify({ refused: text })}\n`);
    return 1;
  };
  const script = config.scripts.find((s) => s.name === name);
  if (!script) return refuse(`this server has no script ${name.slice(0, 64)}`);
  // A hub cannot prove a second admin's approval: such a script runs from this server's own bot.
  if (script.approval) return refuse(`${name} needs approval: run it from this server's own bot`);
  if (!given && script.params.some((p) => p.required && p.default === undefined))
    return refuse(`${name} takes parameters: this hub sends no values (update its octopus)`);
  if (given && !given.ok) return refuse(given.error);
  let launch: RunLaunch | undefined;
  if (given) {
    const values = await valuesFor(script, given.value, serverChoiceLister(env));
    if (!values.ok) return refuse(values.error);
    launch = launchFor(script, values.value);
  }
  const redactor = createRedactor([env.TELEGRAM_TOKEN, env.TELEGRAM_BOT_TOKEN]);
  const clock = systemClock;
  const log = createLogger({
    level: "warn",
    journal: false,
    sinks: [(line) => process.stderr.write(`${line}\n`)],
    redactor,
    clock,
  });
  let db: Database;
  try {
    db = openDb(stateDir);
  } catch (error) {
    out.write(
      `${FRAME}${JSON.stringify({ refused: `its state cannot be opened: ${(error as Error).message}` })}\n`,
    );
    return 1;
  }
  const runner = createRunner({
    stateDir,
    runsRepo: createRunsRepo(db),
    clock,
    log,
    limits: config.runner,
    redactPatterns: config.redact,
    env: hubScriptEnv(env),
    redactor,
  });
  try {
    // Runs whose owner died (an earlier `serve-ssh run` killed hard): nobody's chat waits for
    // them. Rows with no owner (written before owners were recorded) may belong to a bot of
    // an older version still running: left to the bot's own restart.
    runner.recoverInterrupted((row) => row.chatId === null && row.ownerPid !== null);
    let endedWithNewline = true;
    let finished: (result: FinishedRun) => void = () => {};
    const end = new Promise<FinishedRun>((resolve) => (finished = resolve));
    const started = runner.start(
      script,
      {
        userId: null,
        name: given?.ok && given.value.by ? `${given.value.by} via ${hubName(env)}` : hubName(env),
        chatId: null,
        trigger: "user",
      },
      {
        started: (run: ActiveRun) =>
          out.write(
            `${FRAME}${JSON.stringify({ run: run.id, script: run.script.name, kind: run.script.kind, startedAt: run.startedAt })}\n`,
          ),
        text: (_run, piece) => {
          if (!piece) return;
          out.write(piece);
          endedWithNewline = piece.endsWith("\n");
        },
        finished: (result) => finished(result),
      },
      launch,
    );
    if (!started.ok) {
      out.write(`${FRAME}${JSON.stringify({ refused: refusalText(started.error) })}\n`);
      return 1;
    }
    const stop = () => runner.stop(started.value.id, "the hub");
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    const result = await end;
    process.off("SIGTERM", stop);
    process.off("SIGINT", stop);
    const o = result.outcome;
    const trailer = {
      end: {
        status: o.status,
        exitCode: o.status === "succeeded" ? 0 : o.status === "failed" ? o.exitCode : null,
        signal: o.status === "failed" ? (o.signal ?? null) : null,
        timeoutMs: o.status === "timed_out" ? o.timeoutMs : null,
        durationMs: result.durationMs,
        outputBytes: result.run.output.bytes(),
        truncated: result.run.output.truncated(),
        leftoversKilled: result.leftoversKilled,
        survivors: result.survivors,
        saveError: result.saveError ?? null,
      },
    };
    out.write(`${endedWithNewline ? "" : "\n"}${FRAME}${JSON.stringify(trailer)}\n`);
    return 0;
  } finally {
    await runner.idle();
    runner.dispose();
    db.close();
  }
}

/** Who asked, as this server's history records it: the hub, by its address. */
function hubName(env: Record<string, string | undefined>): string {
  const from = env.SSH_CONNECTION?.split(" ")[0];
  return from ? `fleet hub ${from}` : "fleet hub";
}

/** Whether a live process is a `serve-ssh` run (never the bot: Stop must not end it). */
function isServeSsh(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("serve-ssh");
  } catch {
    return false;
  }
}

/** `serve-ssh stop RUN_ID`: SIGTERM to the `serve-ssh run` that runs it. */
export function serveStop(id: number, stateDir: string, io: CliIo): number {
  let db: Database;
  try {
    db = openDb(stateDir);
  } catch (error) {
    io.err(`octopus serve-ssh: its state cannot be opened: ${(error as Error).message}`);
    return 1;
  }
  try {
    const row = createRunsRepo(db).get(id);
    if (row?.status !== "running") {
      io.out(`run #${id} is not running`);
      return 1;
    }
    if (!ownedElsewhere(row) || row.ownerPid === null || !isServeSsh(row.ownerPid)) {
      io.out(`run #${id} was not started over ssh: stop it where it was started`);
      return 1;
    }
    process.kill(row.ownerPid, "SIGTERM");
    io.out(`stopping run #${id}`);
    return 0;
  } finally {
    db.close();
  }
}

/**
 * `serve-ssh log RUN_ID`: a frame line naming the run's script (the hub shows a viewer only
 * runs of viewer scripts), then the run's filtered text, streamed from the file.
 */
export async function serveLog(id: number, stateDir: string, config: Config): Promise<number> {
  const say = async (line: string) => {
    await Bun.write(Bun.stdout, `${line}\n`);
    return 1;
  };
  const file = join(stateDir, DB_FILE);
  if (!existsSync(file)) return say(`no run #${id}`);
  const db = new Database(file, { readonly: true });
  let row: ReturnType<ReturnType<typeof createRunsRepo>["get"]>;
  try {
    row = createRunsRepo(db).get(id);
  } finally {
    db.close();
  }
  if (!row) return say(`no run #${id}`);
  const textPath = row.logPath ? textPathOf(row.logPath, row.script) : undefined;
  if (!textPath || !existsSync(textPath))
    return say(`the log of run #${id} was pruned (runner.keep_runs is ${config.runner.keep_runs})`);
  await Bun.write(Bun.stdout, `${FRAME}${JSON.stringify({ run: id, script: row.script })}\n`);
  await Bun.write(Bun.stdout, Bun.file(textPath));
  return 0;
}
