import { describe, expect, test } from "bun:test";
import {
  createChatQueues,
  insert,
  type Job,
  nextJob,
  type Priority,
} from "../../../src/telegram/send/jobs.ts";

let seq = 0;
const job = (priority: Priority, notBefore = 0): Job => ({
  method: "sendMessage",
  params: { text: `#${seq}` },
  chatId: 1,
  priority,
  seq: seq++,
  deadline: Number.POSITIVE_INFINITY,
  maxAttempts: Number.POSITIVE_INFINITY,
  attempts: 0,
  notBefore,
  waiters: [],
  waitingTold: false,
});
const order = (q: readonly Job[]) => q.map((j) => `${j.priority}${j.seq}`);

describe("queue order", () => {
  test("insert keeps priority order, oldest first within a priority", () => {
    seq = 0;
    const q: Job[] = [];
    for (const p of ["bulk", "normal", "alert", "normal", "alert"] as const) insert(q, job(p));
    expect(order(q)).toEqual(["alert2", "alert4", "normal1", "normal3", "bulk0"]);
  });

  test.each([
    ["the first due job", [0, 0], 100, { index: 0, at: 100 }],
    ["a job waiting for its retry is passed over", [500, 0], 100, { index: 1, at: 100 }],
    ["none due: when the earliest is", [500, 300], 100, { index: -1, at: 300 }],
    ["an empty queue", [], 100, { index: -1, at: Number.POSITIVE_INFINITY }],
  ] as const)("nextJob: %s", (_, notBefore, now, expected) => {
    expect(
      nextJob(
        notBefore.map((n) => job("normal", n)),
        now,
      ),
    ).toEqual(expected);
  });
});

describe("createChatQueues", () => {
  test("a migration moves the failed job and everything behind it, and later ids follow it", () => {
    seq = 0;
    const chats = createChatQueues();
    const failed = job("normal");
    insert(chats.of(-5), job("normal"));
    insert(chats.of(-5), job("alert"));
    chats.migrate(-5, -1005, failed);
    expect(order(chats.of(-1005))).toEqual(["alert2", "normal0", "normal1"]);
    expect(chats.current(-5)).toBe(-1005);
    chats.tidy(-5);
    expect(chats.ready().map(([key]) => key)).toEqual([-1005]);
  });

  test("ready chats: highest priority first, busy chats left out; drain empties everything", () => {
    seq = 0;
    const chats = createChatQueues();
    insert(chats.of(1), job("bulk"));
    insert(chats.of(2), job("alert"));
    insert(chats.of(3), job("normal"));
    chats.busy.add(3);
    expect(chats.ready().map(([key]) => key)).toEqual([2, 1]);
    // The best k: the same order, cut at k, and only what `eligible` accepts.
    expect(chats.best(1).map(([key]) => key)).toEqual([2]);
    expect(chats.best(5, (key) => key !== 2).map(([key]) => key)).toEqual([1]);
    expect(chats.queued()).toBe(3);
    expect(chats.drain()).toHaveLength(3);
    expect(chats.queued()).toBe(0);
  });
});
