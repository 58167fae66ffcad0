import { dirname, isAbsolute, resolve } from "node:path";
import * as v from "valibot";
import { LineCounter, parseDocument } from "yaml";
import type { ConfigIssue } from "../shared/errors.ts";
import { err, ok, type Result } from "../shared/result.ts";
import { isLoopbackHost } from "../shared/url.ts";
import { ConfigSchema, type RawConfig, type ScriptConfig } from "./schema.ts";
import { closestKey, knownKeys } from "./suggest.ts";
import { formatKeyPath, type KeyPath, locate, type Position } from "./yaml-positions.ts";

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
  if (issue.message.startsWith("Invalid type:")) {
    return { message: `expected ${issue.expected}, got ${issue.received}`, atKey: false };
  }
  return { message: issue.message, atKey: false };
}

/**
 * Pure: YAML text to a validated Config, or every problem found with its line and column.
 * `file` is used for messages and to resolve relative script paths.
 */
export function parseConfig(text: string, file: string): Result<ParsedConfig, ConfigIssue[]> {
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
  if (!parsed.success) {
    return err(
      parsed.issues.map((issue) => {
        const path = (issue.path ?? []).map((p) => p.key as string | number);
        const { message, atKey } = issueMessage(issue, path);
        return at(place(path, atKey), formatKeyPath(path), message);
      }),
    );
  }

  const config = derive(parsed.output, resolve(file));
  const semantic = semanticIssues(parsed.output).map(({ path, message }) =>
    at(place(path), formatKeyPath(path), message),
  );
  return semantic.length ? err(semantic) : ok({ config, locate: place });
}

/**
 * The command-safe form of a script name: lower case, a-z 0-9 _ - only (any other run of
 * characters becomes one "_"), at most 32 characters. `Disk Report` → `disk_report`. A name
 * with nothing usable (all punctuation or another script) becomes `script_<list>_<n>`.
 */
export function commandName(name: string, key: string, index: number): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32)
    .replace(/_+$/, "");
  return safe || `script_${key === "long_running_scripts" ? "long" : "once"}_${index + 1}`;
}

function derive(raw: RawConfig, file: string): Config {
  const base = dirname(file);
  const toDef = (kind: ScriptKind, list: ScriptConfig[], key: string): ScriptDef[] =>
    list.map(({ timeout, cwd, ...script }, index) => {
      const path = isAbsolute(script.path) ? script.path : resolve(base, script.path);
      return {
        ...script,
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

/** Rules across keys that a per-field schema cannot express. */
function semanticIssues(raw: RawConfig): { path: KeyPath; message: string }[] {
  const issues: { path: KeyPath; message: string }[] = [];
  const seen = new Map<string, { name: string; at: string }>();
  const unique = (value: string, path: KeyPath, what: string, scope: Map<string, string>) => {
    const first = scope.get(value);
    if (first) issues.push({ path, message: `duplicate ${what} "${value}" (first at ${first})` });
    else scope.set(value, formatKeyPath(path));
  };
  for (const key of ["one_time_scripts", "long_running_scripts"] as const) {
    raw[key].forEach((script, i) => {
      const name = commandName(script.name, key, i);
      const first = seen.get(name);
      if (first)
        issues.push({
          path: [key, i, "name"],
          message:
            first.name === script.name
              ? `duplicate script name "${script.name}" (first at ${first.at})`
              : `"${script.name}" and "${first.name}" (${first.at}) are both /run ${name}: rename one`,
        });
      else seen.set(name, { name: script.name, at: formatKeyPath([key, i, "name"]) });
      script.secret_env.forEach((name, j) => {
        if (!(name in script.env)) {
          issues.push({ path: [key, i, "secret_env", j], message: `"${name}" is not a key of env` });
        }
      });
    });
  }
  const devices = new Map<string, string>();
  for (const [i, d] of raw.monitored_devices.entries()) {
    unique(d.name, ["monitored_devices", i, "name"], "device name", devices);
  }
  const locations = new Map<string, string>();
  for (const [i, l] of raw.plume.locations.entries()) {
    unique(l.name, ["plume", "locations", i, "name"], "location name", locations);
  }

  const listen = raw.http.listen;
  if (listen && !raw.http.allow_remote) {
    const host = listen.slice(0, listen.lastIndexOf(":"));
    if (!isLoopbackHost(host)) {
      issues.push({
        path: ["http", "listen"],
        message: "a non-loopback address needs http.allow_remote: true",
      });
    }
  }
  return issues;
}
