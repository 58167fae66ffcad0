import type { ScriptDef } from "../../config/parse.ts";
import { checkValue, type ParamSpec, PLACEHOLDER, paramEnvName } from "../../shared/param-rules.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { echo } from "./catalog.ts";

/**
 * Pure: a script's parameter values, from `key=value` words or a form's answers, to the exact
 * argv and environment it runs with. A value is only ever one argv element (or one variable):
 * nothing here goes through a shell.
 */

/** What the form and the typed words need of a script: a local one, or one a server lists. */
export type ParamScript = Pick<ScriptDef, "name" | "params">;

/** Values by parameter name, each already checked and canonical. */
export type ParamValues = Record<string, string>;

/** What one run of a script gets on top of its config: frozen when asked (and approved). */
export interface Launch {
  args: string[];
  env: Record<string, string>;
  /** Values never shown: added to the run's redactor, never stored in clear. */
  secrets: string[];
  /** The values as history shows them (secrets masked). */
  shown: string;
}

export interface Assignment {
  name: string;
  value: string;
}

/** `service=nginx note="two words" x='a b'`: each word `name=value`, quotes keep spaces together. */
export function parseAssignments(text: string): Result<Assignment[], string> {
  const out: Assignment[] = [];
  const word = /\s*([^\s=]+)=(?:"([^"]*)"|'([^']*)'|(\S*))/y;
  let at = 0;
  const rest = () => text.slice(at).trim();
  while (rest()) {
    word.lastIndex = at;
    const m = word.exec(text);
    if (!m) return err(`"${echo(rest().split(/\s+/)[0] ?? "")}" is not name=value`);
    at = word.lastIndex;
    if (m[4]?.startsWith('"') || m[4]?.startsWith("'"))
      return err(`${echo(m[1] as string, 32)}: a quote is not closed`);
    if (at < text.length && !/\s/.test(text[at] as string))
      return err(`"${echo(m[0].trim())}…": put a value with spaces in quotes`);
    out.push({ name: m[1] as string, value: m[2] ?? m[3] ?? m[4] ?? "" });
  }
  return ok(out);
}

/** The choices a parameter offers now: its own list, or what its command printed (passed in). */
export type ChoicesOf = (param: ParamSpec) => readonly string[] | undefined;

export interface Applied {
  values: ParamValues;
  /** One line per value that broke a rule (or a name the script does not have). */
  problems: string[];
  /** Parameters given a value that broke a rule: asked again, never filled by a default. */
  failed: string[];
  /** A secret was given (the message that carried it should go). */
  secretsGiven: boolean;
}

/** Typed `name=value` words against a script's params: the values that pass, and why the rest did not. */
export function applyAssignments(script: ParamScript, words: Assignment[], choicesOf: ChoicesOf): Applied {
  const values: ParamValues = {};
  const problems: string[] = [];
  const failed: string[] = [];
  let secretsGiven = false;
  const seen = new Set<string>();
  for (const { name, value } of words) {
    const param = script.params.find((p) => p.name === name.toLowerCase());
    if (!param) {
      problems.push(
        `${script.name} has no parameter "${echo(name, 32)}" (it has: ${script.params.map((p) => p.name).join(", ")})`,
      );
      continue;
    }
    if (param.secret) secretsGiven = true;
    if (seen.has(param.name)) {
      problems.push(`${param.name} is given twice`);
      continue;
    }
    seen.add(param.name);
    const checked = checkValue(param, value, choicesOf(param));
    if (checked.ok) values[param.name] = checked.value;
    else {
      problems.push(`${param.name} ${checked.error}`);
      failed.push(param.name);
    }
  }
  return { values, problems, failed, secretsGiven };
}

/** The values a run gets without asking anyone: every default (a schedule's run, `serve-ssh run`). */
export function defaultValues(script: ParamScript): ParamValues {
  const values: ParamValues = {};
  for (const p of script.params) if (p.default !== undefined) values[p.name] = p.default;
  return values;
}

/** The first parameter still without a value (optional ones count once asked: `skipped`). */
export function nextParam(
  script: ParamScript,
  values: ParamValues,
  skipped: ReadonlySet<string>,
): ParamSpec | undefined {
  return script.params.find((p) => !(p.name in values) && !skipped.has(p.name));
}

const MASK = "••••";

/** `service=nginx, count=2, password=••••` */
export function shownValues(script: ParamScript, values: ParamValues): string {
  return script.params
    .filter((p) => p.name in values)
    .map((p) => `${p.name}=${p.secret ? MASK : values[p.name]}`)
    .join(", ");
}

/** One line per parameter for the summary a person confirms. */
export function summaryLines(script: ParamScript, values: ParamValues): string[] {
  return script.params.map((p) =>
    p.name in values ? `${p.name}: ${p.secret ? MASK : values[p.name]}` : `${p.name}: (not set)`,
  );
}

/**
 * The argv and environment for these values. `{name}` in an element is replaced inside that
 * element; an element naming a parameter left unset (an optional one) is left out whole.
 */
export function launchFor(script: ScriptDef, values: ParamValues): Launch {
  const args = script.args.flatMap((arg) => {
    let missing = false;
    const filled = arg.replace(PLACEHOLDER, (whole, name: string) => {
      if (!script.params.some((p) => p.name === name)) return whole;
      const value = values[name];
      if (value === undefined) missing = true;
      return value ?? "";
    });
    return missing ? [] : [filled];
  });
  const env: Record<string, string> = {};
  const secrets: string[] = [];
  for (const p of script.params) {
    const value = values[p.name];
    if (value === undefined) continue;
    env[paramEnvName(p.name)] = value;
    if (p.secret) secrets.push(value);
  }
  return { args, env, secrets, shown: shownValues(script, values) };
}

/** A parameter's rules in a few words, for the question and after a refusal. */
export function ruleText(p: ParamSpec): string {
  const bounds =
    p.min !== undefined && p.max !== undefined
      ? `${p.min}–${p.max}`
      : p.min !== undefined
        ? `at least ${p.min}`
        : p.max !== undefined
          ? `at most ${p.max}`
          : "";
  switch (p.type) {
    case "integer":
      return `a whole number${bounds ? ` ${bounds}` : ""}`;
    case "string":
      return `text${bounds ? `, ${bounds} characters` : ""}${p.regex ? `, matching ${p.regex}` : ""}`;
    case "date":
      return "a date, YYYY-MM-DD";
    case "boolean":
      return "yes or no";
    case "choice":
      return "one of the choices";
  }
}
