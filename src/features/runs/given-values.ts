import type { ScriptDef } from "../../config/parse.ts";
import { checkValue } from "../../shared/param-rules.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import type { ListChoices } from "./choices.ts";
import type { ParamValues } from "./params.ts";

/**
 * Values given whole (not asked one by one): a hub's for a fleet server, the dashboard's
 * form. Each checked against the script as configured now, by the bot's rules (a
 * `choices_from` list made again), a default for what is not given. The first problem is
 * the answer; nothing is half-applied.
 */
export async function checkGivenValues(
  script: Pick<ScriptDef, "name" | "params">,
  given: Readonly<Record<string, string>>,
  listChoices: ListChoices,
): Promise<Result<ParamValues, string>> {
  for (const name of Object.keys(given))
    if (!script.params.some((p) => p.name === name)) return err(`${script.name} has no parameter ${name}`);
  const values: ParamValues = {};
  for (const p of script.params) {
    const value = given[p.name] ?? p.default;
    if (value === undefined) {
      if (p.required) return err(`${p.name} is required`);
      continue;
    }
    let list: readonly string[] | undefined = p.choices;
    if (p.choices_from) {
      const listed = await listChoices(p.choices_from);
      if (!listed.ok) return err(`${p.name}: ${listed.error}`);
      list = listed.value.choices;
    }
    const checked = checkValue(p, value, list);
    if (!checked.ok) return err(`${p.name} ${checked.error}`);
    values[p.name] = checked.value;
  }
  return ok(values);
}
