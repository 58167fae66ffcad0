import { dirname, isAbsolute, resolve } from "node:path";
import * as v from "valibot";
import { LineCounter, parseDocument } from "yaml";
import type { ConfigIssue } from "../shared/errors.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { plainIssueMessage } from "./issue-text.ts";
import { commandName } from "./names.ts";
import { ConfigSchema, type RawConfig, type ScriptConfig } from "./schema.ts";
import { scriptPaths, semanticIssues } from "./semantic.ts";
import { closestKey, knownKeys } from "./suggest.ts";
import { formatKeyPath, type KeyPath, locate, type Position } from "./yaml-positions.ts";

export { commandName };

export type ScriptKind = "oneshot" | "long";

/** A script as the runner sees it: absolute paths, a timeout in ms, and which list it came from. */
export interface ScriptDef extends Omit<ScriptConfig, "timeout" | "cwd"> {
  /** The command-safe name /run, buttons, history and run files use (`disk_report`). */
  name: string;
  /** The name as written in the config (`Disk Report`). */
  title: string;
  kind: ScriptKind;
  /** Absolute path to the executable. */
  path: string;
  /** Absolute working directory (default: the script's own folder). */
  cwd: string;
  timeoutMs: number;
  /** Where the script's `path` sits in the config, for load-time file checks. */
  source: KeyPath;
  /** Changes whenever what the script runs changes: a request frozen earlier is refused then. */
  revision: string;
}

export interface Config extends Omit<RawConfig, "telegram"> {
  /** Absolute path of the file this came from. */
  file: string;
  scripts: ScriptDef[];
  telegram: Omit<RawConfig["telegram"], "alert_chats"> & { alert_chats: number[] };
}

export interface ParsedConfig {
  config: Config;
  /** Position of a key path in the source, for checks that happen after parsing. */
  locate(path: KeyPath): Position;
}

export interface ParseOptions {
  /** Why a script's absolute path cannot run, or undefined when it can (the I/O is the caller's). */
  checkPath?: (path: string) => string | undefined;
}

const DEFAULT_TIMEOUT_MS: Record<ScriptKind, number> = { oneshot: 5 * 60_000, long: 60 * 60_000 };

function issueMessage(issue: v.BaseIssue<unknown>, path: KeyPath): { message: string; atKey: boolean } {
  if (issue.type === "strict_object" && issue.expected === "never") {
    const key = String(path.at(-1));
    const hint = closestKey(key, knownKeys(ConfigSchema, path.slice(0, -1)));
    return { message: hint ? `unknown key (did you mean ${hint}?)` : "unknown key", atKey: true };
  }
  if (issue.kind === "schema" && issue.received === "undefined" && issue.path?.length) {
    return { message: "missing required key", atKey: false };
  }
  return { message: plainIssueMessage(issue), atKey: false };
}

/**
 * Pure: YAML text to a validated Config, or every problem found (schema, cross-key rules and,
 * with `checkPath`, each script's file) in one pass, in line order, with line and column.
 * `file` is used for messages and to resolve relative script paths.
 */
export function parseConfig(
  text: string,
  file: string,
  options: ParseOptions = {},
): Result<ParsedConfig, ConfigIssue[]> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (pos: Position, path: string, message: string): ConfigIssue => ({ file, ...pos, path, message });

  if (doc.errors.length > 0) {
    return err(
      doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return at({ line, column: col }, "", `YAML syntax error: ${e.message.split("\n")[0]}`);
      }),
    );
  }
  if (doc.contents === null || text.trim() === "") {
    return err([
      at(
        { line: 1, column: 1 },
        "",
        "the file is empty (octopus example-config prints a commented reference)",
      ),
    ]);
  }
  const data: unknown = doc.toJS();
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return err([
      at({ line: 1, column: 1 }, "", "expected a mapping of sections (one_time_scripts, telegram, …)"),
    ]);
  }

  const place = (path: KeyPath, atKey = false) => locate(doc, lines, path, atKey);
  const parsed = v.safeParse(ConfigSchema, data, { abortEarly: false });
  const issues: ConfigIssue[] = parsed.success
    ? []
    : parsed.issues.map((issue) => {
        const path = (issue.path ?? []).map((p) => p.key as string | number);
        const { message, atKey } = issueMessage(issue, path);
        return at(place(path, atKey), formatKeyPath(path), message);
      });
  for (const { path, message } of semanticIssues(data))
    issues.push(at(place(path), formatKeyPath(path), message));
  if (options.checkPath) {
    for (const { path, file: script } of scriptPaths(data, resolve(file))) {
      const problem = options.checkPath(script);
      if (problem) issues.push(at(place(path), formatKeyPath(path), problem));
    }
  }
  if (issues.length || !parsed.success) return err(inLineOrder(issues));
  return ok({ config: derive(parsed.output, resolve(file)), locate: place });
}

/** Every problem of a file, as an operator reads it: top to bottom, one per line and key. */
function inLineOrder(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues
    .filter((i) => {
      const key = `${i.line}:${i.column}:${i.path}:${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

function derive(raw: RawConfig, file: string): Config {
  const base = dirname(file);
  const toDef = (kind: ScriptKind, list: ScriptConfig[], key: string): ScriptDef[] =>
    list.map(({ timeout, cwd, ...script }, index) => {
      const path = isAbsolute(script.path) ? script.path : resolve(base, script.path);
      const params = script.params.map((p) =>
        p.choices_from
          ? {
              ...p,
              choices_from: {
                ...p.choices_from,
                path: isAbsolute(p.choices_from.path)
                  ? p.choices_from.path
                  : resolve(base, p.choices_from.path),
              },
            }
          : p,
      );
      const runs = {
        path,
        args: script.args,
        env: script.env,
        cwd,
        timeout,
        params,
        approval: script.approval,
      };
      return {
        ...script,
        params,
        revision: Bun.hash(JSON.stringify(runs)).toString(36),
        name: commandName(script.name, key, index),
        title: script.name,
        kind,
        path,
        cwd: cwd ? resolve(base, cwd) : dirname(path),
        timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS[kind],
        source: [key, index, "path"],
      };
    });
  return {
    ...raw,
    file,
    scripts: [
      ...toDef("oneshot", raw.one_time_scripts, "one_time_scripts"),
      ...toDef("long", raw.long_running_scripts, "long_running_scripts"),
    ],
    telegram: { ...raw.telegram, alert_chats: raw.telegram.alert_chats ?? [...raw.telegram.admins] },
  };
}
