import { describe, expect, test } from "bun:test";
import { createLocalApiHandler, type FaultHook } from "../../../src/console/local-api/handler.ts";
import { createLongPoll } from "../../../src/console/local-api/polling.ts";
import { createLocalState } from "../../../src/console/local-api/state.ts";

/** The local Bot API as a plain function: requests in, Telegram-shaped answers out, no socket. */
function api(faults?: FaultHook) {
  const state = createLocalState();
  const poll = createLongPoll(state);
  const handle = createLocalApiHandler({
    token: "1:t",
    state,
    faults: () => faults,
    getUpdates: poll.getUpdates,
  });
  const call = (method: string, params: Record<string, unknown> = {}, token = "1:t") =>
    handle(
      new Request(`http://x/bot${token}/${method}`, {
        method: "POST",
        body: JSON.stringify(params),
        headers: { "content-type": "application/json" },
      }),
    );
  return { state, poll, call };
}

describe("the local Bot API handler", () => {
  test("getMe answers; a wrong token is 401; an unknown method is 404", async () => {
    const { call } = api();
    expect(await (await call("getMe")).json()).toMatchObject({ ok: true, result: { is_bot: true } });
    expect(await (await call("getMe", {}, "2:x")).json()).toEqual({
      ok: false,
      error_code: 401,
      description: "Unauthorized",
    });
    expect((await call("noSuchMethod")).status).toBe(404);
  });

  test("updates are confirmed by the next offset, as Telegram does", async () => {
    const { poll, call } = api();
    const id = poll.push({
      message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "hi" },
    });
    const first = (await (await call("getUpdates", { offset: 0, timeout: 0 })).json()) as {
      result: unknown[];
    };
    expect(first.result).toHaveLength(1);
    await call("getUpdates", { offset: id + 1, timeout: 0 });
    expect(poll.confirmed()).toBe(id);
  });

  test.each([
    [
      "a 429 with retry_after",
      { status: 429, retryAfter: 7 },
      429,
      { error_code: 429, parameters: { retry_after: 7 } },
    ],
    ["a 502", { status: 502 }, 502, { error_code: 502, description: "Internal Server Error" }],
  ] as const)("an injected fault: %s", async (_, fault, status, body) => {
    const { state, call } = api((method) => (method === "sendMessage" ? fault : undefined));
    const r = await call("sendMessage", { chat_id: 5, text: "x" });
    expect(r.status).toBe(status);
    expect(await r.json()).toMatchObject({ ok: false, ...body });
    expect(state.calls.at(-1)).toMatchObject({ method: "sendMessage", chatId: 5, ok: false, code: status });
  });

  test("a proxy's HTML page is answered as is", async () => {
    const { call } = api(() => ({ status: 502, body: "<html>Bad Gateway</html>" }));
    const r = await call("getMe");
    expect([r.status, r.headers.get("content-type"), await r.text()]).toEqual([
      502,
      "text/html",
      "<html>Bad Gateway</html>",
    ]);
  });
});
