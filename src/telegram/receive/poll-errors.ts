import {
  errorMessage,
  TelegramInvalidResponseError,
  TelegramNetworkError,
  TelegramSendError,
} from "../../shared/errors.ts";

/** Pure: a failed getMe/getUpdates as a metric kind and one sentence for the log and /healthz. */
export function describePollFailure(error: unknown): { kind: string; message: string } {
  if (error instanceof TelegramSendError) {
    if (error.code === 401)
      return { kind: "401", message: "the Bot API rejected the token (401): check TELEGRAM_TOKEN" };
    if (error.code === 409) {
      return {
        kind: "409",
        message: "conflict (409): another instance is polling with this token; only one may run",
      };
    }
    return { kind: String(error.code), message: `Bot API error ${error.code}: ${error.description}` };
  }
  if (error instanceof TelegramInvalidResponseError)
    return { kind: "invalid", message: `invalid response from the Bot API (HTTP ${error.httpStatus})` };
  if (error instanceof TelegramNetworkError)
    return { kind: "network", message: `Bot API unreachable: ${error.detail}` };
  return { kind: "network", message: `Bot API unreachable: ${errorMessage(error)}` };
}
