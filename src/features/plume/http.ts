import type * as v from "valibot";
import { safeParse } from "valibot";
import { backoffMs } from "../../shared/backoff.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { PlumeError } from "./errors.ts";
import type { PlumeLimiter } from "./limiter.ts";
import { type ItemList, listIn, readItems, stripSecrets } from "./schemas.ts";

/**
 * One Plume call with our retry rules, on fetch (why not ofetch: docs/ARCHITECTURE.md). Each
 * attempt has its own AbortSignal.timeout, takes a limiter slot and is measured. GETs retry
 * twice on network errors and 5xx with jittered backoff; POSTs never retry; timeouts are
 * not retried either (a slow cloud only gets slower). Expected failures are values.
 */

export interface CallOptions {
  method: "GET" | "POST";
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  limiter: PlumeLimiter;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** Metrics: one attempt's duration in seconds, and its error kind if it failed. */
  onCall?(endpoint: string, seconds: number, error?: string): void;
}

export type RawAnswer = { status: number; text: string };

export async function callOnce(o: CallOptions, endpoint: string): Promise<Result<RawAnswer, PlumeError>> {
  const attempts = o.method === "GET" ? 3 : 1;
  let last: PlumeError = new PlumeError("network", endpoint);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (!(await o.limiter.acquire())) return err(new PlumeError("rate-limited", endpoint, 403));
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const signal = AbortSignal.timeout(o.timeoutMs);
      const res = await fetch(o.url, {
        method: o.method,
        headers: o.headers,
        ...(o.body !== undefined ? { body: o.body } : {}),
        // Never followed: a redirect could send the Authorization header to another host.
        redirect: "manual",
        signal,
      });
      // The body is read under the same timeout: a cloud that stalls mid-answer is a timeout too.
      const answer = { status: res.status, text: await res.text() };
      o.onCall?.(endpoint, seconds(), res.status >= 300 ? `http_${res.status}` : undefined);
      if (res.status >= 300 && res.status < 400) return err(new PlumeError("api", endpoint, res.status));
      if (res.status < 500) return ok(answer);
      last = new PlumeError("api", endpoint, res.status);
    } catch (error) {
      const cause = error;
      const name = (cause as Error)?.name;
      const timedOut = name === "TimeoutError" || name === "AbortError";
      o.onCall?.(endpoint, seconds(), timedOut ? "timeout" : "network");
      if (timedOut) return err(new PlumeError("timeout", endpoint, undefined, { cause }));
      last = new PlumeError("network", endpoint, undefined, { cause });
    }
    if (attempt < attempts) await o.sleep(backoffMs(attempt, { baseMs: 250, maxMs: 2000 }, o.random));
  }
  return err(last);
}

/** Parses a 200 answer: JSON, secrets stripped, then the lenient schema. */
export function parseAnswer<S extends v.GenericSchema>(
  text: string,
  schema: S,
  endpoint: string,
): Result<v.InferOutput<S>, PlumeError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return err(new PlumeError("invalid", endpoint, 200, { cause }));
  }
  const parsed = safeParse(schema, stripSecrets(json));
  return parsed.success ? ok(parsed.output) : err(new PlumeError("invalid", endpoint, 200));
}

/** Parses a 200 answer that holds a list: JSON, secrets stripped, the envelope checked, items one by one. */
export function parseList<S extends v.GenericSchema>(
  text: string,
  key: string,
  item: S,
  endpoint: string,
  single = false,
): Result<ItemList<v.InferOutput<S>>, PlumeError> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    return err(new PlumeError("invalid", endpoint, 200, { cause }));
  }
  const list = listIn(stripSecrets(json), key, single);
  return list ? ok(readItems(list, item)) : err(new PlumeError("invalid", endpoint, 200));
}
