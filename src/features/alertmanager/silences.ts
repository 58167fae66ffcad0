import * as v from "valibot";
import { errorMessage } from "../../shared/errors.ts";
import { err, ok, type Result } from "../../shared/result.ts";

/**
 * Alertmanager's silences (API v2): create one for a group's labels, expire it, list the
 * active ones. Every failure is a short line for the chat ("Alertmanager is unreachable: …"),
 * never a pretended success.
 */

export interface SilenceRequest {
  labels: Record<string, string>;
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
}

const SilenceSchema = v.looseObject({
  id: v.pipe(v.string(), v.maxLength(64)),
  status: v.looseObject({ state: v.string() }),
  matchers: v.array(
    v.looseObject({
      name: v.string(),
      value: v.string(),
      isRegex: v.optional(v.boolean(), false),
      isEqual: v.optional(v.boolean(), true),
    }),
  ),
  endsAt: v.string(),
  createdBy: v.optional(v.string(), ""),
  comment: v.optional(v.string(), ""),
});
export type Silence = v.InferOutput<typeof SilenceSchema>;

export interface SilencesClient {
  create(s: SilenceRequest): Promise<Result<string, string>>;
  expire(id: string): Promise<Result<void, string>>;
  active(): Promise<Result<Silence[], string>>;
}

const TIMEOUT_MS = 5000;
/** A silence id as Alertmanager makes them (a UUID): nothing else goes into a URL. */
export const SILENCE_ID = /^[0-9a-f-]{8,40}$/;

export function createSilencesClient(baseUrl: string): SilencesClient {
  const base = baseUrl.replace(/\/+$/, "");
  async function call(method: string, path: string, body?: unknown): Promise<Result<unknown, string>> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      return err(`Alertmanager is unreachable: ${errorMessage(error).slice(0, 120)}`);
    }
    const text = await res.text().catch(() => "");
    if (!res.ok)
      return err(`Alertmanager refused it (${res.status}): ${text.trim().slice(0, 160) || res.statusText}`);
    try {
      return ok(text ? JSON.parse(text) : null);
    } catch {
      return err("Alertmanager's answer could not be read");
    }
  }
  return {
    async create(s) {
      const r = await call("POST", "/api/v2/silences", {
        matchers: Object.entries(s.labels).map(([name, value]) => ({
          name,
          value,
          isRegex: false,
          isEqual: true,
        })),
        startsAt: new Date(s.startsAt).toISOString(),
        endsAt: new Date(s.endsAt).toISOString(),
        createdBy: s.createdBy,
        comment: s.comment,
      });
      if (!r.ok) return r;
      const id = v.safeParse(v.looseObject({ silenceID: v.pipe(v.string(), v.regex(SILENCE_ID)) }), r.value);
      return id.success ? ok(id.output.silenceID) : err("Alertmanager's answer could not be read");
    },
    async expire(id) {
      if (!SILENCE_ID.test(id)) return err("not a silence id");
      const r = await call("DELETE", `/api/v2/silence/${id}`);
      return r.ok ? ok(undefined) : r;
    },
    async active() {
      const r = await call("GET", "/api/v2/silences");
      if (!r.ok) return r;
      const list = v.safeParse(v.array(SilenceSchema), r.value);
      if (!list.success) return err("Alertmanager's answer could not be read");
      return ok(list.output.filter((s) => s.status.state === "active"));
    },
  };
}
