import * as v from "valibot";
import {
  MAX_CHOICES,
  MAX_VALUE_CHARS,
  PARAM_NAME,
  PARAM_TYPES,
  type ParamSpec,
} from "../../shared/param-rules.ts";
import type { RemoteChoiceList, RemoteScript } from "../../shared/remote-runs.ts";
import { runIcon } from "../../shared/run-icons.ts";
import type { FleetFailure } from "./ssh.ts";

/**
 * Pure: a server's `status --json` (what `octopus status --json` prints there, thresholds
 * and levels decided by that server's own config) read leniently, and the lines the chat shows.
 */

const Level = v.optional(v.picklist(["ok", "warn", "crit"]), "ok");
const RemoteSchema = v.looseObject({
  host: v.pipe(v.string(), v.maxLength(253)),
  load: v.looseObject({
    per_core_5m: v.number(),
    level: Level,
    warn: v.optional(v.number()),
    crit: v.optional(v.number()),
  }),
  cpu_percent: v.optional(v.looseObject({ busy: v.number() })),
  memory: v.looseObject({
    used_percent: v.number(),
    level: Level,
    warn: v.optional(v.number()),
    crit: v.optional(v.number()),
  }),
  devices: v.array(
    v.looseObject({
      // As the server's own config allows (a longer one is no octopus's answer).
      name: v.pipe(v.string(), v.maxLength(64)),
      used_percent: v.nullish(v.number()),
      error: v.nullish(v.string()),
      alert_threshold: v.optional(v.number()),
      critical_threshold: v.optional(v.number()),
      level: Level,
    }),
  ),
});
/**
 * Disks read from one server's answer at most: past it a server (a compromised one making up
 * disks, or a bug) costs the hub no more alert series, rows or lines; the rest is counted.
 * An honest server (the same binary) cannot watch more: config's MAX_MONITORED_DEVICES, the
 * same number (a test holds them equal; a feature imports only config's types).
 */
export const MAX_REMOTE_DEVICES = 256;

export type RemoteStatus = v.InferOutput<typeof RemoteSchema> & {
  /** Disks past MAX_REMOTE_DEVICES in the answer: not shown, not watched. */
  omitted: number;
};

export function parseRemoteStatus(text: string): RemoteStatus | undefined {
  try {
    const r = v.safeParse(RemoteSchema, JSON.parse(text));
    if (!r.success) return undefined;
    const omitted = Math.max(0, r.output.devices.length - MAX_REMOTE_DEVICES);
    return { ...r.output, devices: r.output.devices.slice(0, MAX_REMOTE_DEVICES), omitted };
  } catch {
    return undefined;
  }
}

const ICON = { ok: "🟢", warn: "⚠️", crit: "🔴" } as const;
const RANK = { ok: 0, warn: 1, crit: 2 } as const;

export function worstLevel(s: RemoteStatus): keyof typeof ICON {
  const levels = [s.load.level, s.memory.level, ...s.devices.map((d) => d.level)];
  return levels.reduce((a, b) => (RANK[b] > RANK[a] ? b : a), "ok" as keyof typeof ICON);
}

/** One line per server for /servers and `/status @all`. */
export function serverLine(
  name: string,
  r: { ok: true; value: RemoteStatus } | { ok: false; error: FleetFailure },
): string {
  if (!r.ok) {
    const what = {
      "host-key": "host key changed",
      refused: "refused",
      unreachable: "unreachable",
      timeout: "unreachable",
      "too-large": "answer too large",
      local: "not contacted",
    };
    return `${r.error.kind === "host-key" ? "🔴" : "⚪"} ${name} · ${what[r.error.kind]}: ${r.error.detail}`;
  }
  const s = r.value;
  const worst = [...s.devices].sort((a, b) => (b.used_percent ?? 101) - (a.used_percent ?? 101))[0];
  const disk = worst
    ? ` · ${worst.name} ${worst.used_percent === null || worst.used_percent === undefined ? "✖" : `${worst.used_percent}%`}`
    : "";
  return `${ICON[worstLevel(s)]} ${name} · load ${s.load.per_core_5m.toFixed(2)}/core · mem ${Math.round(s.memory.used_percent)}%${disk}`;
}

/** A run as a server's `history --json` lists it. */
const RemoteRunSchema = v.looseObject({
  id: v.number(),
  script: v.string(),
  status: v.string(),
  exitCode: v.nullish(v.number()),
  requestedByName: v.nullish(v.string()),
  startedAt: v.number(),
  endedAt: v.nullish(v.number()),
});
export type RemoteRun = v.InferOutput<typeof RemoteRunSchema>;

export function parseRemoteRuns(text: string): RemoteRun[] | undefined {
  try {
    const r = v.safeParse(v.array(RemoteRunSchema), JSON.parse(text));
    return r.success ? r.output : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A parameter as a server lists it. Bounded like the server's own config; a `choices_from`
 * only as `true` (its list is asked for when the question is, `choices NAME PARAM`).
 */
const RemoteParamSchema = v.looseObject({
  name: v.pipe(v.string(), v.regex(PARAM_NAME)),
  type: v.picklist(PARAM_TYPES),
  required: v.optional(v.boolean(), true),
  secret: v.optional(v.boolean(), false),
  description: v.optional(v.pipe(v.string(), v.maxLength(200))),
  default: v.optional(v.pipe(v.string(), v.maxLength(MAX_VALUE_CHARS))),
  choices: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.maxLength(MAX_CHOICES))),
  choices_from: v.optional(v.boolean()),
  regex: v.optional(v.pipe(v.string(), v.maxLength(200))),
  min: v.optional(v.number()),
  max: v.optional(v.number()),
});

/** A server's `scripts --json`: its catalog as its own config lists it. */
const ScriptsSchema = v.array(
  v.looseObject({
    name: v.string(),
    title: v.optional(v.string()),
    kind: v.picklist(["oneshot", "long"]),
    role: v.picklist(["viewer", "admin"]),
    confirm: v.optional(v.boolean(), false),
    description: v.nullish(v.string()),
    // An older server lists none of these: its scripts take no values and need no approval.
    params: v.optional(v.pipe(v.array(RemoteParamSchema), v.maxLength(32)), []),
    approval: v.optional(v.boolean(), false),
    revision: v.nullish(v.pipe(v.string(), v.maxLength(64))),
  }),
);

/** On the hub a server's `choices_from` is only known to exist: this one is never run. */
export const LISTED_ON_SERVER = Object.freeze({ path: "", args: [], timeout: 0 });

/**
 * A server's parameter as the hub's form asks it. Its regex is not applied here (a server's
 * pattern could take the hub's one thread for ever): it is shown, and the server applies it.
 */
function paramOf(p: v.InferOutput<typeof RemoteParamSchema>): ParamSpec {
  const matching = p.regex ? `must match ${p.regex} (checked on the server)` : undefined;
  return {
    name: p.name,
    type: p.type,
    required: p.required,
    secret: p.secret,
    description: [p.description, matching].filter(Boolean).join(" · ") || undefined,
    default: p.default,
    choices: p.choices,
    choices_from: p.choices_from ? { ...LISTED_ON_SERVER, args: [] } : undefined,
    min: p.min,
    max: p.max,
  };
}

/** The one reader of `scripts --json` (the picker, /run @NAME, /history and /log @NAME). */
export function parseRemoteScripts(text: string): RemoteScript[] | undefined {
  try {
    const parsed = v.safeParse(ScriptsSchema, JSON.parse(text));
    if (!parsed.success) return undefined;
    return parsed.output.map((s) => ({
      name: s.name,
      title: s.title ?? s.name,
      kind: s.kind,
      role: s.role,
      confirm: s.confirm,
      description: s.description ?? null,
      params: s.params.map(paramOf),
      approval: s.approval,
      revision: s.revision ?? null,
    }));
  } catch {
    return undefined;
  }
}

/** The scripts a server's `scripts --json` marks for viewers (none when it cannot be read). */
export function viewerScriptsOf(text: string): Set<string> {
  return new Set((parseRemoteScripts(text) ?? []).filter((s) => s.role === "viewer").map((s) => s.name));
}

/** `/history @web1`: one line per run, as /history shows the hub's. */
export function remoteRunLine(r: RemoteRun, at: (ms: number) => string): string {
  const exit = r.status === "failed" && r.exitCode != null ? ` exit ${r.exitCode}` : "";
  return `#${r.id} ${runIcon(r.status)} ${r.script}${exit} · ${r.requestedByName ?? "?"} · ${at(r.startedAt)}`;
}

/** `/status @web1`: the server's figures, its levels as its own config sets them. */
export function remoteStatusText(name: string, s: RemoteStatus): string {
  const disks = s.devices.map(
    (d) =>
      `${ICON[d.level]} ${d.name} ${d.used_percent === null || d.used_percent === undefined ? `✖ ${d.error ?? "unreadable"}` : `${d.used_percent}%`}`,
  );
  return [
    `🖥 ${name} (${s.host})`,
    `${ICON[s.load.level]} load ${s.load.per_core_5m.toFixed(2)}/core${s.cpu_percent ? ` · CPU ${Math.round(s.cpu_percent.busy)}%` : ""}`,
    `${ICON[s.memory.level]} memory ${Math.round(s.memory.used_percent)}%`,
    ...disks,
    ...(s.omitted ? [`… ${s.omitted} more disks not read (at most ${MAX_REMOTE_DEVICES} a server)`] : []),
  ].join("\n");
}

/** A server's answer to `choices NAME PARAM`: the list, or the line that says why not. */
const ChoicesAnswerSchema = v.union([
  v.looseObject({
    choices: v.pipe(v.array(v.pipe(v.string(), v.maxLength(64))), v.minLength(1), v.maxLength(MAX_CHOICES)),
    truncated: v.optional(v.boolean(), false),
  }),
  v.looseObject({ error: v.pipe(v.string(), v.maxLength(300)) }),
]);

export function parseRemoteChoices(text: string): RemoteChoiceList | { error: string } | undefined {
  try {
    const r = v.safeParse(ChoicesAnswerSchema, JSON.parse(text));
    return r.success ? r.output : undefined;
  } catch {
    return undefined;
  }
}
