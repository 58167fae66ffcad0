import { describe, expect, test } from "bun:test";
import { createHttpHandler } from "../../src/http/server.ts";
import { silentLogger } from "../../src/shared/log.ts";
import type { StorageFailure } from "../../src/storage/health.ts";
import type { PollHealth } from "../../src/telegram/receive/poller.ts";

/** The handler is a plain function: these run without a socket. */
const handler = (poll: PollHealth, failing: StorageFailure[] = [], metrics = () => "m 1\n") =>
  createHttpHandler({
    metrics,
    poll: () => poll,
    storage: () => failing,
    now: () => 100_000,
    log: silentLogger,
  });
// These paths answer at once (only a feature's route is async).
const get = (h: ReturnType<typeof handler>, path: string) => h(new Request(`http://x${path}`)) as Response;
const polling: PollHealth = { ok: true, reason: "polling", lastAnswerAgoMs: 1400 };

describe("the HTTP handler", () => {
  test("/metrics is Prometheus text", async () => {
    const r = get(handler(polling), "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(await r.text()).toBe("m 1\n");
  });

  test.each([
    [
      "polling",
      polling,
      [],
      200,
      { ok: true, polling: "polling", last_poll_seconds_ago: 1, storage: { ok: true } },
    ],
    [
      "polling failing: 503",
      { ok: false, reason: "getUpdates failing for 95 s: unreachable", lastAnswerAgoMs: undefined },
      [],
      503,
      {
        ok: false,
        polling: "getUpdates failing for 95 s: unreachable",
        last_poll_seconds_ago: null,
        storage: { ok: true },
      },
    ],
    [
      "a failing disk is named but is not an outage",
      polling,
      [{ area: "inbox", since: 40_000, error: "ENOSPC" }],
      200,
      {
        ok: true,
        polling: "polling",
        last_poll_seconds_ago: 1,
        storage: { ok: false, failing: [{ area: "inbox", since_seconds: 60, error: "ENOSPC" }] },
      },
    ],
  ] as const)("/healthz: %s", async (_, poll, failing, status, body) => {
    const r = get(handler(poll as PollHealth, [...failing] as StorageFailure[]), "/healthz");
    expect(r.status).toBe(status);
    expect(await r.json()).toEqual(body);
  });

  test("anything else is 404; a throwing source is a 500, not a crash", async () => {
    expect(get(handler(polling), "/").status).toBe(404);
    const broken = handler(polling, [], () => {
      throw new Error("boom");
    });
    const r = get(broken, "/metrics");
    expect(r.status).toBe(500);
    expect(await r.text()).toBe("internal error\n");
  });
});
