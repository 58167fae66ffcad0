import { afterEach, describe, expect, test } from "bun:test";
import { type LocalBotApi, startLocalBotApi } from "../../../src/console/local-api/server.ts";
import {
  TelegramInvalidResponseError,
  TelegramNetworkError,
  TelegramSendError,
} from "../../../src/shared/errors.ts";
import { classifyFailure, failureLabel, methodLabel } from "../../../src/telegram/send/api-errors.ts";
import { createTransport, parseAnswer } from "../../../src/telegram/send/transport.ts";

describe("parseAnswer", () => {
  test("ok: true gives the result", () => {
    expect(parseAnswer("getMe", 200, '{"ok":true,"result":{"id":1}}')).toEqual({ id: 1 });
  });

  test("Telegram's error shape is a TelegramSendError with its parameters", () => {
    const body =
      '{"ok":false,"error_code":429,"description":"Too Many Requests","parameters":{"retry_after":3}}';
    expect(() => parseAnswer("sendMessage", 429, body)).toThrow(TelegramSendError);
    try {
      parseAnswer("sendMessage", 429, body);
    } catch (e) {
      expect(e).toMatchObject({ code: 429, parameters: { retry_after: 3 } });
    }
  });

  test.each([
    ["an HTML page", 502, "<html><body>Bad Gateway</body></html>", "not JSON"],
    ["JSON without ok", 500, '{"error":"bad gateway"}', 'no "ok" field'],
    ["ok false without a code", 500, '{"ok":false}', "no error_code"],
    ["ok true without a result", 200, '{"ok":true}', 'no "result"'],
    ["an empty body", 200, "", "not JSON: (empty body)"],
  ])("%s is an invalid response with the HTTP status", (_, status, body, detail) => {
    try {
      parseAnswer("getUpdates", status, body);
      throw new Error("no error");
    } catch (e) {
      expect(e).toBeInstanceOf(TelegramInvalidResponseError);
      expect((e as TelegramInvalidResponseError).httpStatus).toBe(status);
      expect((e as Error).message).toContain(detail);
    }
  });
});

describe("failure classes and metric labels", () => {
  const send = (code: number, description = "x", parameters = {}) =>
    new TelegramSendError("sendMessage", code, description, parameters);
  test.each([
    ["400 chat not found", send(400, "Bad Request: chat not found"), "final", "400"],
    ["400 not modified", send(400, "Bad Request: message is not modified"), "not-modified", "400"],
    ["429", send(429, "Too Many Requests", { retry_after: 2 }), "rate-limited", "429"],
    ["400 migrated", send(400, "migrated", { migrate_to_chat_id: -100 }), "migrated", "400"],
    ["502", send(502, "Bad Gateway"), "retry", "5xx"],
    ["999", send(999, "odd"), "retry", "other"],
    ["418", send(418, "teapot"), "final", "other"],
    ["invalid", new TelegramInvalidResponseError("getUpdates", 502, "not JSON"), "retry", "invalid"],
    ["network", new TelegramNetworkError("getUpdates", "unreachable"), "retry", "network"],
    ["a plain Error", new Error("anything else"), "retry", "network"],
  ])("%s → %s, label %s", (_, error, kind, label) => {
    expect(classifyFailure(error).kind).toBe(kind as never);
    expect(failureLabel(error)).toBe(label);
  });

  test("method labels come from a fixed set", () => {
    expect(methodLabel("sendMessage")).toBe("sendMessage");
    expect(methodLabel("anything/../else")).toBe("other");
  });
});

describe("the transport against the local Bot API", () => {
  let api: LocalBotApi | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  test("a proxy's HTML page is an invalid response, not a NaN code", async () => {
    api = startLocalBotApi();
    api.faults = () => ({ status: 502, body: "<html><h1>502 Bad Gateway</h1></html>" });
    const call = createTransport({ apiRoot: api.url, token: api.token });
    const error = await call("getMe", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramInvalidResponseError);
    expect(failureLabel(error)).toBe("invalid");
    expect((error as Error).message).toBe(
      "getMe: invalid response (HTTP 502): not JSON: <html><h1>502 Bad Gateway</h1></html>",
    );
  });

  test("no answer within the timeout is a network error that names no URL or token", async () => {
    api = startLocalBotApi();
    api.faults = () => ({ delayMs: 1000 });
    const call = createTransport({ apiRoot: api.url, token: api.token, timeoutMs: 100 });
    const error = await call("getMe", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramNetworkError);
    expect((error as Error).message).toBe("getMe: no answer within 0 s");
    expect(String((error as Error).cause)).not.toContain(api.token);
  });

  test("a refused connection is a network error", async () => {
    const call = createTransport({ apiRoot: "http://127.0.0.1:9", token: "1:x" });
    const error = await call("getMe", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TelegramNetworkError);
    expect((error as Error).message).not.toContain("1:x");
  });
});
