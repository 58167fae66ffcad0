import { describe, expect, test } from "bun:test";
import { createLimiter } from "../../src/shared/limiter.ts";

/** A job the test ends by hand, recording when it started. */
function gate(log: string[], name: string) {
  const done = Promise.withResolvers<string>();
  const job = () => {
    log.push(`start ${name}`);
    return done.promise;
  };
  return { job, end: () => done.resolve(name) };
}

describe("createLimiter", () => {
  test("at most `running` at once; the rest wait in order; past `waiting` refused at once", async () => {
    const log: string[] = [];
    const pool = createLimiter({ running: 2, waiting: 2, perKey: 9 });
    const jobs = ["a", "b", "c", "d", "e"].map((n) => gate(log, n));
    const admitted = jobs.map((j, i) => pool.run(i, j.job));
    await Bun.sleep(0);
    expect(log).toEqual(["start a", "start b"]);
    expect(admitted.map((a) => ("busy" in a ? a.busy : "ok"))).toEqual(["ok", "ok", "ok", "ok", "all"]);
    expect(admitted[4]).toEqual({ busy: "all", running: 2, waiting: 2 });
    jobs[1]?.end();
    await Bun.sleep(0);
    expect(log).toEqual(["start a", "start b", "start c"]);
    expect(pool.load()).toEqual({ running: 2, waiting: 1 });
    for (const j of jobs) j.end();
    const results = await Promise.all(admitted.flatMap((a) => ("started" in a ? [a.started] : [])));
    expect(log).toEqual(["start a", "start b", "start c", "start d"]);
    expect(results).toEqual(["a", "b", "c", "d"]);
    expect(pool.load()).toEqual({ running: 0, waiting: 0 });
  });

  test("one key holds at most `perKey`, running or waiting; other keys still get in", async () => {
    const log: string[] = [];
    const pool = createLimiter({ running: 1, waiting: 5, perKey: 2 });
    const [a, b, c, d] = ["a", "b", "c", "d"].map((n) => gate(log, n)) as [
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
      ReturnType<typeof gate>,
    ];
    const first = pool.run("chat1", a.job);
    pool.run("chat1", b.job);
    expect(pool.run("chat1", c.job)).toEqual({ busy: "key", running: 1, waiting: 1 });
    const other = pool.run("chat2", d.job);
    expect("started" in other).toBe(true);
    a.end();
    if ("started" in first) await first.started;
    // One of chat1's places is free again.
    const again = pool.run("chat1", async () => "again");
    expect("started" in again).toBe(true);
    b.end();
    d.end();
    if ("started" in again) expect(await again.started).toBe("again");
    expect(log).toEqual(["start a", "start b", "start d"]);
  });

  test("a job that throws frees its place; the error reaches the caller", async () => {
    const pool = createLimiter({ running: 1, waiting: 0, perKey: 1 });
    const failing = pool.run("k", async () => {
      throw new Error("renderer crashed");
    });
    expect(pool.run("k", async () => 1)).toMatchObject({ busy: "key" });
    if (!("started" in failing)) throw new Error("refused");
    await expect(failing.started).rejects.toThrow("renderer crashed");
    const next = pool.run("k", async () => 2);
    if (!("started" in next)) throw new Error("refused after a failure");
    expect(await next.started).toBe(2);
    expect(pool.load()).toEqual({ running: 0, waiting: 0 });
  });
});
