import { afterEach, describe, expect, test } from "bun:test";
import type { BotEvent } from "../../../src/console/local-api/state.ts";
import {
  runButton,
  runCancelButton,
  runConfirmButton,
  stopButtonData,
} from "../../../src/features/runs/buttons.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";

const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
one_time_scripts:
  - { name: ok, path: ${SCRIPTS}/exit-with.sh, role: viewer }
  - { name: fail, path: ${SCRIPTS}/exit-with.sh, args: ["4"] }
  - { name: big, path: ${SCRIPTS}/big.sh }
  - { name: danger, path: ${SCRIPTS}/exit-with.sh, confirm: true, description: Drops the cache }
long_running_scripts:
  - { name: ticker, path: ${SCRIPTS}/ticker.sh, env: { N: "100" } }
  - { name: sleepy, path: ${SCRIPTS}/sleeper.sh }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const editOf = (h: Harness, messageId: number, match: (text: string) => boolean, timeoutMs = 10_000) =>
  h.api.waitFor(
    (e: BotEvent) => e.type === "edit" && e.message.messageId === messageId && match(e.message.text),
    timeoutMs,
  );

describe("/run through the local Bot API", () => {
  test("a long-running script: live edits within 2 s, then Stop, then the final status", async () => {
    h = await startHarness(CONFIG, { app: { graceMs: 1000 } });
    h.api.userSays(ADMIN.id, ADMIN, "/run ticker");
    const live = await h.nextMessage(ADMIN.id);
    const shownAt = Date.now();
    expect(live.text).toMatch(/^▶️ ticker · \d+(ms|s) · \d+ lines?/);
    expect(live.keyboard?.[0]?.[0]?.text).toBe("⏹ Stop");
    const firstLine = await editOf(h, live.messageId, (t) => t.includes("tick 1"));
    expect(Date.now() - shownAt).toBeLessThan(2000);
    expect(firstLine.type === "edit" && firstLine.message.entities[0]?.type).toBe("pre");
    await editOf(h, live.messageId, (t) => t.includes("tick 6"));
    h.api.press(ADMIN.id, live.messageId, live.keyboard?.[0]?.[0]?.callback_data as string, ADMIN);
    const final = await editOf(h, live.messageId, (t) => t.startsWith("⏹ ticker · stopped by Ada"));
    expect(final.type === "edit" && final.message.keyboard).toBeUndefined();
    expect(final.type === "edit" && final.message.text).toContain("tick 6");
    expect(h.api.state.events.some((e) => e.type === "answer" && e.text === "Stopping…")).toBe(true);
  });

  test("a quick one-time script: one message, its result, sent at once", async () => {
    h = await startHarness(CONFIG);
    const asked = Date.now();
    h.api.userSays(VIEWER.id, VIEWER, "/run ok");
    const msg = await h.nextMessage(VIEWER.id);
    expect(Date.now() - asked).toBeLessThan(1000);
    expect(msg.text).toStartWith("✅ ok · exit 0");
    expect(msg.text).toContain("args:");
    expect(msg.text).toContain("to stderr");
    await Bun.sleep(1200);
    expect(h.messagesIn(VIEWER.id)).toHaveLength(1);
  });

  test("a one-time script that takes longer: '⏳ running' with Stop first, edited into the result", async () => {
    h = await startHarness(
      CONFIG.replace(
        "long_running_scripts:",
        `  - { name: slow, path: ${SCRIPTS}/ticker.sh, env: { N: "8" } }\nlong_running_scripts:`,
      ),
    );
    h.api.userSays(ADMIN.id, ADMIN, "/run slow");
    const msg = await h.nextMessage(ADMIN.id);
    expect(msg.text).toBe("⏳ slow running (started by Ada)");
    expect(msg.keyboard?.[0]?.[0]?.text).toBe("⏹ Stop");
    await editOf(h, msg.messageId, (t) => t.startsWith("✅ slow · exit 0"));
    expect(h.messagesIn(ADMIN.id)).toHaveLength(1);
  });

  test("a non-zero exit is reported, not treated as an error", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run fail");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("⚠️ fail · exit 4");
    expect(h.lines.some((l) => l.includes("ERROR"))).toBe(false);
  });

  test("10 MB of output: last lines in the message, the full output as a .txt document", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run big");
    const msg = await h.nextMessage(ADMIN.id);
    const doc = await h.nextMessage(ADMIN.id, 20_000);
    expect(doc.document?.fileName).toMatch(/^octopus-run-\d+-big\.txt$/);
    expect(doc.document?.size).toBeGreaterThan(10_000_000);
    expect(doc.replyTo).toBe(msg.messageId);
    const final = h.api.state.messages.get(`${ADMIN.id}:${msg.messageId}`);
    expect(final?.text).toContain("✅ big · exit 0");
    expect(final?.text).toContain("line 200000");
  });

  test("arguments, unknown names and roles are refused with a clear line, and nothing runs", async () => {
    h = await startHarness(CONFIG);
    const replies: string[] = [];
    for (const [user, text] of [
      [ADMIN, "/run ok now"],
      [ADMIN, "/run ok; rm -rf /"],
      [ADMIN, "/run nothing"],
      [VIEWER, "/run fail"],
      [VIEWER, "/stop 1"],
    ] as const) {
      h.api.userSays(user.id, user, text);
      replies.push((await h.nextMessage(user.id)).text);
    }
    expect(replies).toEqual([
      "ok takes no arguments: /run ok runs it as configured. Nothing was run.",
      "ok takes no arguments: /run ok runs it as configured. Nothing was run.",
      "No script named nothing.\nAvailable: ok, fail, big, danger, ticker, sleepy",
      "fail may only be run by admins.",
      "/stop needs the admin role; you are a viewer.",
    ]);
    expect(createRunsRepo(h.db).recent(10)).toEqual([]);
  });

  test("/run alone offers a keyboard of the scripts the role may run", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(VIEWER.id, VIEWER, "/run");
    const msg = await h.nextMessage(VIEWER.id);
    expect(msg.keyboard).toEqual([[{ text: "▶️ ok", callback_data: runButton.pack({ script: "ok" }) }]]);
    h.api.press(VIEWER.id, msg.messageId, runButton.pack({ script: "ok" }), VIEWER);
    expect((await h.nextMessage(VIEWER.id)).text).toStartWith("✅ ok · exit 0");
  });

  test("confirm: true asks first; Cancel runs nothing, Run runs it", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run danger");
    const ask = await h.nextMessage(ADMIN.id);
    expect(ask.text).toBe("Run danger?\nDrops the cache");
    h.api.press(ADMIN.id, ask.messageId, runCancelButton.pack({}), ADMIN);
    await editOf(h, ask.messageId, (t) => t === "Cancelled: nothing was run.");
    expect(createRunsRepo(h.db).recent(10)).toEqual([]);
    h.api.userSays(ADMIN.id, ADMIN, "/run danger");
    const again = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, again.messageId, runConfirmButton.pack({ script: "danger" }), ADMIN);
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("✅ danger");
  });

  test("the same script twice: 'already running since HH:MM (started by NAME)' with a Stop button; /jobs lists it", async () => {
    h = await startHarness(CONFIG, { app: { graceMs: 500 } });
    h.api.userSays(ADMIN.id, ADMIN, "/run sleepy");
    await h.nextMessage(ADMIN.id);
    h.api.userSays(ADMIN.id, ADMIN, "/run sleepy");
    const refusal = await h.nextMessage(ADMIN.id);
    expect(refusal.text).toMatch(/^sleepy is already running since \d\d:\d\d \(started by Ada, /);
    expect(refusal.keyboard?.[0]?.[0]?.callback_data).toSatisfy((d) => stopButtonData.filter(d ?? ""));
    h.api.userSays(ADMIN.id, ADMIN, "/jobs");
    expect((await h.nextMessage(ADMIN.id)).text).toMatch(/^#\d+ sleepy · \S+ · by Ada · 1 lines$/);
  });

  test("/history and /log", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run fail");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("⚠️");
    h.api.userSays(ADMIN.id, ADMIN, "/history");
    const history = await h.nextMessage(ADMIN.id);
    expect(history.text).toMatch(/^#(\d+) ⚠️ fail exit 4 · Ada · \d\d \w{3} \d\d:\d\d · \d+ms$/);
    const id = /^#(\d+)/.exec(history.text)?.[1];
    h.api.userSays(ADMIN.id, ADMIN, `/log ${id}`);
    const doc = await h.nextMessage(ADMIN.id);
    expect(new TextDecoder().decode(doc.document?.content).split("\n").sort()).toEqual([
      "",
      "args: 4",
      "to stderr",
    ]);
    h.api.userSays(ADMIN.id, ADMIN, "/log 9999");
    expect((await h.nextMessage(ADMIN.id)).text).toBe("No run #9999.");
    h.api.userSays(ADMIN.id, ADMIN, "/history x");
    expect((await h.nextMessage(ADMIN.id)).text).toBe("Usage: /history [N] (1 to 100, default 10)");
  });

  test("a viewer sees only runs of scripts it may run: /history, /log and /jobs", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run ok");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("✅");
    h.api.userSays(ADMIN.id, ADMIN, "/run fail");
    expect((await h.nextMessage(ADMIN.id)).text).toStartWith("⚠️");
    h.api.userSays(ADMIN.id, ADMIN, "/run sleepy");
    await h.nextMessage(ADMIN.id);
    h.api.userSays(VIEWER.id, VIEWER, "/history");
    const history = (await h.nextMessage(VIEWER.id)).text;
    expect(history).toMatch(/^#1 ✅ ok · Ada · /);
    expect(history).not.toContain("fail");
    expect(history).not.toContain("sleepy");
    expect(history).toEndWith("\n(2 runs of admin-only scripts not shown)");
    h.api.userSays(VIEWER.id, VIEWER, "/log 2");
    expect((await h.nextMessage(VIEWER.id)).text).toBe("No run #2.");
    h.api.userSays(VIEWER.id, VIEWER, "/log 1");
    expect((await h.nextMessage(VIEWER.id)).document?.fileName).toBe("octopus-run-1-ok.txt");
    h.api.userSays(VIEWER.id, VIEWER, "/jobs");
    expect((await h.nextMessage(VIEWER.id)).text).toBe("No script you may run is running (1 admin-only).");
    h.api.userSays(ADMIN.id, ADMIN, "/jobs");
    expect((await h.nextMessage(ADMIN.id)).text).toMatch(/^#3 sleepy · /);
  });

  test("a restart after a crash: the run becomes interrupted and its chat is told once", async () => {
    const db = openMemoryDb();
    const first = await startHarness(CONFIG, { db });
    first.api.userSays(ADMIN.id, ADMIN, "/run sleepy");
    const live = await first.nextMessage(ADMIN.id);
    // The server saw the message before the bot read the answer: wait until the run row knows it.
    while (!createRunsRepo(db).recent(1)[0]?.messageId) await Bun.sleep(10);
    // A crash: the process vanishes without stopping its runs. Only polling stops here.
    await first.app.receive.stop(5000);
    await first.app.send.stop(5000);
    h = await startHarness(CONFIG, { db, api: first.api, stateDir: first.stateDir });
    const notice = await h.nextMessage(ADMIN.id);
    expect(notice.text).toMatch(
      /^💥 Run #\d+ \(sleepy\) was interrupted: the bot stopped while it ran \(started \d\d:\d\d by Ada\)\.$/,
    );
    expect(notice.replyTo).toBe(live.messageId);
    // The live message no longer says "running" and offers no Stop.
    await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === live.messageId);
    const edited = h.api.state.messages.get(`${ADMIN.id}:${live.messageId}`);
    expect(edited?.text).toBe("💥 sleepy: interrupted");
    expect(edited?.keyboard ?? []).toEqual([]);
    expect(createRunsRepo(db).recent(1)[0]?.status).toBe("interrupted");
    await first.api.stop();
  });
});
