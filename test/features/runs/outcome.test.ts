import { describe, expect, test } from "bun:test";
import { childEnv } from "../../../src/features/runs/child-env.ts";
import { outcomeOf } from "../../../src/features/runs/outcome.ts";

describe("outcomeOf", () => {
  const exit = { exitCode: 0, signal: null, timedOut: false, leftoversKilled: false, survivors: 0 };
  test.each([
    ["exit 0", exit, "succeeded", null],
    ["exit 3", { ...exit, exitCode: 3 }, "failed", null],
    ["killed by a signal", { ...exit, exitCode: null, signal: "SIGSEGV" }, "failed", null],
    [
      "timed out (the kill signal does not matter)",
      { ...exit, exitCode: null, signal: "SIGTERM", timedOut: true },
      "timed_out",
      "timeout",
    ],
    [
      "stopped by a user",
      { ...exit, exitCode: null, signal: "SIGTERM", stoppedBy: "Ada" },
      "stopped",
      "stopped by Ada",
    ],
  ] as const)("%s", (_, e, status, reason) => {
    const r = outcomeOf(e, 60_000);
    expect(r.status).toBe(status);
    expect(r.reason).toBe(reason);
  });
});

describe("childEnv", () => {
  test("drops the bot's secrets by name and by value, keeps the rest, adds the run's", () => {
    const env = childEnv(
      {
        PATH: "/bin",
        TELEGRAM_TOKEN: "1:x",
        TELEGRAM_BOT_TOKEN: "1:y",
        OCTOPUS_SECRET_KEY: "k",
        PLUME_SSO_URL: "u",
        COPY: "s3cret",
        UNDEF: undefined,
      },
      ["s3cret"],
      { OCTOPUS_RUN_ID: "7" },
    );
    expect(env).toEqual({ PATH: "/bin", OCTOPUS_RUN_ID: "7" });
  });
});
