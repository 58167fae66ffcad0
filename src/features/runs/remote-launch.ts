import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../../shared/clock.ts";
import { formatDuration } from "../../shared/duration.ts";
import type { RemoteRunEnd, RemoteRuns, RemoteScript, RemoteValues } from "../../shared/remote-runs.ts";
import type { Result } from "../../shared/result.ts";
import {
  allows,
  type CallbackContext,
  type CommandContext,
  fitsCallbackData,
  type Role,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { remoteStopButton } from "./buttons.ts";
import type { RemoteJob } from "./commands.ts";
import type { RemoteLive } from "./live-runs.ts";
import type { RunOutcome } from "./messages.ts";
import { createRunOutput } from "./output.ts";
import type { PresentedRun, RunListener } from "./run-types.ts";

/**
 * Starting a script on a server of the fleet and presenting it like a local run: the hub's
 * copy of its text under `<state>/runs/fleet/` (the newest runner.keep_runs × 3 files), the
 * live message with a Stop that goes to that server, the end as the server tells it (or
 * "connection lost": the run may go on there).
 */

type Ctx = CommandContext | CallbackContext;

export function outcomeOfRemote(
  end: Result<RemoteRunEnd, string>,
  stoppedBy: string | undefined,
): RunOutcome {
  if (!end.ok) return { status: "lost", detail: end.error };
  const e = end.value;
  switch (e.status) {
    case "succeeded":
      return { status: "succeeded", exitCode: 0 };
    case "failed":
      return { status: "failed", exitCode: e.exitCode ?? null, signal: e.signal ?? null };
    case "timed_out":
      return { status: "timed_out", timeoutMs: e.timeoutMs ?? e.durationMs };
    case "stopped":
      return { status: "stopped", by: stoppedBy ?? "the server" };
    case "interrupted":
      return { status: "lost", detail: "interrupted on the server" };
  }
}

export interface RemoteLaunchDeps {
  remote: RemoteRuns;
  listenerFor(chatId: number, stopFor: (run: PresentedRun) => InlineKeyboardRows): RunListener<PresentedRun>;
  clock: Clock;
  /** `<state>/runs/fleet`. */
  dir: string;
  redact(text: string): string;
  maxLogBytes: number;
  keepRuns: number;
  /** A failure presenting a run's end (a bug): logged. */
  onError(error: unknown): void;
  /** The process's fleet runs across reloads (LiveRuns.remote). */
  live?: Map<string, RemoteLive>;
}

export function createRemoteLauncher(deps: RemoteLaunchDeps) {
  const { remote, clock } = deps;
  /** Runs started from this process and still running, by `server#id`: what Stop finds. */
  const active = deps.live ?? new Map<string, RemoteLive>();
  /** The ones this launcher started: what a reload waits for. */
  const own = new Set<string>();
  const encoder = new TextEncoder();

  /** Keeps the newest `keepRuns * 3` files (a run's .log and .txt, fetched logs). */
  function prune() {
    try {
      const files = readdirSync(deps.dir)
        .map((f) => ({ f, t: statSync(join(deps.dir, f)).mtimeMs }))
        .sort((a, b) => b.t - a.t);
      for (const { f } of files.slice(deps.keepRuns * 3)) rmSync(join(deps.dir, f), { force: true });
    } catch {
      // nothing there yet, or unreadable: the next run tries again
    }
  }

  const stopRow = (server: string) => (run: PresentedRun) => {
    const data = remoteStopButton.pack({ s: server, r: run.id });
    return fitsCallbackData(data) ? [[{ text: "⏹ Stop", callback_data: data }]] : [];
  };

  /** Starts it there; `given`: the values of its form, which the server checks again. */
  async function launch(
    ctx: Ctx,
    server: string,
    script: Pick<RemoteScript, "name" | "role">,
    given?: RemoteValues,
  ) {
    mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
    prune();
    const listener = deps.listenerFor(ctx.chatId, stopRow(server));
    let run: PresentedRun | undefined;
    const started = await remote.start(
      server,
      script.name,
      (s) => {
        const base = join(deps.dir, `${server}-${s.run}`);
        const output = createRunOutput({
          logPath: `${base}.log`,
          textPath: `${base}-${script.name}.txt`,
          maxBytes: deps.maxLogBytes,
          redact: deps.redact,
        });
        const shown: PresentedRun = {
          id: s.run,
          script: { name: `${script.name} @${server}`, kind: s.kind },
          requester: { name: ctx.user.name },
          startedAt: clock.now(),
          output,
          textPath: `${base}-${script.name}.txt`,
        };
        run = shown;
        void listener.started?.(shown);
        return (text) => {
          output.write(encoder.encode(text), "stdout");
          listener.output?.(shown);
        };
      },
      given,
    );
    if (!started.ok || !run)
      return void (await ctx.reply(started.ok ? `${server}: no answer.` : started.error));
    const key = `${server}#${run.id}`;
    const entry: RemoteLive = { handle: started.value, run, server, role: script.role };
    active.set(key, entry);
    own.add(key);
    const shown = run;
    // The handler returns now (the chat is not held for the run); the end is presented when it comes.
    entry.done = started.value.ended
      .then(async (end) => {
        await shown.output.close();
        active.delete(key);
        own.delete(key);
        const e = end.ok ? end.value : undefined;
        // The hub's own copy failed (its disk is full): the chat gets the tail it holds.
        const hubSave = shown.output.saveError();
        const saveError = hubSave
          ? `here: ${hubSave}`
          : e?.saveError
            ? `on ${server}: ${e.saveError}`
            : undefined;
        const lost = {
          ok: false as const,
          error: `${end.ok ? "" : end.error}; it may still run there: /history @${server}`,
        };
        await listener.finished({
          run: shown,
          outcome: outcomeOfRemote(end.ok ? end : lost, entry.stoppedBy),
          durationMs: e?.durationMs ?? clock.now() - shown.startedAt,
          leftoversKilled: e?.leftoversKilled ?? false,
          survivors: e?.survivors ?? 0,
          ...(saveError ? { saveError } : {}),
        });
      })
      .catch((error: unknown) => deps.onError(error));
  }

  return {
    launch,
    prune,
    active,
    /** The runs here for /jobs: a role sees those of the scripts it may run. */
    jobs(role: Role): { jobs: RemoteJob[]; hidden: number } {
      const all = [...active.values()];
      const mine = all.filter((e) => allows(role, e.role));
      const jobs = mine.map((e) => {
        const data = remoteStopButton.pack({ s: e.server, r: e.run.id });
        const line = `#${e.run.id} ${e.run.script.name} · ${formatDuration(clock.now() - e.run.startedAt)} · by ${e.run.requester.name} · ${e.run.output.lines()} lines`;
        return fitsCallbackData(data)
          ? { line, stop: { text: `⏹ Stop #${e.run.id} ${e.run.script.name}`, callback_data: data } }
          : { line };
      });
      return { jobs, hidden: all.length - mine.length };
    },
    /**
     * The hub reloads ("finish": wait for every run here to end and be presented, as local
     * runs are) or stops ("abort": stop following them; each message says the hub stopped
     * following it and that the run goes on there).
     */
    async settle(how: "finish" | "abort"): Promise<void> {
      // A stop lets go of every fleet run of the process; a reload waits for its own.
      const runs = how === "abort" ? [...active.values()] : [...own].flatMap((k) => active.get(k) ?? []);
      if (how === "abort") for (const r of runs) r.handle.detach();
      await Promise.all(runs.map((r) => r.done));
    },
  };
}
