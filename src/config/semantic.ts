import { dirname, isAbsolute, resolve } from "node:path";
import { isLoopbackHost } from "../shared/url.ts";
import { commandName } from "./names.ts";
import { LISTEN_ADDRESS } from "./schema.ts";
import { formatKeyPath, type KeyPath } from "./yaml-positions.ts";

export interface SemanticIssue {
  path: KeyPath;
  message: string;
}

type Loose = Record<string, unknown>;

const asObject = (value: unknown): Loose | undefined =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

const SCRIPT_LISTS = ["one_time_scripts", "long_running_scripts"] as const;

/**
 * Rules across keys that a per-field schema cannot express. Pure, and read off the YAML's
 * data as it is (not the validated Config), so they are reported in the same pass as the
 * schema's own issues: a wrong type elsewhere in the file never hides a duplicate name.
 * Values of the wrong type are skipped here; the schema reports those.
 */
export function semanticIssues(data: unknown): SemanticIssue[] {
  const root = asObject(data) ?? {};
  const issues: SemanticIssue[] = [];
  scriptIssues(root, issues);
  uniqueNames(root.monitored_devices, ["monitored_devices"], "device name", false, issues);
  uniqueNames(asObject(root.plume)?.locations, ["plume", "locations"], "location name", false, issues);
  // Server names are used as @NAME and in alert names (`web1:disk:root`): case never tells two apart.
  uniqueNames(root.servers, ["servers"], "server name", true, issues);

  const http = asObject(root.http);
  const listen = asString(http?.listen);
  if (listen && LISTEN_ADDRESS.test(listen) && http?.allow_remote !== true) {
    const host = listen.slice(0, listen.lastIndexOf(":"));
    if (!isLoopbackHost(host))
      issues.push({
        path: ["http", "listen"],
        message: "a non-loopback address needs http.allow_remote: true",
      });
  }
  return issues;
}

/** Each script's `path` as written (any list item with a non-empty string path), resolved against `file`'s folder. */
export function scriptPaths(data: unknown, file: string): { path: KeyPath; file: string }[] {
  const root = asObject(data) ?? {};
  return SCRIPT_LISTS.flatMap((key) =>
    asList(root[key]).flatMap((item, index) => {
      const path = asString(asObject(item)?.path);
      if (!path) return [];
      return [{ path: [key, index, "path"], file: isAbsolute(path) ? path : resolve(dirname(file), path) }];
    }),
  );
}

function scriptIssues(root: Loose, issues: SemanticIssue[]): void {
  const seen = new Map<string, { name: string; at: string }>();
  for (const key of SCRIPT_LISTS) {
    asList(root[key]).forEach((item, i) => {
      const script = asObject(item);
      const title = asString(script?.name)?.trim();
      if (!script || !title) return;
      const name = commandName(title, key, i);
      const first = seen.get(name);
      if (first)
        issues.push({
          path: [key, i, "name"],
          message:
            first.name === title
              ? `duplicate script name "${title}" (first at ${first.at})`
              : `"${title}" and "${first.name}" (${first.at}) are both /run ${name}: rename one`,
        });
      else seen.set(name, { name: title, at: formatKeyPath([key, i, "name"]) });
      const env = asObject(script.env) ?? {};
      asList(script.secret_env).forEach((variable, j) => {
        if (typeof variable === "string" && !(variable in env))
          issues.push({ path: [key, i, "secret_env", j], message: `"${variable}" is not a key of env` });
      });
    });
  }
}

function uniqueNames(
  list: unknown,
  at: KeyPath,
  what: string,
  ignoreCase: boolean,
  issues: SemanticIssue[],
): void {
  const seen = new Map<string, { name: string; at: string }>();
  asList(list).forEach((item, i) => {
    const name = asString(asObject(item)?.name);
    if (!name) return;
    const key = ignoreCase ? name.toLowerCase() : name;
    const path = [...at, i, "name"];
    const first = seen.get(key);
    if (!first) seen.set(key, { name, at: formatKeyPath(path) });
    else if (first.name === name)
      issues.push({ path, message: `duplicate ${what} "${name}" (first at ${first.at})` });
    else
      issues.push({
        path,
        message: `duplicate ${what}: "${name}" and "${first.name}" (${first.at}) differ only by case`,
      });
  });
}
