import type { ScriptDef } from "../../config/parse.ts";
import { checkValue, type ParamSpec } from "../../shared/param-rules.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { CallbackContext, CallbackSpec, CommandContext, TextHook } from "../../telegram/feature.ts";
import { callbackRoute } from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import { formGoButton, formPickButton } from "./buttons.ts";
import { mayRun } from "./catalog.ts";
import type { ChoiceList } from "./choices.ts";
import type { FormScript, FormStore, RunForm } from "./forms.ts";
import {
  applyAssignments,
  defaultValues,
  nextParam,
  type ParamValues,
  parseAssignments,
  ruleText,
  summaryLines,
} from "./params.ts";

/**
 * /run for a script with `params:` (or `approval:`): each parameter asked in turn (buttons for
 * choices and yes/no, a reply for text), `/run NAME key=value …` for people who type, then a
 * summary with Run before anything runs. Bad values get the rule they broke, and the question
 * again. The answers live in the form store; the buttons carry its id, a step and an index.
 */

type Ctx = CommandContext | CallbackContext;

export interface FormFlowDeps {
  scripts(): readonly ScriptDef[];
  forms: FormStore;
  /** A `choices_from` list now: made here, or (`server`) asked of that server. */
  listChoices(p: ParamSpec, script: string, server?: string): Promise<Result<ChoiceList, string>>;
  /** The summary was confirmed: run it now, or ask for approval. */
  ready(ctx: Ctx, script: ScriptDef, values: ParamValues): Promise<void>;
  /** The summary of a server's script was confirmed: the server checks the values again and runs it. */
  readyRemote?(ctx: Ctx, server: string, script: FormScript, values: ParamValues): Promise<void>;
}

const DEFAULT = -1;
const SKIP = -2;

/** Whether /run NAME goes through a form (parameters to give, or an approval to ask for). */
export const needsForm = (script: Pick<FormScript, "params" | "approval">) =>
  script.params.length > 0 || script.approval !== undefined;

function approvalLine(script: FormScript): string {
  const a = script.approval;
  if (!a) return "";
  const from = a.from === "admins" ? "admins" : `${a.from.length} named admins`;
  return `\n\nNeeds ${a.approvers} approval${a.approvers === 1 ? "" : "s"} (${from}) before it runs.`;
}

export function createFormFlow(deps: FormFlowDeps) {
  const { forms } = deps;
  const byName = (name: string) => deps.scripts().find((s) => s.name === name);

  async function choicesFor(
    p: ParamSpec,
    form: RunForm,
  ): Promise<Result<{ list: string[]; note: string }, string>> {
    if (p.type === "boolean") return ok({ list: ["yes", "no"], note: "" });
    if (p.type !== "choice") return ok({ list: [], note: "" });
    if (p.choices) return ok({ list: p.choices, note: "" });
    if (!p.choices_from) return err("it has no choices");
    const listed = await deps.listChoices(p, form.script, form.server);
    if (!listed.ok) return listed;
    const note = listed.value.truncated ? ` (the first ${listed.value.choices.length} offered)` : "";
    return ok({ list: listed.value.choices, note });
  }

  /** `restart`, or `restart @web1` for a server's script. */
  const label = (form: Pick<RunForm, "script" | "server">) =>
    form.server ? `${form.script} @${form.server}` : form.script;
  /** How to begin again: `/run restart`, `/run @web1 restart`. */
  const again = (form: Pick<RunForm, "script" | "server">) =>
    `/run ${form.server ? `@${form.server} ` : ""}${form.script}`;
  const changedText = (form: RunForm) =>
    `${form.script} changed in the config since you began: ${again(form)} again. Nothing was run.`;

  /**
   * The script the form is for, unless it changed or went since the form began. A server's
   * script is the one it listed then: the server refuses values for a changed one itself.
   */
  function scriptOf(form: RunForm): FormScript | undefined {
    if (form.server) return form.remote;
    const script = byName(form.script);
    return script && script.revision === form.revision ? script : undefined;
  }

  /** Asks for `p`; `before`: why the last answer was refused, in the same message (one message, its buttons or reply field). */
  async function ask(ctx: Ctx, form: RunForm, script: FormScript, p: ParamSpec, before = "") {
    // Asked again after a refused answer: the same list (a choices_from command is not run twice).
    const listed =
      before && form.asking === p.name
        ? ok({ list: form.choices, note: form.choicesNote })
        : await choicesFor(p, form);
    if (!listed.ok) {
      forms.close(form.id);
      return void (await ctx.reply(`Cannot ask for ${p.name}: ${listed.error}. Nothing was run.`));
    }
    const choices = listed.value;
    form.step += 1;
    form.asking = p.name;
    form.choices = choices.list;
    form.choicesNote = choices.note;
    forms.touch(form);
    const n = script.params.indexOf(p) + 1;
    const head = `${label(form)} · ${n} of ${script.params.length}\n${p.name}${p.description ? `: ${p.description}` : ""} (${ruleText(p)}${p.secret ? ", secret" : ""})`;
    const pick = (i: number) => formPickButton.pack({ f: form.id, s: form.step, i });
    const rows: InlineKeyboardRows = [];
    for (let i = 0; i < choices.list.length; i += 2)
      rows.push(choices.list.slice(i, i + 2).map((c, j) => ({ text: c, callback_data: pick(i + j) })));
    const extra = [
      ...(p.default !== undefined
        ? [{ text: `Default: ${p.default}`.slice(0, 64), callback_data: pick(DEFAULT) }]
        : []),
      ...(!p.required ? [{ text: "Skip", callback_data: pick(SKIP) }] : []),
    ];
    if (extra.length) rows.push(extra);
    const how = choices.list.length
      ? `Pick one${choices.note}, or type it.`
      : p.secret
        ? "Reply with the value: I delete your message at once."
        : "Reply with the value.";
    const text = `${before ? `${before}\n` : ""}${head}\n${how} /cancel ends this.`;
    if (rows.length) await ctx.reply(text, { keyboard: rows });
    // Nothing to press: the phone opens the reply (and in a group the bot sees it).
    else await ctx.reply(text, { forceReply: p.name });
  }

  async function summary(ctx: Ctx, form: RunForm, script: FormScript) {
    form.asking = undefined;
    form.choices = [];
    form.step += 1;
    forms.touch(form);
    const lines = summaryLines(script, form.values);
    const go = script.approval ? "📨 Ask for approval" : "▶️ Run";
    await ctx.reply(
      `Run ${label(form)}?${script.description ? `\n${script.description}` : ""}${lines.length ? `\n\n${lines.join("\n")}` : ""}${approvalLine(script)}`,
      {
        keyboard: [
          [
            { text: go, callback_data: formGoButton.pack({ f: form.id, a: "run" }) },
            { text: "✖️ Cancel", callback_data: formGoButton.pack({ f: form.id, a: "cancel" }) },
          ],
        ],
      },
    );
  }

  async function advance(ctx: Ctx, form: RunForm, script: FormScript) {
    const p = nextParam(script, form.values, form.skipped);
    if (p) await ask(ctx, form, script, p);
    else await summary(ctx, form, script);
  }

  /**
   * `/run NAME` (every parameter asked) or `/run NAME key=value …` (only what is missing or
   * wrong); `server`: `/run @web1 NAME …`, the script as that server listed it.
   */
  async function begin(ctx: Ctx, script: FormScript, typed: string, server?: string) {
    const form = forms.open({
      script: script.name,
      revision: script.revision,
      userId: ctx.user.id,
      chatId: ctx.chatId,
      values: {},
      ...(server ? { server, remote: script } : {}),
    });
    if (!typed) return advance(ctx, form, script);
    const words = parseAssignments(typed);
    if (!words.ok) {
      forms.close(form.id);
      const names = script.params.map((p) => `${p.name}=…`).join(" ");
      return void (await ctx.reply(
        `${words.error}. Usage: ${again(form)}${names ? ` ${names}` : ""}, or ${again(form)} alone to be asked. Nothing was run.`,
      ));
    }
    const lists = new Map<string, string[]>();
    const listProblems: string[] = [];
    for (const w of words.value) {
      const p = script.params.find((x) => x.name === w.name.toLowerCase());
      if (p?.type !== "choice" || lists.has(p.name)) continue;
      const c = await choicesFor(p, form);
      if (c.ok) lists.set(p.name, c.value.list);
      else listProblems.push(`${p.name}: ${c.error}`);
    }
    const applied = applyAssignments(script, words.value, (p) => lists.get(p.name) ?? p.choices);
    let deleted = false;
    if (applied.secretsGiven) deleted = await ctx.outbox.delete(ctx.chatId, ctx.messageId);
    // Who types gets the defaults and skips what is optional; a wrong value is asked again.
    const given = new Set([...Object.keys(applied.values), ...applied.failed]);
    const defaults = defaultValues(script);
    for (const failed of applied.failed) delete defaults[failed];
    form.values = { ...defaults, ...applied.values };
    for (const p of script.params)
      if (!p.required && !given.has(p.name) && !(p.name in form.values)) form.skipped.add(p.name);
    const problems = [...applied.problems, ...listProblems];
    const notes = [
      ...(applied.secretsGiven
        ? [
            deleted
              ? "🗑 I deleted your message: it held a secret."
              : "⚠️ I could not delete your message with a secret: delete it yourself.",
          ]
        : []),
      ...problems.map((p) => `✖️ ${p}`),
    ];
    if (notes.length) await ctx.reply(notes.join("\n"));
    await advance(ctx, form, script);
  }

  /** The form a button names, if it is this person's, still open, and of the question now asked. */
  async function formFor(
    ctx: CallbackContext,
    id: string,
    step?: number,
  ): Promise<[RunForm, FormScript] | undefined> {
    const form = forms.get(id);
    if (!form) return void (await ctx.answer("This form has expired: start again with /run."));
    if (form.userId !== ctx.user.id) return void (await ctx.answer("This form is someone else's."));
    if (step !== undefined && step !== form.step)
      return void (await ctx.answer("That question was answered already."));
    const script = scriptOf(form);
    if (!script || !mayRun(ctx.role, script)) {
      forms.close(form.id);
      await ctx.answer();
      return void (await ctx.edit(changedText(form)));
    }
    return [form, script];
  }

  const callbacks: CallbackSpec[] = [
    callbackRoute(formPickButton, "viewer", async (ctx, data) => {
      const found = await formFor(ctx, data.f, data.s);
      if (!found) return;
      const [form, script] = found;
      const p = script.params.find((x) => x.name === form.asking);
      if (!p) return void (await ctx.answer("That question was answered already."));
      let shown: string;
      if (data.i === DEFAULT && p.default !== undefined) {
        form.values[p.name] = p.default;
        shown = p.default;
      } else if (data.i === SKIP && !p.required) {
        form.skipped.add(p.name);
        shown = "(skipped)";
      } else {
        const choice = form.choices[data.i];
        const checked = choice === undefined ? undefined : checkValue(p, choice, form.choices);
        if (!checked?.ok) return void (await ctx.answer("That button is not one of the choices."));
        form.values[p.name] = checked.value;
        shown = checked.value;
      }
      await ctx.answer();
      await ctx.edit(`${label(form)} · ${p.name}: ${shown}`);
      await advance(ctx, form, script);
    }),
    callbackRoute(formGoButton, "viewer", async (ctx, data) => {
      const found = await formFor(ctx, data.f);
      if (!found) return;
      const [form, script] = found;
      if (form.asking) return void (await ctx.answer("Answer the question first (or /cancel)."));
      forms.close(form.id);
      await ctx.answer();
      if (data.a === "cancel") return void (await ctx.edit("Cancelled: nothing was run."));
      // Every value once more against the script as configured now, before anything runs.
      for (const p of script.params) {
        const value = form.values[p.name];
        if (value === undefined ? p.required : !checkValue(p, value, p.choices_from ? [value] : p.choices).ok)
          return void (await ctx.edit(
            `${p.name} no longer fits ${script.name}: ${again(form)} again. Nothing was run.`,
          ));
      }
      await ctx.edit(
        `${summaryLines(script, form.values).join("\n") || label(form)}\nConfirmed by ${ctx.user.name}.`,
      );
      const local = form.server ? undefined : byName(form.script);
      if (local) await deps.ready(ctx, local, form.values);
      else if (form.server) await deps.readyRemote?.(ctx, form.server, script, form.values);
    }),
  ];

  const textHook: TextHook = async (ctx) => {
    const form = forms.of(ctx.user.id, ctx.chatId);
    if (!form?.asking) return false;
    const script = scriptOf(form);
    if (!script) {
      forms.close(form.id);
      await ctx.reply(changedText(form));
      return true;
    }
    const p = script.params.find((x) => x.name === form.asking);
    if (!p) return false;
    let note = "";
    if (p.secret) {
      const deleted = await ctx.outbox.delete(ctx.chatId, ctx.messageId);
      note = deleted
        ? "🗑 I deleted your message. "
        : "⚠️ I could not delete your message: delete it yourself. ";
    }
    const checked = checkValue(p, ctx.text, p.type === "choice" ? form.choices : undefined);
    if (!checked.ok) {
      await ask(ctx, form, script, p, `${note}✖️ ${p.name} ${checked.error}.`);
      return true;
    }
    form.values[p.name] = checked.value;
    if (note) await ctx.reply(`${note}${p.name} is set.`);
    await advance(ctx, form, script);
    return true;
  };

  async function cancel(ctx: CommandContext): Promise<string | undefined> {
    const form = forms.of(ctx.user.id, ctx.chatId);
    if (!form) return undefined;
    forms.close(form.id);
    return `Cancelled ${again(form)}: nothing was run.`;
  }

  return { begin, callbacks, textHook, cancel };
}
