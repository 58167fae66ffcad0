import { existsSync } from "node:fs";
import { textPathOf, uploadName } from "../runner/files.ts";
import type { Clock } from "../shared/clock.ts";
import { formatDuration } from "../shared/duration.ts";
import { formatDateTime } from "../shared/time-format.ts";
import type { RunRow, RunStatus } from "../storage/runs-repo.ts";
import type { CommandSpec } from "../telegram/context.ts";

/** /history, /log and /schedules: reading what ran and what will run. */

const ICON: Record<RunStatus, string> = {
  running: "⏳",
  succeeded: "✅",
  failed: "⚠️",
  timed_out: "⏱",
  stopped: "⏹",
  interrupted: "💥",
};

/** One history line (pure). */
export function historyLine(r: RunRow, now: number): string {
  const took =
    r.endedAt === null
      ? `${formatDuration(now - r.startedAt)} so far`
      : formatDuration(r.endedAt - r.startedAt);
  const result =
    r.status === "failed" && r.exitCode !== null
      ? ` exit ${r.exitCode}`
      : r.status === "failed" && r.reason
        ? ` ${r.reason}`
        : "";
  return `#${r.id} ${ICON[r.status]} ${r.script}${result} · ${r.requestedByName ?? "?"} · ${formatDateTime(r.startedAt)} · ${took}`;
}

export function createHistoryCommands(deps: {
  recent(limit: number): RunRow[];
  get(id: number): RunRow | undefined;
  schedules(): { name: string; pattern: string; next: Date | null }[];
  clock: Clock;
}): CommandSpec[] {
  return [
    {
      name: "history",
      usage: "history [N]",
      description: "The last runs",
      role: "viewer",
      run: async (ctx) => {
        const n = ctx.args ? Number(ctx.args) : 10;
        if (!Number.isInteger(n) || n < 1 || n > 100)
          return void (await ctx.reply("Usage: /history [N] (1 to 100, default 10)"));
        const rows = deps.recent(n);
        if (!rows.length) return void (await ctx.reply("No runs yet."));
        await ctx.reply(rows.map((r) => historyLine(r, deps.clock.now())).join("\n"));
      },
    },
    {
      name: "log",
      usage: "log ID",
      description: "The full output of a run, as a file",
      role: "viewer",
      run: async (ctx) => {
        const id = Number(ctx.args.replace(/^#/, ""));
        if (!ctx.args || !Number.isInteger(id) || id <= 0)
          return void (await ctx.reply("Usage: /log ID (see /history)"));
        const row = deps.get(id);
        if (!row) return void (await ctx.reply(`No run #${id}.`));
        const textPath = row.logPath ? textPathOf(row.logPath, row.script) : undefined;
        if (!textPath || !existsSync(textPath))
          return void (await ctx.reply(`The log of run #${id} was pruned (runner.keep_runs).`));
        await ctx.outbox.document(
          ctx.chatId,
          uploadName(textPath),
          { path: textPath },
          historyLine(row, deps.clock.now()),
        );
      },
    },
    {
      name: "schedules",
      description: "Scheduled scripts and their next run",
      role: "viewer",
      run: async (ctx) => {
        const list = deps.schedules();
        if (!list.length) return void (await ctx.reply("No script has a schedule."));
        await ctx.reply(
          list
            .map(
              (s) =>
                `${s.name} · "${s.pattern}" · next ${s.next ? formatDateTime(s.next.getTime()) : "never"}`,
            )
            .join("\n"),
        );
      },
    },
  ];
}
