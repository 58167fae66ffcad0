import * as v from "valibot";
import { err, ok, type Result } from "../../shared/result.ts";

/**
 * Pure: Alertmanager's webhook body (payload version 4, as its docs write it), read with
 * unknown fields tolerated and every field used bounded, so a bad or hostile body is one
 * 400 answer and nothing else.
 */

const Labels = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(256)), v.pipe(v.string(), v.maxLength(4096))),
  v.check((r) => Object.keys(r).length <= 64, "at most 64 labels"),
);

const AlertSchema = v.looseObject({
  status: v.picklist(["firing", "resolved"]),
  labels: Labels,
  annotations: v.optional(Labels, {}),
  startsAt: v.pipe(v.string(), v.maxLength(64)),
  endsAt: v.optional(v.pipe(v.string(), v.maxLength(64)), ""),
  generatorURL: v.optional(v.pipe(v.string(), v.maxLength(2048)), ""),
  fingerprint: v.optional(v.pipe(v.string(), v.maxLength(64))),
});

const PayloadSchema = v.looseObject({
  version: v.literal("4"),
  groupKey: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)),
  truncatedAlerts: v.optional(v.number(), 0),
  status: v.picklist(["firing", "resolved"]),
  receiver: v.pipe(v.string(), v.maxLength(256)),
  groupLabels: Labels,
  commonLabels: v.optional(Labels, {}),
  commonAnnotations: v.optional(Labels, {}),
  externalURL: v.optional(v.pipe(v.string(), v.maxLength(2048)), ""),
  alerts: v.pipe(v.array(AlertSchema), v.maxLength(1000)),
});

export type AmPayload = v.InferOutput<typeof PayloadSchema>;
export type AmAlert = v.InferOutput<typeof AlertSchema>;

/** The body, or why it is refused (a line for the 400 answer and the log). */
export function parsePayload(text: string): Result<AmPayload, string> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err("the body is not JSON");
  }
  const r = v.safeParse(PayloadSchema, json);
  if (r.success) return ok(r.output);
  const issue = r.issues[0];
  const at = issue.path?.map((p) => String(p.key)).join(".") ?? "";
  return err(`not an Alertmanager webhook (version 4): ${at ? `${at}: ` : ""}${issue.message}`);
}

/** An alert's identity within its group: its fingerprint, or its labels. */
export const alertKey = (a: AmAlert) =>
  a.fingerprint ?? JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : 1)));

/**
 * What a group's message shows, as a short string: a repeat of the same notification
 * (Alertmanager's repeat_interval, a retry after a timeout) has the same digest and sends
 * nothing.
 */
export function digestOf(p: AmPayload): string {
  const alerts = p.alerts.map((a) => `${alertKey(a)}=${a.status}`).sort();
  return Bun.hash(JSON.stringify([p.status, alerts, p.truncatedAlerts])).toString(36);
}
