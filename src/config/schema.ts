import * as v from "valibot";
import { isAcceptableApiUrl } from "../shared/url.ts";
import { ChatId, CronPattern, Duration, EnvValue, Percent, PlumeId, Regex, UserId } from "./schema-values.ts";

/**
 * The one configuration schema. Types are inferred from it; `strictObject` everywhere so a
 * typo in a key is an error, not a silently ignored setting. Defaults live here too, so
 * the rest of the program reads a fully populated Config.
 */

const ScriptSchema = v.strictObject({
  // Any name (the old bot's configs say "Disk Report"); /run uses its command-safe form.
  name: v.pipe(
    v.string("expected a script name"),
    v.trim(),
    v.minLength(1, "a script name cannot be empty"),
    v.maxLength(64, "a script name has at most 64 characters"),
    v.regex(/^[^\p{Cc}]*$/u, "a script name is one line of text"),
  ),
  path: v.pipe(v.string("expected a path to an executable"), v.minLength(1, "the path is empty")),
  description: v.optional(v.string("expected text")),
  args: v.optional(
    v.array(v.pipe(v.union([v.string(), v.number()], "expected a string"), v.transform(String))),
    [],
  ),
  env: v.optional(v.record(v.string(), EnvValue), {}),
  secret_env: v.optional(v.array(v.string("expected an env variable name")), []),
  cwd: v.optional(v.string("expected a directory path")),
  timeout: v.optional(Duration),
  schedule: v.optional(CronPattern),
  notify: v.optional(
    v.picklist(["failure", "always", "never"], "expected failure, always or never"),
    "failure",
  ),
  role: v.optional(v.picklist(["admin", "viewer"], "expected admin or viewer"), "admin"),
  confirm: v.optional(v.boolean("expected true or false"), false),
  retries: v.optional(
    v.pipe(
      v.number("expected a whole number"),
      v.integer("expected a whole number"),
      v.minValue(0),
      v.maxValue(10),
    ),
    0,
  ),
});

const DeviceSchema = v.pipe(
  v.strictObject({
    name: v.pipe(v.string("expected a device name"), v.minLength(1, "the name is empty"), v.maxLength(64)),
    path: v.pipe(v.string("expected a path"), v.minLength(1, "the path is empty")),
    alert_threshold: v.optional(Percent("percent used"), 80),
    critical_threshold: v.optional(Percent("percent used")),
  }),
  v.transform((d) => ({
    ...d,
    critical_threshold:
      d.critical_threshold ?? Math.max(d.alert_threshold, Math.min(d.alert_threshold + 10, 99)),
  })),
  v.check(
    (d) => d.critical_threshold >= d.alert_threshold,
    "critical_threshold must not be below alert_threshold",
  ),
);

/**
 * A warn/crit pair. A level left out follows the one given (a lone `warn: 98` raises crit to
 * 98 rather than failing against the default 97), so only two levels written wrongly clash.
 */
const LevelPair = (warn: number, crit: number, max: number) => {
  const level = v.optional(v.pipe(v.number("expected a number"), v.minValue(0), v.maxValue(max)));
  return v.pipe(
    v.optional(v.strictObject({ warn: level, crit: level }), {}),
    v.transform((p) => ({
      warn: p.warn ?? Math.min(warn, p.crit ?? warn),
      crit: p.crit ?? Math.max(crit, p.warn ?? crit),
    })),
    v.check((p) => p.crit >= p.warn, "crit must not be below warn"),
  );
};

const TelegramSchema = v.strictObject({
  admins: v.optional(v.array(UserId, "expected a list of user ids"), []),
  viewers: v.optional(v.array(UserId, "expected a list of user ids"), []),
  alert_chats: v.optional(v.array(ChatId, "expected a list of chat ids")),
  /** Text longer than this many messages goes out as a .txt document. */
  max_messages: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20)), 3),
});

const AlertsSchema = v.strictObject({
  check: v.optional(CronPattern, "*/30 * * * * *"),
  for: v.optional(
    v.pipe(v.number("expected a whole number"), v.integer(), v.minValue(1), v.maxValue(100)),
    2,
  ),
  clear_margin: v.optional(v.pipe(v.number("expected a number"), v.minValue(0), v.maxValue(50)), 5),
  repeat: v.optional(v.union([v.literal("off"), Duration], "expected off or a duration such as 1h"), "off"),
  load: LevelPair(1.5, 3.0, 1000),
  memory: LevelPair(90, 97, 100),
  digest: v.optional(CronPattern),
  /** Alert when a disk's forecast says it fills within this (off by default). */
  disk_full_within: v.optional(
    v.union([v.literal("off"), Duration], "expected off or a duration such as 24h"),
    "off",
  ),
});

/** A server of the fleet (this Octopus is its hub): reached over OpenSSH. */
const ServerSchema = v.strictObject({
  name: v.pipe(
    v.string("expected a name"),
    v.regex(/^[a-z0-9_-]{1,32}$/i, "names are 1-32 of a-z, 0-9, _ and -"),
  ),
  ssh: v.pipe(
    v.string("expected user@host or user@host:port"),
    v.regex(/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(:\d{1,5})?$/, "expected user@host or user@host:port"),
  ),
  /** The key (default: the hub's own, `octopus fleet key`). */
  identity_file: v.optional(v.string("expected a file path")),
  /** Per call (default 10 s): an unreachable server is reported, never waited on long. */
  timeout: v.optional(Duration, "10s"),
  /** The binary on that server, for the forced command `octopus fleet authorize NAME` prints. */
  octopus: v.optional(
    v.pipe(
      v.string("expected an absolute path"),
      v.regex(/^\/[^\s"]+$/, "expected an absolute path without spaces or quotes"),
    ),
    "/usr/local/bin/octopus",
  ),
});

/** Metric history: how long each tier keeps its points, and the forecast's shortest span. */
const HistorySchema = v.strictObject({
  enabled: v.optional(v.boolean("expected true or false"), true),
  keep_raw: v.optional(Duration, "2d"),
  keep_minutes: v.optional(Duration, "7d"),
  keep_quarters: v.optional(Duration, "90d"),
  keep_hours: v.optional(Duration, "730d"),
  forecast_min_span: v.optional(Duration, "2h"),
});

const PlumeLocationSchema = v.strictObject({
  name: v.pipe(
    v.string("expected a name"),
    v.regex(/^[a-z0-9_-]{1,32}$/i, "names are 1-32 of a-z, 0-9, _ and -"),
  ),
  customer_id: PlumeId,
  location_id: PlumeId,
  watch: v.optional(v.boolean("expected true or false"), false),
});

const HttpsUrl = v.pipe(
  v.string("expected a URL"),
  v.check(isAcceptableApiUrl, "expected an https:// URL (plain http only for loopback addresses)"),
);

const AllowedHost = v.pipe(
  v.string("expected a host name such as api.example.com, *.example.com or 127.0.0.1:8443"),
  v.regex(
    /^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/,
    "expected a host name such as api.example.com, *.example.com or 127.0.0.1:8443",
  ),
);

const PlumeSchema = v.strictObject({
  api_base: v.optional(HttpsUrl),
  /** Hosts a chat user may give /auth besides Plume's own (SSO: *.sso.plume.com; API: *.plumenet.io, *.plume.com). */
  allowed_hosts: v.optional(v.array(AllowedHost, "expected a list of host names"), []),
  /** Plain http to allowed hosts (a local test cloud); never needed against Plume. */
  allow_http: v.optional(v.boolean("expected true or false"), false),
  timeout: v.optional(Duration, "10s"),
  cache_ttl: v.optional(Duration, "60s"),
  watch_check: v.optional(CronPattern, "*/5 * * * *"),
  locations: v.optional(v.array(PlumeLocationSchema), []),
});

/** `host:port` or `[v6]:port`: the http listener's address (also read by the cross-key rules). */
export const LISTEN_ADDRESS = /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/i;

const ListenAddress = v.pipe(
  v.string("expected host:port such as 127.0.0.1:9464"),
  v.regex(LISTEN_ADDRESS, "expected host:port such as 127.0.0.1:9464"),
  v.check((s) => {
    const port = Number(s.slice(s.lastIndexOf(":") + 1));
    return port > 0 && port < 65536;
  }, "the port must be from 1 to 65535"),
);

const HttpSchema = v.strictObject({
  listen: v.optional(ListenAddress),
  allow_remote: v.optional(v.boolean("expected true or false"), false),
});

const LogSchema = v.strictObject({
  level: v.optional(
    v.picklist(["debug", "info", "warn", "error"], "expected debug, info, warn or error"),
    "info",
  ),
  file: v.optional(v.string("expected a file path")),
});

const StorageSchema = v.strictObject({ dir: v.optional(v.string("expected a directory path")) });

const RunnerSchema = v.strictObject({
  max_parallel: v.optional(
    v.pipe(v.number("expected a whole number"), v.integer(), v.minValue(1), v.maxValue(64)),
    4,
  ),
  max_log_bytes: v.optional(
    v.pipe(v.number("expected a number of bytes"), v.integer(), v.minValue(1024)),
    50_000_000,
  ),
  keep_runs: v.optional(v.pipe(v.number("expected a whole number"), v.integer(), v.minValue(1)), 200),
  /** How long run history rows are kept (ms); their logs go earlier, by keep_runs. */
  keep_history: v.optional(Duration, "90d"),
});

/** A YAML key left empty (`telegram:`) means "defaults", like an absent one. */
const list = <S extends v.GenericSchema>(item: S) => v.nullish(v.array(item, "expected a list"), []);

export const ConfigSchema = v.strictObject({
  long_running_scripts: list(ScriptSchema),
  one_time_scripts: list(ScriptSchema),
  monitored_devices: list(DeviceSchema),
  telegram: v.nullish(TelegramSchema, {}),
  alerts: v.nullish(AlertsSchema, {}),
  plume: v.nullish(PlumeSchema, {}),
  http: v.nullish(HttpSchema, {}),
  log: v.nullish(LogSchema, {}),
  storage: v.nullish(StorageSchema, {}),
  runner: v.nullish(RunnerSchema, {}),
  history: v.nullish(HistorySchema, {}),
  servers: list(ServerSchema),
  redact: v.nullish(v.array(Regex, "expected a list of regular expressions"), []),
});

export type RawConfig = v.InferOutput<typeof ConfigSchema>;
export type ScriptConfig = v.InferOutput<typeof ScriptSchema>;
export type DeviceConfig = v.InferOutput<typeof DeviceSchema>;
export type PlumeLocationConfig = v.InferOutput<typeof PlumeLocationSchema>;
export type ServerConfig = v.InferOutput<typeof ServerSchema>;
