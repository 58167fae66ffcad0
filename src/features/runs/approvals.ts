import type { ScriptDef } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Result } from "../../shared/result.ts";
import { formatClock } from "../../shared/time-format.ts";
import type { SecretBox } from "../../storage/crypto.ts";
import type { RequestMessage, RunRequestRow, RunRequestsRepo } from "../../storage/run-requests-repo.ts";
import type { CallbackContext, CallbackSpec, CommandContext } from "../../telegram/feature.ts";
import { callbackRoute } from "../../telegram/feature.ts";
import type { InlineKeyboardRows, Outbox } from "../../telegram/send/outbox.ts";
import { approvalButton } from "./buttons.ts";
import { randomId } from "./forms.ts";
import type { Launch } from "./params.ts";
import type { ActiveRun, Requester, StartRefusal } from "./run-types.ts";
import type { RunLaunch } from "./runner.ts";

/**
 * The two-person rule: a script with `approval:` runs only after enough other admins approve.
 * The request is frozen when asked (script revision, every value, requester) and kept in
 * SQLite, its argv and environment sealed; on the last approval exactly that runs. Denial,
 * expiry, withdrawal or a changed script end it with a notice to everyone involved.
 */

type Ctx = CommandContext | CallbackContext;

export interface ApprovalDeps {
  repo: RunRequestsRepo;
  clock: Clock;
  log: Logger;
  secretBox: SecretBox;
  outbox: Outbox;
  scripts(): readonly ScriptDef[];
  admins(): readonly number[];
  /** Starts the approved run, its live output in `requester.chatId`. */
  start(script: ScriptDef, requester: Requester, launch: RunLaunch): Result<ActiveRun, StartRefusal>;
  refusalText(refusal: StartRefusal): string;
  /** How long decided requests are kept (runner.keep_history). */
  keepMs: number;
}

/** Who may approve a request for this script (never the one who asked). */
export function eligibleApprovers(script: ScriptDef, admins: readonly number[], requester: number): number[] {
  const from = script.approval?.from ?? "admins";
  const pool = from === "admins" ? admins : from.filter((id) => admins.includes(id));
  return [...new Set(pool)].filter((id) => id !== requester);
}

const SWEEP_MS = 15_000;

export function createApprovals(deps: ApprovalDeps) {
  const { repo, clock, outbox, log } = deps;
  const byName = (name: string) => deps.scripts().find((s) => s.name === name);
  const at = (ms: number) => formatClock(ms, clock.timeZone);
  let timer: ReturnType<typeof setInterval> | undefined;

  const progress = (r: RunRequestRow) =>
    `Approvals: ${r.approvals.length} of ${r.needed}${r.approvals.length ? ` (${r.approvals.map((a) => a.name).join(", ")})` : ""}`;

  function pendingText(r: RunRequestRow): string {
    return [
      `🔐 Approval needed: ${r.script}`,
      `Asked by ${r.requestedByName} · expires ${at(r.expiresAt)}`,
      ...(r.shown ? [r.shown] : []),
      progress(r),
    ].join("\n");
  }

  /** Approve/Deny for an approver; Withdraw for the requester (and Approve/Deny too in a group, where admins read it). */
  const buttons = (r: RunRequestRow, approver: boolean, group = false): InlineKeyboardRows => [
    ...(approver || group
      ? [
          [
            { text: "✅ Approve", callback_data: approvalButton.pack({ r: r.id, t: r.token, a: "yes" }) },
            { text: "❌ Deny", callback_data: approvalButton.pack({ r: r.id, t: r.token, a: "no" }) },
          ],
        ]
      : []),
    ...(approver
      ? []
      : [
          [
            {
              text: "↩️ Withdraw",
              callback_data: approvalButton.pack({ r: r.id, t: r.token, a: "withdraw" }),
            },
          ],
        ]),
  ];

  /** The request's messages show its state now (a final state: no buttons). */
  async function showAll(r: RunRequestRow, final?: string) {
    await Promise.all(
      r.messages.map((m) =>
        outbox.edit(
          m.chatId,
          m.messageId,
          final ?? pendingText(r),
          final ? {} : { keyboard: buttons(r, m.approver, !m.approver && m.chatId !== r.requestedBy) },
        ),
      ),
    );
  }

  /** The end of a request, told to everyone involved: its messages edited, a notice in each chat. */
  async function end(r: RunRequestRow, final: string, notice: string) {
    await showAll(r, final);
    const chats = [...new Set(r.messages.map((m) => m.chatId))];
    const first = r.messages.find((m) => !m.approver);
    await Promise.all(
      chats.map((chatId) =>
        outbox.send(chatId, notice, {
          silent: chatId !== r.chatId,
          ...(chatId === r.chatId && first ? { replyTo: first.messageId } : {}),
        }),
      ),
    );
  }

  async function request(ctx: Ctx, script: ScriptDef, launch: Launch) {
    const approval = script.approval;
    if (!approval) return;
    const approvers = eligibleApprovers(script, deps.admins(), ctx.user.id);
    if (approvers.length < approval.approvers)
      return void (await ctx.reply(
        `${script.name} needs ${approval.approvers} approval${approval.approvers === 1 ? "" : "s"} from admins other than you, and only ${approvers.length} can approve. Nothing was run.`,
      ));
    const now = clock.now();
    const sealed = await deps.secretBox.seal(
      JSON.stringify({ args: launch.args, env: launch.env, secrets: launch.secrets }),
    );
    const id = repo.create({
      token: randomId(),
      script: script.name,
      revision: script.revision,
      launch: sealed,
      shown: launch.shown,
      requestedBy: ctx.user.id,
      requestedByName: ctx.user.name,
      chatId: ctx.chatId,
      createdAt: now,
      expiresAt: now + approval.expires,
      needed: approval.approvers,
    });
    const r = repo.get(id) as RunRequestRow;
    log.info("approval requested", { request: id, script: script.name, by: ctx.user.id });
    const messages: RequestMessage[] = [];
    const group = ctx.chatId !== ctx.user.id;
    const own = await ctx.reply(pendingText(r), { keyboard: buttons(r, false, group) });
    const idOf = (sent: typeof own) => (sent.ok ? sent.value.messageIds[0] : undefined);
    const ownId = idOf(own);
    if (ownId) messages.push({ chatId: ctx.chatId, messageId: ownId, approver: false });
    let unreachable = 0;
    for (const approver of approvers) {
      const sent = await outbox.send(approver, pendingText(r), { keyboard: buttons(r, true) });
      const sentId = idOf(sent);
      if (sentId) messages.push({ chatId: approver, messageId: sentId, approver: true });
      else unreachable += 1;
    }
    repo.setMessages(id, messages);
    if (unreachable)
      await ctx.reply(
        `⚠️ ${unreachable} of ${approvers.length} approvers could not be reached (they have not opened a chat with me).`,
      );
  }

  async function approve(ctx: CallbackContext, r: RunRequestRow, script: ScriptDef) {
    const now = clock.now();
    const approvals = [...r.approvals, { id: ctx.user.id, name: ctx.user.name, at: now }];
    if (approvals.length < r.needed) {
      repo.setApprovals(r.id, approvals);
      log.info("request approved once", { request: r.id, by: ctx.user.id });
      await ctx.answer(`Approved (${approvals.length} of ${r.needed}).`);
      return showAll({ ...r, approvals });
    }
    // The last approval: one press wins, and the sealed launch is erased as it is decided.
    repo.setApprovals(r.id, approvals);
    const names = approvals.map((a) => a.name).join(", ");
    if (!repo.decide(r.id, "approved", names, now))
      return void (await ctx.answer("This request was decided already."));
    await ctx.answer("Approved: starting.");
    let frozen: { args: string[]; env: Record<string, string>; secrets: string[] };
    try {
      frozen = JSON.parse(await deps.secretBox.open(r.launch));
    } catch (error) {
      log.error("an approved request cannot be opened", { request: r.id, error });
      return end(
        r,
        `⚠️ ${r.script}: approved, but its stored values cannot be read. Nothing was run.`,
        `⚠️ ${r.script} was approved but cannot run: ask again.`,
      );
    }
    const started = deps.start(
      script,
      { userId: r.requestedBy, name: r.requestedByName, chatId: r.chatId, trigger: "user" },
      { ...frozen, shown: r.shown, approvedBy: names },
    );
    if (!started.ok) {
      repo.notStarted(r.id);
      const why = deps.refusalText(started.error);
      return end(
        r,
        `⚠️ ${r.script}: approved by ${names}, but it could not start: ${why}`,
        `⚠️ ${r.script} was approved but could not start: ${why}\nAsk again when it can run.`,
      );
    }
    repo.setRunId(r.id, started.value.id);
    log.info("request approved, run started", { request: r.id, run: started.value.id, by: names });
    await showAll(
      r,
      `✅ ${r.script}: approved by ${names}. Run #${started.value.id} started (asked by ${r.requestedByName}).`,
    );
  }

  const callbacks: CallbackSpec[] = [
    callbackRoute(approvalButton, "viewer", async (ctx, data) => {
      const r = repo.get(data.r);
      // A forged id or token, or a request pruned long ago: all look the same.
      if (!r || r.token !== data.t) return void (await ctx.answer("This button has expired."));
      if (r.status !== "pending") return void (await ctx.answer(`This request was ${r.status} already.`));
      if (r.expiresAt <= clock.now()) {
        await ctx.answer("This request has expired.");
        return expire(r);
      }
      if (data.a === "withdraw") {
        if (ctx.user.id !== r.requestedBy)
          return void (await ctx.answer("Only the one who asked can withdraw it."));
        if (!repo.decide(r.id, "withdrawn", ctx.user.name, clock.now()))
          return void (await ctx.answer("This request was decided already."));
        await ctx.answer("Withdrawn.");
        return end(
          r,
          `↩️ ${r.script}: withdrawn by ${r.requestedByName}. Nothing was run.`,
          `↩️ ${r.requestedByName} withdrew the request to run ${r.script}.`,
        );
      }
      if (ctx.user.id === r.requestedBy)
        return void (await ctx.answer("You cannot approve your own request."));
      if (ctx.role !== "admin") return void (await ctx.answer("Only admins approve."));
      const script = byName(r.script);
      if (!script || script.revision !== r.revision) {
        if (repo.decide(r.id, "refused", "config", clock.now()))
          await end(
            r,
            `⚠️ ${r.script}: changed in the config since it was asked. Nothing was run.`,
            `⚠️ ${r.script} changed in the config since ${r.requestedByName} asked: nothing was run. Ask again.`,
          );
        return void (await ctx.answer("The script changed since it was asked."));
      }
      if (!eligibleApprovers(script, deps.admins(), r.requestedBy).includes(ctx.user.id))
        return void (await ctx.answer("You are not one of this script's approvers."));
      if (r.approvals.some((a) => a.id === ctx.user.id))
        return void (await ctx.answer("You approved this already."));
      if (data.a === "no") {
        if (!repo.decide(r.id, "denied", ctx.user.name, clock.now()))
          return void (await ctx.answer("This request was decided already."));
        log.info("request denied", { request: r.id, by: ctx.user.id });
        await ctx.answer("Denied.");
        return end(
          r,
          `❌ ${r.script}: denied by ${ctx.user.name}. Nothing was run.`,
          `❌ ${ctx.user.name} denied ${r.requestedByName}'s request to run ${r.script}. Nothing was run.`,
        );
      }
      await approve(ctx, r, script);
    }),
  ];

  async function expire(r: RunRequestRow) {
    if (!repo.decide(r.id, "expired", null, clock.now())) return;
    log.info("request expired", { request: r.id });
    await end(
      r,
      `⌛ ${r.script}: the request expired at ${at(r.expiresAt)} (${r.approvals.length} of ${r.needed} approvals). Nothing was run.`,
      `⌛ ${r.requestedByName}'s request to run ${r.script} expired. Nothing was run.`,
    );
  }

  /** Ends every request whose time is up (also the ones that ran out while the bot was down). */
  async function sweep() {
    try {
      const now = clock.now();
      for (const r of repo.due(now)) await expire(r);
      repo.prune(now - deps.keepMs);
    } catch (error) {
      log.error("the approval sweep failed", { error });
    }
  }

  return {
    request,
    callbacks,
    sweep,
    start() {
      void sweep();
      timer = setInterval(() => void sweep(), SWEEP_MS);
      timer.unref?.();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
