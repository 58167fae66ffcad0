import { Cron } from "croner";
import type { Config } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Reading } from "../../shared/reading.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { formatDateTime } from "../../shared/time-format.ts";
import {
  type CallbackContext,
  type CommandContext,
  callbackRoute,
  type Feature,
  fitsCallbackData,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { fleetStatusButton } from "./buttons.ts";
import { serverReadings } from "./readings.ts";
import {
  MAX_REMOTE_DEVICES,
  parseRemoteRuns,
  parseRemoteStatus,
  type RemoteStatus,
  remoteRunLine,
  remoteStatusText,
  serverLine,
  viewerScriptsOf,
} from "./remote.ts";
import { createRemoteRuns } from "./remote-run.ts";
import { createSshClient, type FleetFailure, fleetPaths } from "./ssh.ts";

const NO_SERVERS =
  "No servers yet: this bot watches only itself. To add one: octopus fleet key on this hub, " +
  "octopus fleet authorize NAME for the server's authorized_keys line, a servers: entry in the " +
  "config (name, ssh: octopus@HOST), then systemctl reload octopus (docs/OPERATIONS.md, A fleet).";

/** Telegram's limit for one message's text. */
const MESSAGE_LIMIT = 4096;

/** The first lines that fit one message beside the progress line, and how many more there are. */
function fit(lines: readonly string[]): string {
  const out: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > MESSAGE_LIMIT - 200) {
      out.push(`… and ${lines.length - out.length} more`);
      break;
    }
    out.push(line);
    size += line.length + 1;
  }
  return out.join("\n");
}

/** How many servers are asked at once (each call is one small ssh process on the hub). */
const CONCURRENCY = 16;

/**
 * The fleet, seen from its hub: /servers, `/status @NAME` and `/status @all`, each server
 * asked over OpenSSH for its own `status --json`. Bare commands keep meaning this server.
 */
export function createFleetFeature(deps: {
  config: Config;
  clock: Clock;
  stateDir: string;
  log: Logger;
  /** Where each check's server readings go: the alert engine. */
  report?(readings: Reading[]): void;
}) {
  const { config } = deps;
  const ssh = createSshClient(fleetPaths(deps.stateDir));
  const log = deps.log.child("fleet");
  let job: Cron | undefined;
  /** Servers already logged as reporting too many disks (said once per server). */
  const capped = new Set<string>();
  /** Servers already logged as making up more disks than the hub watches (said once per server). */
  const flooding = new Set<string>();

  async function statusOf(name: string): Promise<Result<RemoteStatus, FleetFailure>> {
    const server = config.servers.find((s) => s.name === name);
    if (!server) return err({ kind: "refused", detail: "no such server" });
    const r = await ssh.call(server, "status --json");
    if (!r.ok) {
      log.warn("server not answering", { server: name, kind: r.error.kind, detail: r.error.detail });
      return r;
    }
    const s = parseRemoteStatus(r.value);
    if (s?.omitted && !capped.has(name)) {
      capped.add(name);
      log.warn("server reports more disks than the hub reads: the rest is not shown nor watched", {
        server: name,
        read: MAX_REMOTE_DEVICES,
        omitted: s.omitted,
      });
    }
    return s
      ? ok(s)
      : err({ kind: "refused", detail: "its answer could not be read (a different octopus version?)" });
  }

  /** Every server, at most CONCURRENCY at once, in config order; `onEach` as each one answers. */
  async function all(onEach?: (i: number, result: Result<RemoteStatus, FleetFailure>) => void) {
    const names = config.servers.map((s) => s.name);
    const results = new Array<Result<RemoteStatus, FleetFailure>>(names.length);
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const i = next++;
        results[i] = await statusOf(names[i] as string);
        onEach?.(i, results[i] as Result<RemoteStatus, FleetFailure>);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, names.length) }, worker));
    return names.map((name, i) => ({ name, result: results[i] as Result<RemoteStatus, FleetFailure> }));
  }

  const refreshRow = (name: string): InlineKeyboardRows => [
    [{ text: "🔄 Refresh", callback_data: fleetStatusButton.pack({ s: name, r: true }) }],
  ];

  /**
   * The fleet table, answered as servers reply: one message (`messageId`, or a new one) edited
   * in place, a pending server shown as asking until it answers or its timeout ends. It runs
   * after the handler returns, so the chat is free meanwhile; the outbox folds edits that
   * queue up into the newest. A table too long for one message ends as a summary there and
   * the table in a new message (split as long replies are).
   */
  async function fleetTable(
    ctx: CallbackContext | CommandContext,
    messageId?: number,
    extra: InlineKeyboardRows = [],
  ) {
    const names = config.servers.map((s) => s.name);
    if (!names.length) return void (await ctx.reply(NO_SERVERS));
    const lines = names.map((n) => `⏳ ${n} · asking…`);
    let answered = 0;
    const text = () =>
      answered < names.length
        ? `${fit(lines)}\n\n⏳ ${answered} of ${names.length} answered`
        : lines.join("\n");
    let id = messageId;
    if (id === undefined) {
      const sent = await ctx.outbox.send(ctx.chatId, text());
      if (!sent.ok) return;
      id = sent.value.messageIds[0];
    } else await ctx.outbox.edit(ctx.chatId, id, text());
    const target = id;
    void (async () => {
      await all((i, result) => {
        lines[i] = serverLine(names[i] as string, result);
        answered++;
        if (answered < names.length && target !== undefined)
          void ctx.outbox.edit(ctx.chatId, target, text(), { priority: "bulk" });
      });
      const keyboard = [...refreshRow("*"), ...extra];
      const full = text();
      if (target !== undefined && full.length <= MESSAGE_LIMIT)
        return void (await ctx.outbox.edit(ctx.chatId, target, full, { keyboard }));
      const bad = lines.filter((l) => !l.startsWith("🟢")).length;
      if (target !== undefined)
        await ctx.outbox.edit(
          ctx.chatId,
          target,
          `🌐 ${names.length} servers answered or timed out; ${bad} not green. The table follows.`,
        );
      await ctx.outbox.send(ctx.chatId, full, { keyboard });
    })().catch((error: unknown) => log.error("fleet table failed", { error }));
  }

  /** One server's status with its Refresh button (the fleet's is fleetTable). */
  async function statusView(name: string) {
    const refresh = refreshRow(name);
    const r = await statusOf(name);
    return { text: r.ok ? remoteStatusText(name, r.value) : serverLine(name, r), keyboard: refresh };
  }

  /** The picker under /status: a button per server (whose name fits a button), and the fleet. */
  const statusRows = (withAll = true): InlineKeyboardRows => {
    const buttons = [
      ...config.servers
        .map((s) => ({ text: `🖥 ${s.name}`, callback_data: fleetStatusButton.pack({ s: s.name, r: false }) }))
        .filter((b) => fitsCallbackData(b.callback_data)),
      ...(withAll
        ? [{ text: "🌐 All servers", callback_data: fleetStatusButton.pack({ s: "*", r: false }) }]
        : []),
    ];
    const rows: InlineKeyboardRows = [];
    for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
    return config.servers.length ? rows : [];
  };

  const feature: Feature = {
    name: "fleet",
    commands: [
      {
        name: "servers",
        description: "The servers of the fleet: reachable, load, memory, fullest disk",
        role: "viewer",
        // Answered without servers too (how to add one), but listed only when there are some.
        listedFor: () => config.servers.length > 0,
        run: async (ctx) => {
          if (!config.servers.length) return void (await ctx.reply(NO_SERVERS));
          await fleetTable(ctx, undefined, statusRows(false));
        },
      },
    ],
    callbacks: [
      callbackRoute(fleetStatusButton, "viewer", async (ctx, data) => {
        if (data.s !== "*" && !config.servers.some((s) => s.name === data.s))
          return void (await ctx.answer("That server is not configured any more."));
        if (data.s === "*") {
          await ctx.answer();
          return void (await fleetTable(ctx, data.r ? ctx.messageId : undefined));
        }
        if (!data.r) {
          await ctx.answer();
          const view = await statusView(data.s);
          return void (await ctx.reply(view.text, { keyboard: view.keyboard }));
        }
        const view = await statusView(data.s);
        const result = await ctx.edit(view.text, { keyboard: view.keyboard });
        await ctx.answer(
          result.ok ? (result.value.skipped ? "No change" : "Refreshed") : "Could not refresh",
        );
      }),
    ],
  };
  /**
   * The disks each server has reported since start, at most MAX_REMOTE_DEVICES: a server making
   * up fresh names on every check gets no more alert series than a server with that many disks.
   */
  const disksSeen = new Map<string, Set<string>>();
  function knownDisks(name: string, s: RemoteStatus): RemoteStatus {
    const seen = disksSeen.get(name) ?? new Set<string>();
    disksSeen.set(name, seen);
    const devices = s.devices.filter((d) => {
      if (seen.has(d.name)) return true;
      if (seen.size >= MAX_REMOTE_DEVICES) return false;
      seen.add(d.name);
      return true;
    });
    const refused = s.devices.length - devices.length;
    if (refused && !flooding.has(name)) {
      flooding.add(name);
      log.warn("server reports new disks past the hub's limit: they are not watched", {
        server: name,
        watched: MAX_REMOTE_DEVICES,
        refused,
      });
    }
    return { ...s, devices };
  }

  /** What each server last answered (a check or a refresh): the dashboard's fleet page. */
  const latest = new Map<string, { at: number; line: string; ok: boolean; detail?: string }>();
  const remember = (results: { name: string; result: Result<RemoteStatus, FleetFailure> }[]) => {
    for (const { name, result } of results)
      latest.set(name, {
        at: deps.clock.now(),
        ok: result.ok,
        line: serverLine(name, result),
        ...(result.ok ? { detail: remoteStatusText(name, result.value) } : {}),
      });
  };
  let refreshing: Promise<unknown> | undefined;

  /** One check of every server through the alert engine (on alerts.check). */
  async function check() {
    const fallback = { load: config.alerts.load, memory: config.alerts.memory };
    const results = await all();
    remember(results);
    deps.report?.(
      results.flatMap((r) =>
        serverReadings(r.name, r.result.ok ? ok(knownDisks(r.name, r.result.value)) : r.result, fallback),
      ),
    );
  }

  return {
    ...feature,
    check,
    statusRows,
    /** Each configured server and what it last answered (undefined: not asked yet). */
    latest: () => config.servers.map((s) => ({ name: s.name, ...latest.get(s.name) })),
    /** Asks every server now (one refresh at a time, however many ask for it). */
    refresh(): Promise<unknown> {
      refreshing ??= all()
        .then(remember)
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    },
    /** Runs on the servers (`/run @NAME`, Stop, `/log @NAME ID`), for the runs feature. */
    remote: config.servers.length ? createRemoteRuns(ssh, () => config.servers) : undefined,
    start() {
      if (!config.servers.length || !deps.report) return;
      job = new Cron(
        config.alerts.check,
        { protect: true, catch: (error) => log.error("fleet check failed", { error }) },
        check,
      );
    },
    stop() {
      job?.stop();
      job = undefined;
    },
    /**
     * `/history @NAME`: that server's last runs; a viewer sees only runs of the scripts that
     * server marks `role: viewer` (its own catalog decides).
     */
    async history(ctx: CommandContext): Promise<boolean> {
      const m = /^@(\S+)$/.exec(ctx.args.trim());
      if (!m) return false;
      const say = async (text: string) => {
        await ctx.reply(text);
        return true;
      };
      const server = config.servers.find((s) => s.name === m[1]);
      if (!server) return say(`No server ${m[1]}.`);
      const [runs, scripts] = await Promise.all([
        ssh.call(server, "history --json"),
        ssh.call(server, "scripts --json"),
      ]);
      if (!runs.ok) return say(serverLine(server.name, runs));
      const list = parseRemoteRuns(runs.value);
      if (!list) return say(`${server.name}: its answer could not be read.`);
      const viewerScripts = scripts.ok ? viewerScriptsOf(scripts.value) : new Set<string>();
      const shown = ctx.role === "admin" ? list : list.filter((r) => viewerScripts.has(r.script));
      const at = (ms: number) => formatDateTime(ms, deps.clock.timeZone);
      await ctx.reply(
        shown.length
          ? `${server.name}:\n${shown.map((r) => remoteRunLine(r, at)).join("\n")}`
          : `${server.name}: no runs you may see.`,
      );
      return true;
    },
    /** `/status @NAME` or `/status @all`; false when the arguments are not about the fleet. */
    async status(ctx: CommandContext): Promise<boolean> {
      const m = /^@(\S+)$/.exec(ctx.args.trim());
      if (!m) return false;
      const name = m[1] as string;
      if (name !== "all" && !config.servers.some((s) => s.name === name)) {
        const known = config.servers.map((s) => `@${s.name}`).join(", ") || "none (servers: in the config)";
        await ctx.reply(`No server ${name}. Servers: ${known}, @all`);
        return true;
      }
      if (name === "all") {
        await fleetTable(ctx);
        return true;
      }
      const view = await statusView(name);
      await ctx.reply(view.text, { keyboard: view.keyboard });
      return true;
    },
  };
}
