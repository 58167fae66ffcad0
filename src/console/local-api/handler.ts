import { ApiFailure, BOT_METHODS } from "./bot-methods.ts";
import type { LocalState } from "./state.ts";
import { editMessageMedia, sendDocument, sendPhoto } from "./upload-methods.ts";

/** What a test may make the next call do instead of answering normally. */
export interface Fault {
  /** Answer with this HTTP status and a Telegram error body (429 gets retry_after). */
  status?: number;
  retryAfter?: number;
  /** Wait this long before answering (or before dropping). */
  delayMs?: number;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** Answer with this raw body (and `status`, default 200): a proxy's HTML page, malformed JSON. */
  body?: string;
}

/** Test-only hook: decide a fault per call; undefined means answer normally. */
export type FaultHook = (method: string, params: Record<string, unknown>) => Fault | undefined;

const fail = (code: number, description: string, parameters?: Record<string, unknown>) =>
  Response.json(
    { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
    { status: code },
  );

async function readParams(
  req: Request,
): Promise<{ params: Record<string, unknown>; file?: File; bytes?: Uint8Array }> {
  const type = req.headers.get("content-type") ?? "";
  const url = new URL(req.url);
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  if (req.method !== "POST") return { params };
  if (type.includes("application/json")) {
    const text = await req.text();
    return { params: { ...params, ...(text ? (JSON.parse(text) as Record<string, unknown>) : {}) } };
  }
  if (type.includes("multipart/form-data") || type.includes("application/x-www-form-urlencoded")) {
    const form = await req.formData();
    let file: File | undefined;
    for (const [key, value] of form.entries()) {
      if (typeof value === "string") params[key] = value;
      else file = value as File;
    }
    return file ? { params, file, bytes: new Uint8Array(await file.arrayBuffer()) } : { params };
  }
  return { params };
}

/** The Bot API as a `(Request) => Response` function: Bun.serve is only its thin starter. */
export function createLocalApiHandler(deps: {
  token: string;
  state: LocalState;
  faults(): FaultHook | undefined;
  getUpdates(params: Record<string, unknown>): Promise<unknown>;
}): (req: Request) => Promise<Response> {
  const { state } = deps;
  return async (req) => {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url).pathname);
    if (!match) return fail(404, "Not Found");
    const [, given, method = ""] = match;
    if (given !== deps.token) return fail(401, "Unauthorized");
    let body: Awaited<ReturnType<typeof readParams>>;
    try {
      body = await readParams(req);
    } catch {
      return fail(400, "Bad Request: can't parse request body");
    }
    const chatId = body.params.chat_id === undefined ? undefined : Number(body.params.chat_id);
    const fault = deps.faults()?.(method, body.params);
    if (fault?.delayMs) await Bun.sleep(fault.delayMs);
    if (fault?.drop) {
      // A body that errors mid-stream: the client sees a broken connection, as with a dead proxy.
      return new Response(
        new ReadableStream({
          start(controller) {
            controller.error(new Error("connection dropped by fault injection"));
          },
        }),
        { headers: { "content-type": "application/json" } },
      );
    }
    if (fault?.body !== undefined) {
      return new Response(fault.body, {
        status: fault.status ?? 200,
        headers: { "content-type": fault.body.startsWith("<") ? "text/html" : "application/json" },
      });
    }
    if (fault?.status) {
      state.calls.push({
        method,
        ...(chatId !== undefined ? { chatId } : {}),
        at: Date.now(),
        ok: false,
        code: fault.status,
      });
      return fault.status === 429
        ? fail(429, `Too Many Requests: retry after ${fault.retryAfter ?? 1}`, {
            retry_after: fault.retryAfter ?? 1,
          })
        : fail(fault.status, fault.status >= 500 ? "Internal Server Error" : "Bad Request: injected fault");
    }
    try {
      const result =
        method === "getUpdates"
          ? await deps.getUpdates(body.params)
          : method === "sendDocument"
            ? sendDocument(state, body.params, body.file, body.bytes ?? new Uint8Array())
            : method === "sendPhoto"
              ? sendPhoto(state, body.params, body.file, body.bytes ?? new Uint8Array())
              : method === "editMessageMedia"
                ? editMessageMedia(state, body.params, body.file, body.bytes ?? new Uint8Array())
                : BOT_METHODS[method]?.(state, body.params);
      if (result === undefined) return fail(404, "Not Found: method not found");
      if (method !== "getUpdates") {
        state.calls.push({ method, ...(chatId !== undefined ? { chatId } : {}), at: Date.now(), ok: true });
      }
      return Response.json({ ok: true, result });
    } catch (error) {
      if (error instanceof ApiFailure) {
        state.calls.push({
          method,
          ...(chatId !== undefined ? { chatId } : {}),
          at: Date.now(),
          ok: false,
          code: error.code,
        });
        return fail(error.code, error.description, error.parameters);
      }
      return fail(500, `Internal Server Error: ${(error as Error).message}`);
    }
  };
}
