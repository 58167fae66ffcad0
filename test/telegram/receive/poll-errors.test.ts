import { describe, expect, test } from "bun:test";
import {
  TelegramInvalidResponseError,
  TelegramNetworkError,
  TelegramSendError,
} from "../../../src/shared/errors.ts";
import { describePollFailure } from "../../../src/telegram/receive/poll-errors.ts";

describe("describePollFailure", () => {
  test.each([
    [
      "a rejected token",
      new TelegramSendError("getUpdates", 401, "Unauthorized"),
      { kind: "401", message: "the Bot API rejected the token (401): check TELEGRAM_TOKEN" },
    ],
    [
      "a second instance",
      new TelegramSendError("getUpdates", 409, "Conflict: terminated by other getUpdates request"),
      {
        kind: "409",
        message: "conflict (409): another instance is polling with this token; only one may run",
      },
    ],
    [
      "another Bot API error",
      new TelegramSendError("getUpdates", 502, "Bad Gateway"),
      { kind: "502", message: "Bot API error 502: Bad Gateway" },
    ],
    [
      "a proxy's page",
      new TelegramInvalidResponseError("getUpdates", 503, "<html>"),
      { kind: "invalid", message: "invalid response from the Bot API (HTTP 503)" },
    ],
    [
      "no answer",
      new TelegramNetworkError("getUpdates", "unreachable (ECONNREFUSED)"),
      { kind: "network", message: "Bot API unreachable: unreachable (ECONNREFUSED)" },
    ],
    [
      "anything else",
      new Error("socket hang up"),
      { kind: "network", message: "Bot API unreachable: socket hang up" },
    ],
  ] as const)("%s", (_, error, expected) => {
    expect(describePollFailure(error)).toEqual(expected);
  });
});
