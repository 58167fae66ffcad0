import { existsSync } from "node:fs";
import type { Clock } from "../../shared/clock.ts";
import { formatDuration } from "../../shared/duration.ts";
import { RUN_ICON } from "../../shared/run-icons.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import type { RunRow } from "../../storage/runs-repo.ts";
import type { CommandContext, CommandSpec, Role } from "../../telegram/feature.ts";
import { textPathOf, uploadName } from "./files.ts";

/** /history, /log and /schedules: reading what ran and what will run. */

/** One history line (pure). */
export function historyLine(r: RunRow, now: number, timeZone: string | undefined): string {
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
  const who = `${r.requestedByName ?? "?"}${r.approvedBy ? `, approved by ${r.approvedBy}` : ""}`;
  const params = r.params ? ` (${r.params})` : "";
  return `#${r.id} ${RUN_ICON[r.status]} ${r.script}${params}${result} · ${who} · ${formatDateTime(r.startedAt, timeZone)} · ${took}`;
}

export function createHistoryCommands(deps: {
  recent(limit: number, scripts?: readonly string[]): RunRow[];
  /** Runs from `sinceId` on whose scripts are not in `scripts` (what a viewer is not shown). */
  hiddenSince(sinceId: number, scripts: readonly string[]): number;
  get(id: number): RunRow | undefined;
  /** The scripts whose runs a role may see (undefined: all): the ones it may run. */
  visibleScripts(role: Role): string[] | undefined;
  schedules(): { name: string; pattern: string; next: Date | null }[];
  clock: Clock;
  /** `/history @NAME`: a server of the fleet; false when the arguments are not that. */
  fleet?(ctx: CommandContext): Promise<boolean>;
  /** `/log @NAME ID`: a run on a server of the fleet; false when the arguments are not that. */
  fleetLog?(ctx: CommandContext): Promise<boolean>;
}): CommandSpec[] {
  return [
    {
      name: "history",
      usage: "history [N]",
      description: "The last runs",
      role: "viewer",
      run: async (ctx) => {
        if (await deps.fleet?.(ctx)) return;
        const n = ctx.args ? Number(ctx.args) : 10;
        if (!Number.isInteger(n) || n < 1 || n > 100)
          return void (await ctx.usage("Usage: /history [N] (1 to 100, default 10)"));
        const visible = deps.visibleScripts(ctx.role);
        const rows = deps.recent(n, visible);
        const hidden = visible ? deps.hiddenSince(rows.at(-1)?.id ?? 0, visible) : 0;
        const note = hidden
          ? `${rows.length ? "\n" : ""}(${hidden} ${hidden === 1 ? "run" : "runs"} of admin-only scripts not shown)`
          : "";
        if (!rows.length && !hidden) return void (await ctx.reply("No runs yet."));
        await ctx.reply(
          rows.map((r) => historyLine(r, deps.clock.now(), deps.clock.timeZone)).join("\n") + note,
        );
      },
    },
    {
      name: "log",
      usage: "log ID",
      description: "The full output of a run, as a file",
      role: "viewer",
      run: async (ctx) => {
        if (await deps.fleetLog?.(ctx)) return;
        const id = Number(ctx.args.replace(/^#/, ""));
        if (!ctx.args || !Number.isInteger(id) || id <= 0)
          return void (await ctx.usage("Usage: /log ID (see /history)"));
        const row = deps.get(id);
        const visible = deps.visibleScripts(ctx.role);
        // A run the user may not see answers exactly like one that does not exist.
        if (!row || (visible && !visible.includes(row.script)))
          return void (await ctx.reply(`No run #${id}.`));
        const textPath = row.logPath ? textPathOf(row.logPath, row.script) : undefined;
        if (!textPath || !existsSync(textPath))
          return void (await ctx.reply(`The log of run #${id} was pruned (runner.keep_runs).`));
        await ctx.outbox.document(
          ctx.chatId,
          uploadName(textPath),
          { path: textPath },
          historyLine(row, deps.clock.now(), deps.clock.timeZone),
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
                `${s.name} · "${s.pattern}" · next ${s.next ? formatDateTime(s.next.getTime(), deps.clock.timeZone) : "never"}`,
            )
            .join("\n"),
        );
      },
    },
  ];
}
