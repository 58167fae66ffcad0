import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { RemoteScript } from "../../shared/remote-runs.ts";
import {
  allows,
  type CallbackContext,
  type CallbackSpec,
  type CommandContext,
  callbackRoute,
  fitsCallbackData,
} from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { remoteConfirmButton, remoteRunButton, remoteStopButton, runCancelButton } from "./buttons.ts";
import { echo } from "./catalog.ts";
import { uploadName } from "./files.ts";
import type { FormScript } from "./forms.ts";
import type { ParamValues } from "./params.ts";
import { createRemoteLauncher, type RemoteLaunchDeps } from "./remote-launch.ts";

/**
 * `/run @SERVER [NAME]` and `/log @SERVER ID`: a script on a server of the fleet, shown
 * exactly like a local run (one live message, Stop, the result, the log as a file). The
 * server's own config decides what exists and refuses anything else; here the user's role
 * must also hold the role that server gives the script (remote-launch.ts starts and presents
 * the run).
 */

type Ctx = CommandContext | CallbackContext;

const say = async (ctx: Ctx, text: string) => {
  await ctx.reply(text);
  return true;
};

export interface RemoteCommandsDeps extends RemoteLaunchDeps {
  /** A server's script with parameters: the form asks for them (form-flow.ts). */
  form(ctx: Ctx, server: string, script: FormScript, typed: string): Promise<void>;
}

/** A server's script as the hub's form asks for it. */
const formScriptOf = (s: RemoteScript): FormScript => ({
  name: s.name,
  description: s.description ?? undefined,
  params: s.params,
  revision: s.revision ?? "",
  approval: undefined,
  role: s.role,
});

export function createRemoteRunCommands(deps: RemoteCommandsDeps) {
  const { remote } = deps;
  const { launch, prune, active, settle, jobs } = createRemoteLauncher(deps);

  /** The server's scripts this role may run, or the line that says why there are none. */
  async function scriptsFor(ctx: Ctx, server: string): Promise<RemoteScript[] | undefined> {
    const list = await remote.scripts(server);
    if (!list.ok) return void (await ctx.reply(list.error));
    return list.value.filter((s) => allows(ctx.role, s.role));
  }

  /** `typed`: what followed the name (`service=nginx …`). */
  async function request(ctx: Ctx, server: string, script: RemoteScript, typed = "") {
    // The server's own bot holds its approvals: a hub cannot prove a second admin's.
    if (script.approval)
      return void (await ctx.reply(
        `${script.name} on ${server} needs a second admin's approval: ask for it on ${server}'s own bot. Nothing was run.`,
      ));
    if (script.params.length) {
      if (!script.revision)
        return void (await ctx.reply(`${server} lists no revision for ${script.name}: update its octopus.`));
      return deps.form(ctx, server, formScriptOf(script), typed);
    }
    if (typed.trim())
      return void (await ctx.reply(`${script.name} takes no arguments: /run @${server} ${script.name}`));
    if (!script.confirm) return launch(ctx, server, script);
    const data = remoteConfirmButton.pack({ s: server, n: script.name });
    if (!fitsCallbackData(data))
      return void (await ctx.reply(
        `${script.name} asks for a confirmation, and its name is too long for a button.`,
      ));
    await ctx.reply(
      `Run ${script.name} on ${server}?${script.description ? `\n${script.description}` : ""}`,
      {
        keyboard: [
          [
            { text: "▶️ Run", callback_data: data },
            { text: "✖️ Cancel", callback_data: runCancelButton.pack({}) },
          ],
        ],
      },
    );
  }

  async function picker(ctx: Ctx, server: string) {
    const scripts = await scriptsFor(ctx, server);
    if (!scripts) return;
    const buttons = scripts
      .map((s) => ({
        text: `${s.kind === "long" ? "📡" : "▶️"} ${s.title}`,
        callback_data: remoteRunButton.pack({ s: server, n: s.name }),
      }))
      .filter((b) => fitsCallbackData(b.callback_data));
    if (!buttons.length) return void (await ctx.reply(`${server} has no script for your role.`));
    const rows: InlineKeyboardRows = [];
    for (let i = 0; i < buttons.length; i += 2) rows.push(buttons.slice(i, i + 2));
    await ctx.reply(`Which script on ${server}?`, { keyboard: rows });
  }

  /**
   * The script a role may run there, by name or as the config writes it, and the words after
   * its name (`restart service=nginx`); or the answer why not.
   */
  async function pick(
    ctx: Ctx,
    server: string,
    asked: string,
  ): Promise<{ script: RemoteScript; rest: string } | undefined> {
    const list = await remote.scripts(server);
    if (!list.ok) return void (await ctx.reply(list.error));
    const whole = asked.trim().toLowerCase();
    const first = asked.trim().split(/\s+/)[0] ?? "";
    const byWhole = list.value.find((s) => s.name === whole || s.title.toLowerCase() === whole);
    const byFirst = byWhole ? undefined : list.value.find((s) => s.name === first.toLowerCase());
    const script = byWhole ?? byFirst;
    const rest = byFirst ? asked.trim().slice(first.length).trim() : "";
    const mine = list.value.filter((s) => allows(ctx.role, s.role)).map((s) => s.name);
    if (!script) {
      const known = mine.length ? `Its scripts: ${mine.join(", ")}` : "It has no script for your role.";
      return void (await ctx.reply(`${server} has no script ${echo(first)}. ${known}`));
    }
    if (!allows(ctx.role, script.role))
      return void (await ctx.reply(`Only admins may run ${script.name} on ${server}.`));
    return { script, rest };
  }

  const serverOf = (text: string) => /^@(\S+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  const unknownServer = (name: string) =>
    `No server ${echo(name)}. Servers: ${
      remote
        .names()
        .map((n) => `@${n}`)
        .join(", ") || "none (servers: in the config)"
    }`;

  const callbacks: CallbackSpec[] = [
    callbackRoute(remoteRunButton, "viewer", async (ctx, data) => {
      await ctx.answer();
      if (!data.n) return picker(ctx, data.s);
      const picked = await pick(ctx, data.s, data.n);
      if (picked) await request(ctx, data.s, picked.script);
    }),
    callbackRoute(remoteConfirmButton, "viewer", async (ctx, data) => {
      const script = (await pick(ctx, data.s, data.n))?.script;
      if (!script) return;
      await ctx.edit(`Running ${script.name} on ${data.s} (confirmed by ${ctx.user.name}).`);
      await launch(ctx, data.s, script);
    }),
    callbackRoute(remoteStopButton, "admin", async (ctx, data) => {
      const entry = active.get(`${data.s}#${data.r}`);
      if (!entry) return void (await ctx.answer("It is not running any more."));
      entry.stoppedBy = ctx.user.name;
      await ctx.answer("Stopping…");
      const said = await entry.handle.stop();
      if (!said.includes("stopping")) await ctx.reply(said);
    }),
  ];

  return {
    callbacks,
    settle,
    jobs,
    /** A server's form was confirmed: its values go there, checked again, and it runs. */
    async launchWith(ctx: Ctx, server: string, script: FormScript, values: ParamValues): Promise<void> {
      await launch(ctx, server, script, {
        revision: script.revision,
        values,
        by: ctx.user.name.slice(0, 64),
      });
    },
    /** `/run @SERVER [NAME]`; false when the arguments do not name a server. */
    async run(ctx: CommandContext): Promise<boolean> {
      const m = serverOf(ctx.args);
      if (!m) return false;
      const [, server = "", asked = ""] = m;
      if (!remote.names().includes(server)) return say(ctx, unknownServer(server));
      if (!asked.trim()) await picker(ctx, server);
      else {
        const picked = await pick(ctx, server, asked);
        if (picked) await request(ctx, server, picked.script, picked.rest);
      }
      return true;
    },
    /** `/log @SERVER ID`: that run's output as a file; false when the arguments are not that. */
    async log(ctx: CommandContext): Promise<boolean> {
      const m = serverOf(ctx.args);
      if (!m) return false;
      const [, server = "", rest = ""] = m;
      if (!remote.names().includes(server)) return say(ctx, unknownServer(server));
      const id = Number(rest.trim().replace(/^#/, ""));
      if (!Number.isInteger(id) || id <= 0) {
        await ctx.usage("Usage: /log @SERVER ID (see /history @SERVER)");
        return true;
      }
      // A viewer may see runs of the scripts that server marks for viewers: checked before any
      // byte of the log is fetched. A run they may not see reads like one that does not exist.
      if (ctx.role !== "admin") {
        const [run, scripts] = await Promise.all([remote.runScript(server, id), remote.scripts(server)]);
        if (!run.ok) return say(ctx, run.error);
        if (!scripts.ok) return say(ctx, scripts.error);
        const script = scripts.value.find((s) => s.name === run.value);
        if (!script || !allows(ctx.role, script.role)) return say(ctx, `${server}: no run #${id}.`);
      }
      mkdirSync(deps.dir, { recursive: true, mode: 0o700 });
      prune();
      // One file per request: two people fetching the same run never share (or delete) one.
      const path = join(deps.dir, `log-${server}-${id}-${randomUUID()}.txt`);
      try {
        const got = await remote.log(server, id, path);
        if (!got.ok) return say(ctx, got.error);
        await ctx.outbox.document(
          ctx.chatId,
          uploadName(join(deps.dir, `${server}-${id}-${got.value.script}.txt`)),
          { path },
          `${got.value.script} @${server} run #${id}`,
        );
      } finally {
        rmSync(path, { force: true });
      }
      return true;
    },
  };
}
