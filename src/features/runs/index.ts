import type { Database } from "bun:sqlite";
import { join } from "node:path";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Redactor } from "../../shared/redact.ts";
import type { RemoteRuns } from "../../shared/remote-runs.ts";
import { err } from "../../shared/result.ts";
import type { SecretBox } from "../../storage/crypto.ts";
import type { StorageHealth } from "../../storage/health.ts";
import { createRunRequestsRepo } from "../../storage/run-requests-repo.ts";
import { createRunsRepo } from "../../storage/runs-repo.ts";
import type { CommandContext, Feature } from "../../telegram/feature.ts";
import type { Outbox } from "../../telegram/send/outbox.ts";
import { createApprovals } from "./approvals.ts";
import { runButton } from "./buttons.ts";
import { mayRun, visibleScripts } from "./catalog.ts";
import { createChoiceLister } from "./choices.ts";
import { createRunCommands, refusalText } from "./commands.ts";
import { createFormFlow } from "./form-flow.ts";
import { createFormStore } from "./forms.ts";
import { createHistoryCommands } from "./history.ts";
import type { LiveRuns } from "./live-runs.ts";
import { interruptedText } from "./messages.ts";
import { launchFor } from "./params.ts";
import { createRunPresenter } from "./presenter.ts";
import { createRemoteRunCommands } from "./remote-commands.ts";
import { createRunner } from "./runner.ts";
import { createScheduleReporter } from "./schedule-report.ts";
import { createScheduler } from "./scheduler.ts";
import { createWebRuns } from "./web-runs.ts";

/** Scripts: /run, /jobs, /stop, /history, /schedules, the runner, the scheduler and run history. */
export function createRunsFeature(deps: {
  config: Config;
  db: Database;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  stateDir: string;
  /** The environment scripts inherit (secrets are removed before they see it). */
  env: Record<string, string | undefined>;
  redactor: Redactor;
  storage: StorageHealth;
  /** Seals the frozen values of requests waiting for approval. */
  secretBox: SecretBox;
  /** Between SIGTERM and SIGKILL when a run is stopped (default 5 s). */
  graceMs?: number | undefined;
  onRunEnd?(script: string, status: string, seconds: number): void;
  /** `/history @NAME`: the fleet's answer for a server. */
  fleetHistory?(ctx: CommandContext): Promise<boolean>;
  /** Runs on the servers of the fleet (`/run @NAME`, `/log @NAME ID`). */
  remote?: RemoteRuns | undefined;
  /** The process's runs in flight, kept across reloads. */
  live?: LiveRuns | undefined;
}) {
  const { config, clock, log, outbox, storage } = deps;
  const runsRepo = createRunsRepo(deps.db);
  const runner = createRunner({
    stateDir: deps.stateDir,
    runsRepo,
    clock,
    log: log.child("runner"),
    limits: config.runner,
    redactPatterns: config.redact,
    env: deps.env,
    redactor: deps.redactor,
    storage,
    ...(deps.live ? { live: deps.live.local } : {}),
    ...(deps.onRunEnd ? { onRunEnd: deps.onRunEnd } : {}),
    ...(deps.graceMs !== undefined ? { graceMs: deps.graceMs } : {}),
  });
  const presenter = createRunPresenter({
    outbox,
    clock,
    maxMessages: config.telegram.max_messages,
    onMessage: (runId, messageId) => {
      try {
        runsRepo.setMessageId(runId, messageId);
      } catch (error) {
        storage.failed("run history", error, "runs go on without history rows");
      }
    },
  });
  const scheduler = createScheduler({
    runner,
    log: log.child("scheduler"),
    report: createScheduleReporter({ outbox, alertChats: () => config.telegram.alert_chats }),
    sleep: Bun.sleep,
  });
  const remote = deps.remote
    ? createRemoteRunCommands({
        remote: deps.remote,
        listenerFor: presenter,
        clock,
        dir: join(deps.stateDir, "runs", "fleet"),
        redact: deps.redactor.redact,
        maxLogBytes: config.runner.max_log_bytes,
        keepRuns: config.runner.keep_runs,
        ...(deps.live ? { live: deps.live.remote } : {}),
        onError: (error) => log.error("presenting a fleet run failed", { error }),
        form: (ctx, server, script, typed) => flow.begin(ctx, script, typed, server),
      })
    : undefined;
  const approvals = createApprovals({
    repo: createRunRequestsRepo(deps.db),
    clock,
    log: log.child("approvals"),
    secretBox: deps.secretBox,
    outbox,
    scripts: () => config.scripts,
    admins: () => config.telegram.admins,
    start: (script, requester, launch) =>
      runner.start(script, requester, presenter(requester.chatId as number), launch),
    refusalText: (refusal) => refusalText(refusal, clock).text,
    keepMs: config.runner.keep_history,
  });
  const listLocal = createChoiceLister({ env: deps.env, secrets: () => deps.redactor.values() });
  const flow = createFormFlow({
    scripts: () => config.scripts,
    forms: createFormStore(clock),
    listChoices: async (p, script, server) => {
      if (server) {
        if (!deps.remote) return err("no fleet here");
        return deps.remote.choices(server, script, p.name);
      }
      return p.choices_from ? listLocal(p.choices_from) : err("it has no list of choices");
    },
    ready: async (ctx, script, values) => {
      const launch = launchFor(script, values);
      if (script.approval) await approvals.request(ctx, script, launch);
      else await runs.launch(ctx, script, launch);
    },
    ...(remote ? { readyRemote: remote.launchWith } : {}),
  });
  const runs = createRunCommands({
    scripts: () => config.scripts,
    runner,
    clock,
    listenerFor: presenter,
    form: (ctx, script, typed) => flow.begin(ctx, script, typed),
    ...(remote ? { remote: remote.run, remoteJobs: remote.jobs } : {}),
  });
  const history = createHistoryCommands({
    recent: (n, scripts) => runsRepo.recent(n, scripts),
    hiddenSince: (id, scripts) => runsRepo.hiddenSince(id, scripts),
    get: (id) => runsRepo.get(id),
    visibleScripts: (role) => visibleScripts(config.scripts, role),
    schedules: () => scheduler.list(),
    clock,
    ...(deps.fleetHistory ? { fleet: deps.fleetHistory } : {}),
    ...(remote ? { fleetLog: remote.log } : {}),
  });

  const web = createWebRuns({
    scripts: () => config.scripts,
    runner,
    runsRepo,
    listenerFor: (chatId) => presenter(chatId),
    listChoices: listLocal,
    requestApproval: (ctx, script, launch) => approvals.request(ctx, script, launch),
    refusal: (refusal) => refusalText(refusal, clock).text,
  });

  const feature: Feature = {
    name: "runs",
    commands: [...runs.commands, ...history],
    callbacks: [...runs.callbacks, ...flow.callbacks, ...approvals.callbacks, ...(remote?.callbacks ?? [])],
    textHooks: [flow.textHook],
    cancel: flow.cancel,
    startButtons: (role) =>
      config.scripts.some((s) => mayRun(role, s))
        ? [{ text: "▶️ Run", callback_data: runButton.pack({}) }]
        : [],
    gauges: [
      {
        name: "octopus_scripts_running",
        help: "Script runs in progress.",
        collect: () => [[{}, runner.active().length]],
      },
    ],
    start() {
      // Runs the last process left "running" ended with it: their chats are told.
      for (const row of runner.recoverInterrupted()) {
        if (row.chatId === null) continue;
        // The live message still says "running" with a Stop button: it shows the end instead
        // (an edit without a keyboard removes the button), and a reply makes the chat notice.
        if (row.messageId) void outbox.edit(row.chatId, row.messageId, `💥 ${row.script}: interrupted`);
        void outbox.send(
          row.chatId,
          interruptedText(row, clock.timeZone),
          row.messageId ? { replyTo: row.messageId } : {},
        );
      }
      runner.prune();
      scheduler.start(config.scripts);
      approvals.start();
    },
    stop: () => {
      scheduler.stop();
      approvals.stop();
    },
    async settle(how) {
      const remoteDone = remote?.settle(how);
      if (how === "finish") await runner.idle();
      else await runner.stopAll("shutdown");
      runner.dispose();
      await remoteDone;
    },
  };
  return { ...feature, runner, scheduler, web };
}
