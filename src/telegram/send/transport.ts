import type { APIMethodParams, APIMethods } from "@gramio/types";
import {
  TelegramInvalidResponseError,
  TelegramNetworkError,
  TelegramSendError,
} from "../../shared/errors.ts";
import type { ApiCall } from "./jobs.ts";
import { multipartBody, type Part } from "./multipart.ts";
import type { DocumentContent } from "./outbox.ts";

/**
 * The HTTP side of the Bot API: one POST per call to `${apiRoot}/bot<token>/<method>`, with
 * a timeout on every call and every answer classified at this edge:
 * - `ok: true` → the result;
 * - Telegram's own error shape (`ok: false`, numeric `error_code`) → TelegramSendError;
 * - anything else (an HTML page from a proxy, JSON without `ok`) → TelegramInvalidResponseError
 *   with the HTTP status, retried like a 5xx and labelled as such in metrics;
 * - no answer (refused, reset, timed out) → TelegramNetworkError.
 * We call fetch ourselves rather than through gramio's client because gramio hides the HTTP
 * status, throws a bare SyntaxError for a non-JSON body and has no per-call timeout.
 */

/**
 * A file to upload: multipart with this name (what the user sees: never a server path), its
 * bytes in memory or a file read while it is sent.
 */
export class Upload {
  constructor(
    readonly content: { bytes: Uint8Array } | { path: string },
    readonly fileName: string,
  ) {}
}

export interface TransportOptions {
  apiRoot: string;
  token: string;
  /** Per call, ms (default 30 s). getUpdates adds its long-poll timeout to this. */
  timeoutMs?: number;
  /** Per upload, ms (default 120 s). */
  uploadTimeoutMs?: number;
}

export interface CallOptions {
  /** Aborts the call (shutdown ends a pending long poll). */
  signal?: AbortSignal;
}

/** The call's parameters as a streamed multipart body (see multipart.ts). */
function uploadBody(params: Record<string, unknown>) {
  const parts: Part[] = [];
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (value instanceof Upload) parts.push({ name, fileName: value.fileName, ...value.content });
    else parts.push({ name, text: typeof value === "string" ? value : JSON.stringify(value) });
  }
  const { body, contentType, length } = multipartBody(parts);
  return { body, headers: { "content-type": contentType, "content-length": String(length) } };
}

/** Reads one Bot API answer; throws the classified error for anything but `ok: true`. */
export function parseAnswer(method: string, httpStatus: number, body: string): unknown {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (cause) {
    throw new TelegramInvalidResponseError(method, httpStatus, `not JSON: ${snippet(body)}`, { cause });
  }
  const answer = data as { ok?: unknown; result?: unknown; error_code?: unknown; description?: unknown };
  if (typeof answer !== "object" || answer === null || typeof answer.ok !== "boolean") {
    throw new TelegramInvalidResponseError(method, httpStatus, `no "ok" field: ${snippet(body)}`);
  }
  if (answer.ok) {
    if (!("result" in answer))
      throw new TelegramInvalidResponseError(method, httpStatus, `no "result": ${snippet(body)}`);
    return answer.result;
  }
  if (typeof answer.error_code !== "number" || !Number.isInteger(answer.error_code)) {
    throw new TelegramInvalidResponseError(method, httpStatus, `no error_code: ${snippet(body)}`);
  }
  const parameters = (data as { parameters?: unknown }).parameters;
  const p = typeof parameters === "object" && parameters !== null ? parameters : {};
  const { retry_after, migrate_to_chat_id } = p as Record<string, unknown>;
  throw new TelegramSendError(
    method,
    answer.error_code,
    typeof answer.description === "string" ? answer.description : "",
    {
      ...(typeof retry_after === "number" ? { retry_after } : {}),
      ...(typeof migrate_to_chat_id === "number" ? { migrate_to_chat_id } : {}),
    },
  );
}

const snippet = (body: string) => {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat || "(empty body)";
};

/**
 * One Bot API call with gramio's parameter types (a misspelt parameter does not compile). The
 * answer is `unknown` on purpose: it came over the network, and its reader validates it.
 */
export type Transport = <M extends keyof APIMethods>(
  method: M,
  params: NonNullable<APIMethodParams<M>> extends never
    ? Record<string, never>
    : NonNullable<APIMethodParams<M>>,
  callOptions?: CallOptions,
) => Promise<unknown>;

/** The Bot API over HTTP: typed for direct callers, and the outbox queue's ApiCall. */
export function createTransport(options: TransportOptions): Transport & ApiCall {
  const base = `${options.apiRoot.replace(/\/+$/, "")}/bot${options.token}/`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
  const call = async (method: string, params: Record<string, unknown>, callOptions: CallOptions = {}) => {
    const upload = Object.values(params).some((v) => v instanceof Upload);
    const pollSeconds = method === "getUpdates" ? Number(params.timeout ?? 0) : 0;
    const limit = (upload ? uploadTimeoutMs : timeoutMs) + pollSeconds * 1000;
    const signals = [AbortSignal.timeout(limit), ...(callOptions.signal ? [callOptions.signal] : [])];
    // Built before the request: a file that cannot be read is its own error, not "unreachable".
    const payload = upload
      ? uploadBody(params)
      : { body: JSON.stringify(params), headers: { "content-type": "application/json" } };
    let response: Response;
    let body: string;
    try {
      response = await fetch(base + method, { method: "POST", signal: AbortSignal.any(signals), ...payload });
      body = await response.text();
    } catch (cause) {
      const timedOut = (cause as { name?: string }).name === "TimeoutError";
      // The message of a fetch error can carry the URL, and the URL carries the token: never use it.
      const detail = timedOut ? `no answer within ${Math.round(limit / 1000)} s` : networkDetail(cause);
      throw new TelegramNetworkError(method, detail, { cause: new Error(detail) });
    }
    return parseAnswer(method, response.status, body);
  };
  // One function behind both views: the typed one is a narrowing of the untyped one.
  return call as Transport & ApiCall;
}

function networkDetail(cause: unknown): string {
  const e = cause as { code?: unknown; name?: unknown };
  if (e?.name === "AbortError") return "aborted";
  if (typeof e?.code === "string" && e.code) return `unreachable (${e.code})`;
  return "unreachable";
}

/** A document for sendDocument: text as UTF-8, bytes as they are, a path read while uploading. */
export function toUpload(content: DocumentContent, fileName: string): Upload {
  if (typeof content === "string") return new Upload({ bytes: new TextEncoder().encode(content) }, fileName);
  if (content instanceof Uint8Array) return new Upload({ bytes: content }, fileName);
  return new Upload({ path: content.path }, fileName);
}
