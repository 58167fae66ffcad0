import * as v from "valibot";
import type { ScriptDef } from "../config/parse.ts";
import { type ChoiceList, createChoiceLister, type ListChoices } from "../features/runs/choices.ts";
import { checkGivenValues } from "../features/runs/given-values.ts";
import type { ParamValues } from "../features/runs/params.ts";
import { readBounded } from "../shared/bounded.ts";
import { MAX_VALUE_CHARS, PARAM_NAME } from "../shared/param-rules.ts";
import type { RemoteValues } from "../shared/remote-runs.ts";
import { err, ok, type Result } from "../shared/result.ts";

/**
 * A hub's run with parameters, on the server: `scripts --json` lists each script's params
 * (a `choices_from` command only as `true`: it runs here, for `choices NAME PARAM`), and
 * `run NAME --values` reads the values as one JSON line on stdin (never on the command line,
 * which `ps` shows on both ends), then checks every one of them against this server's own
 * config, as this server's bot would, before anything runs.
 */

/** What a script run for the hub inherits: this process's environment, without the hub's request. */
export const hubScriptEnv = (env: Record<string, string | undefined>) => ({
  ...env,
  SSH_ORIGINAL_COMMAND: undefined,
});

/** `choices_from` commands run here as scripts are (the bot token's value kept from their output). */
export function serverChoiceLister(env: Record<string, string | undefined>): ListChoices {
  const secrets = [env.TELEGRAM_TOKEN, env.TELEGRAM_BOT_TOKEN].filter((x): x is string => !!x);
  return createChoiceLister({ env: hubScriptEnv(env), secrets: () => secrets });
}

/** A script as `scripts --json` lists it to the hub. */
export function listedScript(s: ScriptDef) {
  return {
    name: s.name,
    title: s.title,
    kind: s.kind,
    role: s.role,
    confirm: s.confirm,
    description: s.description ?? null,
    approval: s.approval !== undefined,
    revision: s.revision,
    params: s.params.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      secret: p.secret,
      description: p.description,
      default: p.default,
      choices: p.choices,
      choices_from: p.choices_from ? true : undefined,
      regex: p.regex,
      min: p.min,
      max: p.max,
    })),
  };
}

/** The values line is at most this long (64 values of 1024 characters fit). */
export const MAX_VALUES_BYTES = 96 * 1024;

const ValuesSchema = v.strictObject({
  revision: v.pipe(v.string(), v.maxLength(64)),
  values: v.pipe(
    v.record(v.pipe(v.string(), v.regex(PARAM_NAME)), v.pipe(v.string(), v.maxLength(MAX_VALUE_CHARS * 4))),
    v.check((r) => Object.keys(r).length <= 64, "too many values"),
  ),
  by: v.pipe(v.string(), v.maxLength(64)),
});

/** Pure: the hub's values line, or why it cannot be read. */
export function parseValues(text: string): Result<RemoteValues, string> {
  try {
    const r = v.safeParse(ValuesSchema, JSON.parse(text));
    return r.success ? ok(r.output) : err("its values could not be read");
  } catch {
    return err("its values could not be read");
  }
}

/** Stdin up to `max` bytes; undefined past it (nothing read is used then). */
export const readBoundedStdin = (max = MAX_VALUES_BYTES) => readBounded(Bun.stdin.stream(), max);

/** The hub's values checked against the script as configured here, now (its revision first). */
export async function valuesFor(
  script: ScriptDef,
  given: RemoteValues,
  listChoices: ListChoices,
): Promise<Result<ParamValues, string>> {
  if (given.revision !== script.revision)
    return err(`${script.name} changed on this server since the form began: ask again`);
  return checkGivenValues(script, given.values, listChoices);
}

/** `choices NAME PARAM`: the list as JSON, or `{"error": …}` (exit 1). */
export async function choicesAnswer(
  scripts: readonly ScriptDef[],
  name: string,
  param: string,
  listChoices: ListChoices,
): Promise<{ code: number; json: ChoiceList | { error: string } }> {
  const p = scripts.find((s) => s.name === name)?.params.find((x) => x.name === param);
  if (!p?.choices_from) return { code: 1, json: { error: `${name} has no list for ${param}` } };
  const listed = await listChoices(p.choices_from);
  return listed.ok ? { code: 0, json: listed.value } : { code: 1, json: { error: listed.error } };
}
