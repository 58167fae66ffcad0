import type { ScriptDef } from "../../config/parse.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { allows, type Role } from "../../telegram/feature.ts";

/**
 * Pure: which configured script a request names, and whether this role may run it.
 * Nothing outside the config can ever be chosen, and chat users pass values only to a script's
 * declared `params:` (checked against their rules, never a shell).
 */

export type CatalogError =
  | { kind: "usage" }
  | { kind: "arguments"; name: string }
  | { kind: "unknown"; name: string }
  | { kind: "forbidden"; name: string };

/** The one rule for scripts: a role may run a script whose `role` it holds (admins hold every role). */
export function mayRun(role: Role, script: Pick<ScriptDef, "role">): boolean {
  return allows(role, script.role);
}

export function scriptsFor(scripts: readonly ScriptDef[], role: Role): ScriptDef[] {
  return scripts.filter((s) => mayRun(role, s));
}

/**
 * The scripts whose runs (history, output, logs) a role may see: the ones it may run.
 * undefined means every run, including runs of scripts no longer configured (admins).
 */
export function visibleScripts(scripts: readonly ScriptDef[], role: Role): string[] | undefined {
  return role === "admin" ? undefined : scriptsFor(scripts, role).map((s) => s.name);
}

/**
 * Resolves `/run` arguments (`"backup"`) to a script, or says why not. `rest`: the words after
 * the name, only ever for a script with `params:` (`/run restart service=nginx`).
 */
export function resolveRunRequest(
  scripts: readonly ScriptDef[],
  args: string,
  role: Role,
): Result<{ script: ScriptDef; rest: string }, CatalogError> {
  // The name as the config writes it works too: `/run Disk Report` is `/run disk_report`.
  const titled = scripts.find(
    (s) => s.title !== s.name && s.title.toLowerCase() === args.trim().toLowerCase(),
  );
  if (titled)
    return mayRun(role, titled)
      ? ok({ script: titled, rest: "" })
      : err({ kind: "forbidden", name: titled.name });
  const words = args.trim().split(/\s+/).filter(Boolean);
  const first = words[0];
  if (!first) return err({ kind: "usage" });
  // "backup;" or "backup|x": the name, then shell punctuation that must never mean anything here.
  const name = first.replace(/[;&|`$<>()].*$/, "");
  const script = scripts.find((s) => s.name === name.toLowerCase());
  if (!script) return err({ kind: "unknown", name: first });
  // Checked after the lookup so "/run backup; rm -rf /" names the script it refused to run.
  if (name !== first || (words.length > 1 && !script.params.length))
    return err({ kind: "arguments", name: script.name });
  if (!mayRun(role, script)) return err({ kind: "forbidden", name });
  return ok({ script, rest: args.trim().slice(first.length).trim() });
}

/** User input echoed back: at most 64 characters, so a pasted wall of text is not mirrored. */
export function echo(input: string, max = 64): string {
  const chars = [...input];
  return chars.length <= max ? input : `${chars.slice(0, max - 1).join("")}…`;
}

export function catalogErrorText(error: CatalogError, available: readonly ScriptDef[]): string {
  const list = available.length ? `\nAvailable: ${available.map((s) => s.name).join(", ")}` : "";
  switch (error.kind) {
    case "usage":
      return `Usage: /run NAME${list}`;
    case "arguments":
      return `${error.name} takes no arguments: /run ${error.name} runs it as configured. Nothing was run.`;
    case "unknown":
      return `No script named ${echo(error.name)}.${list}`;
    case "forbidden":
      return `${error.name} may only be run by admins.`;
  }
}
