import type { ScriptDef } from "../../config/parse.ts";
import type { Clock } from "../../shared/clock.ts";
import type { ParamValues } from "./params.ts";

/** What a form asks for: a script of this bot's config, or of a server's (`/run @web1 NAME`). */
export type FormScript = Pick<
  ScriptDef,
  "name" | "description" | "params" | "revision" | "approval" | "role"
>;

/**
 * The /run forms in progress: one per person and chat, kept here (never in a button) and
 * found by a short random id, so a button carries that id and an index, never a value. A form
 * lives 15 minutes after its last answer; at most MAX_FORMS are kept (the oldest go first).
 */

export const FORM_TTL_MS = 15 * 60_000;
const MAX_FORMS = 500;

export interface RunForm {
  id: string;
  script: string;
  /** The script's revision when the form began: a changed script ends it. */
  revision: string;
  userId: number;
  chatId: number;
  /** A server of the fleet: the script is the one it listed when the form began (`remote`). */
  server?: string | undefined;
  remote?: FormScript | undefined;
  values: ParamValues;
  /** Optional parameters the person chose to leave unset. */
  skipped: Set<string>;
  /** Counts the questions asked: a button of an earlier question carries an older step. */
  step: number;
  /** The parameter asked now (undefined: the summary is shown). */
  asking?: string | undefined;
  /** The choices the question now asked offers (its buttons are indexes into this). */
  choices: string[];
  /** Said of those choices (" (the first 100 offered)"), shown again when the question is. */
  choicesNote: string;
  expiresAt: number;
}

export function createFormStore(clock: Clock, random: () => string = randomId) {
  const forms = new Map<string, RunForm>();

  function sweep() {
    const now = clock.now();
    for (const [id, f] of forms) if (f.expiresAt <= now) forms.delete(id);
    while (forms.size > MAX_FORMS) forms.delete(forms.keys().next().value as string);
  }

  return {
    /** A new form for this person and chat; any other form of theirs in the chat ends. */
    open(
      init: Pick<RunForm, "script" | "revision" | "userId" | "chatId" | "values" | "server" | "remote">,
    ): RunForm {
      sweep();
      for (const [id, f] of forms) if (f.userId === init.userId && f.chatId === init.chatId) forms.delete(id);
      const form: RunForm = {
        ...init,
        id: random(),
        skipped: new Set(),
        step: 0,
        choices: [],
        choicesNote: "",
        expiresAt: clock.now() + FORM_TTL_MS,
      };
      forms.set(form.id, form);
      return form;
    },
    get(id: string): RunForm | undefined {
      const f = forms.get(id);
      if (f && f.expiresAt <= clock.now()) {
        forms.delete(id);
        return undefined;
      }
      return f;
    },
    /** The form this person has open in this chat. */
    of(userId: number, chatId: number): RunForm | undefined {
      for (const f of forms.values()) if (f.userId === userId && f.chatId === chatId) return this.get(f.id);
      return undefined;
    },
    /** An answer keeps the form alive. */
    touch(form: RunForm) {
      form.expiresAt = clock.now() + FORM_TTL_MS;
    },
    close: (id: string) => void forms.delete(id),
    size: () => forms.size,
  };
}

export type FormStore = ReturnType<typeof createFormStore>;

/** 8 random characters (48 bits): a form or request's part of a button. */
export function randomId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(6))).toString("base64url");
}
