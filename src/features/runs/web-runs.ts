import { open } from "node:fs/promises";
import type { ScriptDef } from "../../config/parse.ts";
import type { ChoicesFrom, ParamSpec } from "../../shared/param-rules.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { RunRow, RunsRepo } from "../../storage/runs-repo.ts";
import type { CommandContext, Role } from "../../telegram/feature.ts";
import { mayRun, scriptsFor, visibleScripts } from "./catalog.ts";
import type { ChoiceList } from "./choices.ts";
import { textPathOf } from "./files.ts";
import { checkGivenValues } from "./given-values.ts";
import { launchFor } from "./params.ts";
import type { RunListener, StartRefusal } from "./run-types.ts";
import type { Runner } from "./runner.ts";

/**
 * The runs as the web dashboard sees them: the scripts a role may run (with their forms),
 * starting one with checked values (through the approvals when it needs them), Stop, the
 * runs in flight with their live tail, history and logs. Every check is the bot's own:
 * the role, the script's rules, the runner's limits. What starts here is presented in the
 * user's private chat, like a run started there.
 */

export interface WebParam {
  name: string;
  type: ParamSpec["type"];
  description?: string | undefined;
  required: boolean;
  default?: string | undefined;
  choices?: string[] | undefined;
  /** The list is made by a command on the server when the form asks for it. */
  choicesFrom: boolean;
  min?: number | undefined;
  max?: number | undefined;
  regex?: string | undefined;
  secret: boolean;
}

export interface WebScript {
  name: string;
  title: string;
  kind: "oneshot" | "long";
  description?: string | undefined;
  confirm: boolean;
  approval: boolean;
  params: WebParam[];
}

export interface WebRunRow {
  id: number;
  script: string;
  by: string | null;
  trigger: string;
  status: string;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  params: string | null;
  approvedBy: string | null;
  reason: string | null;
}

export interface LiveView {
  id: number;
  script: string;
  running: boolean;
  tail: string;
  lines: number;
  status?: string;
  exitCode?: number | null;
}

export type WebStart = { kind: "started"; runId: number } | { kind: "approval" };

/** The context the web acts in: the user's private chat, where answers and the live run go. */
export type WebCtx = CommandContext;

const MAX_LOG_BYTES = 2 * 1024 * 1024;

const rowOf = (r: RunRow): WebRunRow => ({
  id: r.id,
  script: r.script,
  by: r.requestedByName,
  trigger: r.trigger,
  status: r.status,
  startedAt: r.startedAt,
  endedAt: r.endedAt,
  exitCode: r.exitCode,
  params: r.params,
  approvedBy: r.approvedBy,
  reason: r.reason,
});

export function createWebRuns(deps: {
  scripts(): readonly ScriptDef[];
  runner: Runner;
  runsRepo: RunsRepo;
  listenerFor(chatId: number): RunListener;
  listChoices(from: ChoicesFrom): Promise<Result<ChoiceList, string>>;
  requestApproval(ctx: WebCtx, script: ScriptDef, launch: ReturnType<typeof launchFor>): Promise<void>;
  refusal(error: StartRefusal): string;
}) {
  const byName = (name: string) => deps.scripts().find((s) => s.name === name);
  const visible = (role: Role, script: string) => {
    const names = visibleScripts(deps.scripts(), role);
    return !names || names.includes(script);
  };

  const webScript = (s: ScriptDef): WebScript => ({
    name: s.name,
    title: s.title,
    kind: s.kind,
    description: s.description,
    confirm: s.confirm,
    approval: s.approval !== undefined,
    params: s.params.map((p) => ({
      name: p.name,
      type: p.type,
      description: p.description,
      required: p.required,
      default: p.default,
      choices: p.choices,
      choicesFrom: p.choices_from !== undefined,
      min: p.min,
      max: p.max,
      regex: p.regex,
      secret: p.secret,
    })),
  });

  /** The form's values as strings; an empty field is a value not given (its default applies). */
  const givenOf = (given: Record<string, unknown>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(given)
        .filter(([, v]) => v !== "" && v !== undefined && v !== null)
        .map(([name, v]) => [name, typeof v === "string" ? v : String(v)]),
    );

  return {
    scripts: (role: Role): WebScript[] => scriptsFor(deps.scripts(), role).map(webScript),

    async choices(role: Role, name: string, param: string): Promise<Result<string[], string>> {
      const script = byName(name);
      if (!script || !mayRun(role, script)) return err(`no script named ${name} for your role`);
      const p = script.params.find((x) => x.name === param);
      if (!p) return err(`${name} has no parameter ${param}`);
      if (!p.choices_from) return ok(p.choices ?? []);
      const listed = await deps.listChoices(p.choices_from);
      return listed.ok ? ok(listed.value.choices) : listed;
    },

    /** Starts a script for the user (or asks for approval): the run's id, or why not. */
    async start(
      ctx: WebCtx,
      name: string,
      given: Record<string, unknown>,
    ): Promise<Result<WebStart, string>> {
      const script = byName(name);
      if (!script) return err(`no script named ${name}`);
      if (!mayRun(ctx.role, script)) return err(`${script.name} is for admins only`);
      const values = await checkGivenValues(script, givenOf(given), deps.listChoices);
      if (!values.ok) return values;
      const launch = launchFor(script, values.value);
      if (script.approval) {
        await deps.requestApproval(ctx, script, launch);
        return ok({ kind: "approval" });
      }
      const started = deps.runner.start(
        script,
        { userId: ctx.user.id, name: ctx.user.name, chatId: ctx.chatId, trigger: "user" },
        deps.listenerFor(ctx.chatId),
        launch,
      );
      return started.ok ? ok({ kind: "started", runId: started.value.id }) : err(deps.refusal(started.error));
    },

    stop(id: number, by: string): boolean {
      return deps.runner.stop(id, by);
    },

    active(role: Role): LiveView[] {
      return deps.runner
        .active()
        .filter((r) => visible(role, r.script.name))
        .map((r) => ({ id: r.id, script: r.script.name, running: true, tail: "", lines: r.output.lines() }));
    },

    /** A run's live tail while it runs; its end when it has ended. */
    live(role: Role, id: number): LiveView | undefined {
      const run = deps.runner.active().find((r) => r.id === id);
      if (run) {
        if (!visible(role, run.script.name)) return undefined;
        return {
          id,
          script: run.script.name,
          running: true,
          tail: run.output.tail(),
          lines: run.output.lines(),
        };
      }
      const row = deps.runsRepo.get(id);
      if (!row || !visible(role, row.script)) return undefined;
      return {
        id,
        script: row.script,
        running: row.status === "running",
        tail: "",
        lines: 0,
        status: row.status,
        exitCode: row.exitCode,
      };
    },

    recent(role: Role, n: number): WebRunRow[] {
      return deps.runsRepo.recent(n, visibleScripts(deps.scripts(), role)).map(rowOf);
    },

    /** A run's filtered text (what /log sends), at most 2 MiB from its end. */
    async log(role: Role, id: number): Promise<Result<string, string>> {
      const row = deps.runsRepo.get(id);
      if (!row || !visible(role, row.script)) return err(`no run #${id} you may see`);
      if (!row.logPath) return err(`run #${id} has no log`);
      try {
        const file = await open(textPathOf(row.logPath, row.script));
        try {
          const { size } = await file.stat();
          const start = Math.max(0, size - MAX_LOG_BYTES);
          const buf = Buffer.alloc(size - start);
          await file.read(buf, 0, buf.length, start);
          return ok((start ? "… (earlier output cut)\n" : "") + buf.toString("utf8"));
        } finally {
          await file.close();
        }
      } catch {
        return err(`run #${id}'s log is gone (logs are pruned by runner.keep_runs)`);
      }
    },
  };
}

export type WebRuns = ReturnType<typeof createWebRuns>;
