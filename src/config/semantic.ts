import { dirname, isAbsolute, resolve } from "node:path";
import { placeholders } from "../shared/param-rules.ts";
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
  if (http?.dashboard === true && !listen)
    issues.push({
      path: ["http", "dashboard"],
      message: "the dashboard is served by the http listener: set http.listen (e.g. 127.0.0.1:9464)",
    });
  // The bridge's webhook is served by the http listener: without one, nothing would receive it.
  if (asObject(root.alertmanager) && !listen)
    issues.push({
      path: ["alertmanager"],
      message: "the Alertmanager webhook needs the http listener: set http.listen (e.g. 127.0.0.1:9464)",
    });
  return issues;
}

/** Each script's `path` as written (any list item with a non-empty string path), resolved against `file`'s folder. */
export function scriptPaths(data: unknown, file: string): { path: KeyPath; file: string }[] {
  const root = asObject(data) ?? {};
  return SCRIPT_LISTS.flatMap((key) =>
    asList(root[key]).flatMap((item, index) => {
      const at = (path: string, keys: KeyPath) => ({
        path: keys,
        file: isAbsolute(path) ? path : resolve(dirname(file), path),
      });
      const path = asString(asObject(item)?.path);
      // The commands that list a parameter's choices are run as scripts are: checked alike.
      const lists = asList(asObject(item)?.params).flatMap((param, j) => {
        const from = asString(asObject(asObject(param)?.choices_from)?.path);
        return from ? [at(from, [key, index, "params", j, "choices_from", "path"])] : [];
      });
      return [...(path ? [at(path, [key, index, "path"])] : []), ...lists];
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
      paramIssues(script, [key, i], issues);
      approvalIssues(script, asList(asObject(root.telegram)?.admins), [key, i], issues);
    });
  }
}

/** Names unique, `{name}` in args naming a parameter, no secret in argv (ps shows it), schedules able to fill every value. */
function paramIssues(script: Loose, at: KeyPath, issues: SemanticIssue[]): void {
  const params = new Map<string, Loose>();
  asList(script.params).forEach((item, j) => {
    const param = asObject(item);
    const name = asString(param?.name);
    if (!param || !name) return;
    if (params.has(name))
      issues.push({ path: [...at, "params", j, "name"], message: `duplicate parameter "${name}"` });
    else params.set(name, param);
  });
  // Without params, braces in args are text, as they always were: an old config loads unchanged.
  asList(script.args).forEach((arg, j) => {
    if (typeof arg !== "string" || !params.size) return;
    for (const name of placeholders(arg)) {
      const param = params.get(name);
      if (!param)
        issues.push({ path: [...at, "args", j], message: `{${name}} is not one of this script's params` });
      else if (param.secret === true)
        issues.push({
          path: [...at, "args", j],
          message: `{${name}} is secret: it reaches the script as OCTOPUS_PARAM_${name.toUpperCase()}, never in args (ps shows args)`,
        });
    }
  });
  if (typeof script.schedule === "string")
    for (const [name, param] of params)
      if (param.required !== false && param.default === undefined)
        issues.push({
          path: [...at, "params"],
          message: `a scheduled script needs a default for "${name}" (a schedule has nobody to ask)`,
        });
}

/** Approvers are admins, and enough of them remain when one of them is the one asking. */
function approvalIssues(script: Loose, admins: unknown[], at: KeyPath, issues: SemanticIssue[]): void {
  const approval = asObject(script.approval);
  if (!approval) return;
  if (typeof script.schedule === "string")
    issues.push({
      path: [...at, "approval"],
      message: "a scheduled script cannot need approval: remove schedule or approval",
    });
  const adminIds = new Set(admins.filter((id) => typeof id === "number"));
  const from = approval.from ?? "admins";
  let eligible = adminIds.size;
  if (Array.isArray(from)) {
    from.forEach((id, j) => {
      if (typeof id === "number" && !adminIds.has(id))
        issues.push({
          path: [...at, "approval", "from", j],
          message: `${id} is not in telegram.admins: only admins approve`,
        });
    });
    eligible = new Set(from.filter((id) => adminIds.has(id))).size;
  }
  const needed = typeof approval.approvers === "number" ? approval.approvers : 1;
  // An admin asking never approves their own request: one more must be there besides them.
  const asking = script.role === "viewer" ? 0 : 1;
  if (eligible < needed + asking)
    issues.push({
      path: [...at, "approval", "approvers"],
      message: `${needed} approval${needed === 1 ? "" : "s"} needed, but only ${eligible} eligible admin${eligible === 1 ? "" : "s"}${asking ? " (the one asking cannot approve)" : ""}`,
    });
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
