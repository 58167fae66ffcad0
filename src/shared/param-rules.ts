import { err, ok, type Result } from "./result.ts";

/**
 * Pure: the rules of a script's typed parameters (`params:` in the config), shared by the
 * config's own checks (a default must pass them) and by /run (a value typed or picked in the
 * chat). A value that passes comes back in its one canonical form ("yes" → "true", "007" → "7").
 */

export const PARAM_TYPES = ["choice", "string", "integer", "boolean", "date"] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

/** A parameter's name: what `{name}` in args and OCTOPUS_PARAM_NAME use. */
export const PARAM_NAME = /^[a-z][a-z0-9_]{0,31}$/;

/** The longest value a chat may give: argv and the environment take far more, a phone less. */
export const MAX_VALUE_CHARS = 1024;

/** Choices a question offers at most (Telegram shows 100 buttons under one message). */
export const MAX_CHOICES = 100;

export interface ChoicesFrom {
  path: string;
  args: string[];
  /** ms */
  timeout: number;
}

export interface ParamSpec {
  name: string;
  type: ParamType;
  description?: string | undefined;
  required: boolean;
  default?: string | undefined;
  choices?: string[] | undefined;
  choices_from?: ChoicesFrom | undefined;
  regex?: string | undefined;
  min?: number | undefined;
  max?: number | undefined;
  secret: boolean;
}

const TRUE = new Set(["true", "yes", "y", "on", "1"]);
const FALSE = new Set(["false", "no", "n", "off", "0"]);

function checkDate(text: string): Result<string, string> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const hint = "must be a date as YYYY-MM-DD, e.g. 2026-12-31";
  if (!m) return err(hint);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return err("is not a day of the calendar");
  return ok(text);
}

function checkInteger(spec: ParamSpec, text: string): Result<string, string> {
  if (!/^[+-]?\d{1,16}$/.test(text)) return err("must be a whole number");
  const n = Number(text);
  if (!Number.isSafeInteger(n)) return err("must be a whole number");
  if (spec.min !== undefined && n < spec.min) return err(`must be at least ${spec.min}`);
  if (spec.max !== undefined && n > spec.max) return err(`must be at most ${spec.max}`);
  return ok(String(n));
}

function checkString(spec: ParamSpec, text: string): Result<string, string> {
  // One line: a newline or an escape in a value is a paste gone wrong, not a service name.
  if (/\p{Cc}/u.test(text)) return err("must be one line of text, without control characters");
  const length = [...text].length;
  if (spec.min !== undefined && length < spec.min) return err(`needs at least ${spec.min} characters`);
  if (spec.max !== undefined && length > spec.max) return err(`has at most ${spec.max} characters`);
  if (spec.regex !== undefined && !new RegExp(`^(?:${spec.regex})$`, "u").test(text))
    return err(`must match ${spec.regex}`);
  return ok(text);
}

/**
 * The value for `spec` from what a person gave, or the rule it broke. `choices` is the list a
 * choice parameter offers now (its fixed list, or what its command printed).
 */
export function checkValue(
  spec: ParamSpec,
  raw: string,
  choices: readonly string[] | undefined = spec.choices,
): Result<string, string> {
  const text = raw.trim();
  if (!text) return err("needs a value");
  if ([...text].length > MAX_VALUE_CHARS) return err(`has at most ${MAX_VALUE_CHARS} characters`);
  switch (spec.type) {
    case "boolean": {
      const word = text.toLowerCase();
      if (TRUE.has(word)) return ok("true");
      if (FALSE.has(word)) return ok("false");
      return err("must be yes or no");
    }
    case "integer":
      return checkInteger(spec, text);
    case "date":
      return checkDate(text);
    case "string":
      return checkString(spec, text);
    case "choice": {
      const list = choices ?? [];
      const found = list.find((c) => c === text) ?? list.find((c) => c.toLowerCase() === text.toLowerCase());
      if (found !== undefined) return ok(found);
      const shown = list.slice(0, 10).join(", ");
      return err(
        list.length
          ? `must be one of: ${shown}${list.length > 10 ? ", …" : ""}`
          : "has no choices available now",
      );
    }
  }
}

/** Why a parameter as configured cannot work, or undefined (its keys fit its type, its default its rules). */
export function paramProblem(spec: ParamSpec): string | undefined {
  const { type } = spec;
  if (type === "choice") {
    if (!spec.choices && !spec.choices_from) return "a choice needs choices: [...] or choices_from";
    if (spec.choices && spec.choices_from) return "give choices or choices_from, not both";
    if (spec.choices && !spec.choices.length) return "choices cannot be empty";
    if (spec.choices && new Set(spec.choices).size !== spec.choices.length) return "choices repeat a value";
  } else if (spec.choices || spec.choices_from) return `choices are for type choice, not ${type}`;
  if (spec.regex !== undefined && type !== "string") return `regex is for type string, not ${type}`;
  if ((spec.min !== undefined || spec.max !== undefined) && type !== "integer" && type !== "string")
    return `min and max are for integer and string, not ${type}`;
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) return "min is above max";
  if (spec.secret && type !== "string") return "only a string can be secret";
  if (spec.secret && spec.default !== undefined)
    return "a secret has no default (it would sit in the config)";
  if (spec.default !== undefined && !(type === "choice" && spec.choices_from)) {
    const checked = checkValue(spec, spec.default);
    if (!checked.ok) return `the default "${spec.default}" ${checked.error}`;
  }
  return undefined;
}

/** `OCTOPUS_PARAM_SERVICE` for `service`. */
export const paramEnvName = (name: string) => `OCTOPUS_PARAM_${name.toUpperCase()}`;

/** `{name}` placeholders in one argv element. */
export const PLACEHOLDER = /\{([a-z][a-z0-9_]{0,31})\}/g;

export function placeholders(arg: string): string[] {
  return [...arg.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
}
