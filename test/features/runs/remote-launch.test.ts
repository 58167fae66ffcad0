import { describe, expect, test } from "bun:test";
import { outcomeOfRemote } from "../../../src/features/runs/remote-launch.ts";

describe("how a run on a server ended, as the chat says it", () => {
  const base = { durationMs: 10, truncated: false, leftoversKilled: false, survivors: 0 };
  test.each([
    [
      { ok: true as const, value: { ...base, status: "succeeded" as const } },
      undefined,
      { status: "succeeded", exitCode: 0 },
    ],
    [
      { ok: true as const, value: { ...base, status: "failed" as const, exitCode: 2 } },
      undefined,
      { status: "failed", exitCode: 2, signal: null },
    ],
    [
      { ok: true as const, value: { ...base, status: "timed_out" as const, timeoutMs: 5000 } },
      undefined,
      { status: "timed_out", timeoutMs: 5000 },
    ],
    [
      { ok: true as const, value: { ...base, status: "stopped" as const } },
      "Ada",
      { status: "stopped", by: "Ada" },
    ],
    [
      { ok: true as const, value: { ...base, status: "stopped" as const } },
      undefined,
      { status: "stopped", by: "the server" },
    ],
    [
      { ok: false as const, error: "connection reset" },
      undefined,
      { status: "lost", detail: "connection reset" },
    ],
  ])("%j, stopped by %s", (end, by, outcome) => {
    expect(outcomeOfRemote(end, by)).toEqual(outcome as never);
  });
});
