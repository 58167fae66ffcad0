import * as v from "valibot";
import { ChatId } from "./schema-values.ts";

/**
 * `alertmanager:`, the bridge to Prometheus Alertmanager: its webhook on the http listener
 * (`path`, a bearer token from OCTOPUS_ALERTMANAGER_TOKEN), its API for silences (`url`), and
 * which chats a group goes to by its labels (`routes`; no match: telegram.alert_chats).
 */

const LabelName = v.pipe(
  v.string("expected a label name"),
  v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "expected a label name such as severity"),
);

const RouteSchema = v.strictObject({
  match: v.pipe(
    v.record(LabelName, v.pipe(v.string("expected a label value"), v.maxLength(256))),
    v.check((r) => Object.keys(r).length > 0, "expected at least one label, such as { severity: critical }"),
  ),
  chats: v.pipe(v.array(ChatId, "expected a list of chat ids"), v.minLength(1, "expected at least one chat")),
  continue: v.optional(v.boolean("expected true or false"), false),
});

export const AlertmanagerSchema = v.strictObject({
  url: v.optional(
    v.pipe(
      v.string("expected Alertmanager's URL such as http://127.0.0.1:9093"),
      v.regex(
        /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/,
        "expected Alertmanager's URL such as http://127.0.0.1:9093",
      ),
    ),
  ),
  path: v.optional(
    v.pipe(
      v.string("expected a path such as /alertmanager"),
      v.regex(/^\/[A-Za-z0-9._/-]{1,100}$/, "expected a path such as /alertmanager"),
      v.check((p) => p !== "/metrics" && p !== "/healthz", "that path is the listener's own"),
    ),
    "/alertmanager",
  ),
  routes: v.optional(v.array(RouteSchema, "expected a list of routes"), []),
});

export type AlertmanagerConfig = v.InferOutput<typeof AlertmanagerSchema>;
