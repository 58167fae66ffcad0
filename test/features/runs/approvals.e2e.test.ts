import { afterEach, describe, expect, test } from "bun:test";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import type { BotMessage, LocalUser } from "../../../src/console/local-api/state.ts";
import { approvalButton } from "../../../src/features/runs/buttons.ts";
import { createSecretBox } from "../../../src/storage/crypto.ts";
import { openMemoryDb } from "../../../src/storage/db.ts";
import { createRunRequestsRepo } from "../../../src/storage/run-requests-repo.ts";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";

const BEA: LocalUser = { id: 1003, first_name: "Bea" };
const CY: LocalUser = { id: 1004, first_name: "Cy" };

const CONFIG = `
telegram:
  admins: [${ADMIN.id}, ${BEA.id}, ${CY.id}]
  viewers: [${VIEWER.id}]
one_time_scripts:
  - name: drop_db
    path: ${SCRIPTS}/args.sh
    args: ["{db}"]
    params: [{ name: db, type: choice, choices: [main, "x; rm -rf /"] }]
    approval: { approvers: 2, expires: 5m }
  - name: wipe
    path: ${SCRIPTS}/args.sh
    args: ["wiped"]
    role: viewer
    approval: { approvers: 1, from: [${BEA.id}] }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A clock the test moves: requests expire without waiting 5 minutes. */
const clock = { offset: 0, now: () => Date.now() + clock.offset, timeZone: "UTC" };

const button = (m: BotMessage, text: string) => {
  const b = m.keyboard?.flat().find((x) => x.text === text);
  if (!b?.callback_data) throw new Error(`no button ${text} under: ${m.text}`);
  return b.callback_data;
};

/** A message with this text in this chat, sent at any time (the harness's cursor is one for all chats). */
const sent = (h: Harness, chatId: number, text: string) =>
  h.api.waitFor(
    (e) => e.type === "message" && e.message.chatId === chatId && e.message.text === text,
    5000,
    0,
  );

/** The first bot message in the chat that starts with `start`. */
const sentStarting = async (h: Harness, chatId: number, start: string): Promise<BotMessage> => {
  const e = await h.api.waitFor(
    (x) => x.type === "message" && x.message.chatId === chatId && x.message.text.startsWith(start),
  );
  if (e.type !== "message") throw new Error("unexpected event");
  return e.message;
};

const answered = (h: Harness, text: string) => h.api.waitFor((e) => e.type === "answer" && e.text === text);

const edited = (h: Harness, chatId: number, messageId: number, start: string) =>
  h.api.waitFor(
    (e) =>
      e.type === "edit" &&
      e.message.chatId === chatId &&
      e.message.messageId === messageId &&
      e.message.text.startsWith(start),
  );

async function start(yaml = CONFIG, options: Parameters<typeof startHarness>[1] = {}) {
  clock.offset = 0;
  const harness = await startHarness(yaml, { ...options, app: { clock, ...options.app } });
  for (const u of [BEA, CY]) harness.api.openChat(u.id, u);
  return harness;
}

/** Ada asks for drop_db db=main: her message, and Bea's and Cy's. */
async function ask(h: Harness, values = "db=main") {
  h.api.userSays(ADMIN.id, ADMIN, `/run drop_db ${values}`);
  const summary = await h.nextMessage(ADMIN.id);
  expect(summary.text).toContain("Needs 2 approvals (admins) before it runs.");
  h.api.press(ADMIN.id, summary.messageId, button(summary, "📨 Ask for approval"), ADMIN);
  const own = await h.nextMessage(ADMIN.id);
  const bea = await h.nextMessage(BEA.id);
  const cy = await h.nextMessage(CY.id);
  return { own, bea, cy };
}

describe("approval: the two-person rule", () => {
  test("two other admins approve; exactly the frozen argv runs; refusals on the way; history says who", async () => {
    h = await start();
    const { own, bea, cy } = await ask(h, 'db="x; rm -rf /"');
    expect(own.text).toMatch(
      /^🔐 Approval needed: drop_db\nAsked by Ada · expires \d\d:\d\d\ndb=x; rm -rf \/\nApprovals: 0 of 2$/,
    );
    expect(own.keyboard?.flat().map((b) => b.text)).toEqual(["↩️ Withdraw"]);
    expect(bea.keyboard?.flat().map((b) => b.text)).toEqual(["✅ Approve", "❌ Deny"]);
    // Messages are live objects of the chat: their buttons are read before edits remove them.
    const beaYes = button(bea, "✅ Approve");
    const cyYes = button(cy, "✅ Approve");
    const yes = approvalButton.unpack(beaYes);

    // Ada forges an Approve under her own message; Vic (a viewer) presses one; a forged token.
    h.api.press(ADMIN.id, own.messageId, approvalButton.pack({ ...yes }), ADMIN);
    await answered(h, "You cannot approve your own request.");
    h.api.openChat(VIEWER.id, VIEWER);
    h.api.press(BEA.id, bea.messageId, beaYes, VIEWER);
    await answered(h, "Only admins approve.");
    h.api.press(BEA.id, bea.messageId, approvalButton.pack({ ...yes, t: "forged00" }), BEA);
    await answered(h, "This button has expired.");

    h.api.press(BEA.id, bea.messageId, beaYes, BEA);
    await answered(h, "Approved (1 of 2).");
    await edited(h, ADMIN.id, own.messageId, "🔐 Approval needed: drop_db");
    expect(h.api.state.messages.get(`${ADMIN.id}:${own.messageId}`)?.text).toEndWith(
      "Approvals: 1 of 2 (Bea)",
    );
    h.api.press(BEA.id, bea.messageId, beaYes, BEA);
    await answered(h, "You approved this already.");
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);

    h.api.press(CY.id, cy.messageId, cyYes, CY);
    await answered(h, "Approved: starting.");
    const result = await h.nextMessage(ADMIN.id);
    expect(result.text).toStartWith("✅ drop_db · exit 0");
    // The value, shell characters and all, one argv element, exactly as frozen.
    expect(result.text).toContain("[x; rm -rf /]");
    await edited(h, CY.id, cy.messageId, "✅ drop_db: approved by Bea, Cy. Run #1 started (asked by Ada).");
    // A replayed button after the decision changes nothing.
    h.api.press(CY.id, cy.messageId, cyYes, CY);
    await answered(h, "This request was approved already.");
    const runs = createRunsRepo(h.db).recent(5);
    expect(runs.map((r) => [r.requestedByName, r.approvedBy, r.params])).toEqual([
      ["Ada", "Bea, Cy", "db=x; rm -rf /"],
    ]);
    h.api.userSays(ADMIN.id, ADMIN, "/history");
    expect((await h.nextMessage(ADMIN.id)).text).toContain(
      "drop_db (db=x; rm -rf /) · Ada, approved by Bea, Cy",
    );
    // The frozen launch is erased once decided: nothing of it can run again.
    expect(createRunRequestsRepo(h.db).get(1)?.launch).toBe("");
  });

  test("a denial ends it for everyone, nothing runs", async () => {
    h = await start();
    const { own, bea, cy } = await ask(h);
    const beaYes = button(bea, "✅ Approve");
    h.api.press(CY.id, cy.messageId, button(cy, "❌ Deny"), CY);
    await answered(h, "Denied.");
    const text = "❌ Cy denied Ada's request to run drop_db. Nothing was run.";
    const notice = await sent(h, ADMIN.id, text);
    expect(notice.type === "message" && notice.message.replyTo).toBe(own.messageId);
    await sent(h, BEA.id, text);
    expect(h.api.state.messages.get(`${BEA.id}:${bea.messageId}`)?.text).toBe(
      "❌ drop_db: denied by Cy. Nothing was run.",
    );
    expect(h.api.state.messages.get(`${BEA.id}:${bea.messageId}`)?.keyboard).toBeUndefined();
    h.api.press(BEA.id, bea.messageId, beaYes, BEA);
    await answered(h, "This request was denied already.");
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
  });

  test("expiry: a press after the time is up ends it, with a notice to everyone; nothing runs", async () => {
    h = await start();
    const { bea } = await ask(h);
    clock.offset = 6 * 60_000;
    h.api.press(BEA.id, bea.messageId, button(bea, "✅ Approve"), BEA);
    await answered(h, "This request has expired.");
    await sent(h, ADMIN.id, "⌛ Ada's request to run drop_db expired. Nothing was run.");
    await sent(h, CY.id, "⌛ Ada's request to run drop_db expired. Nothing was run.");
    expect(createRunRequestsRepo(h.db).get(1)?.status).toBe("expired");
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
  });

  test("a restart in the middle: the request and its first approval survive, the last approval runs it", async () => {
    h = await start();
    const { bea, cy } = await ask(h);
    h.api.press(BEA.id, bea.messageId, button(bea, "✅ Approve"), BEA);
    await answered(h, "Approved (1 of 2).");
    await h.restart();
    h.api.press(CY.id, cy.messageId, button(cy, "✅ Approve"), CY);
    await answered(h, "Approved: starting.");
    expect((await h.nextMessage(ADMIN.id)).text).toContain("[main]");
    expect(createRunsRepo(h.db).recent(1)[0]?.approvedBy).toBe("Bea, Cy");
  });

  test("a request that ran out while the bot was down ends when it starts again", async () => {
    h = await start();
    await ask(h);
    clock.offset = 10 * 60_000;
    await h.restart();
    await sent(h, ADMIN.id, "⌛ Ada's request to run drop_db expired. Nothing was run.");
  });

  test("the script changed in the config since it was asked: refused, nothing runs", async () => {
    const api = startLocalBotApi();
    const db = openMemoryDb();
    const secretBox = await createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    h = await start(CONFIG, { api, db, app: { secretBox } });
    const { cy } = await ask(h);
    await h.stop();
    h = await start(CONFIG.replace('args: ["{db}"]', 'args: ["--force", "{db}"]'), {
      api,
      db,
      app: { secretBox },
    });
    h.api.press(CY.id, cy.messageId, button(cy, "✅ Approve"), CY);
    await answered(h, "The script changed since it was asked.");
    await sent(h, ADMIN.id, "⚠️ drop_db changed in the config since Ada asked: nothing was run. Ask again.");
    expect(createRunsRepo(db).recent(5)).toEqual([]);
    await h.stop();
    h = undefined;
    await api.stop();
  });

  test("approved, but the run cannot start (runner.max_parallel): everyone is told, the request is refused", async () => {
    h = await start(
      `${CONFIG}runner: { max_parallel: 1 }\nlong_running_scripts:\n  - { name: sleepy, path: ${SCRIPTS}/sleeper.sh }\n`,
      { app: { graceMs: 200 } },
    );
    h.api.userSays(CY.id, CY, "/run sleepy");
    await h.nextMessage(CY.id);
    h.api.openChat(VIEWER.id, VIEWER);
    h.api.userSays(VIEWER.id, VIEWER, "/run wipe");
    const summary = await h.nextMessage(VIEWER.id);
    h.api.press(VIEWER.id, summary.messageId, button(summary, "📨 Ask for approval"), VIEWER);
    const asked = await sentStarting(h, BEA.id, "🔐 Approval needed: wipe");
    h.api.press(BEA.id, asked.messageId, button(asked, "✅ Approve"), BEA);
    await answered(h, "Approved: starting.");
    await sent(
      h,
      VIEWER.id,
      "⚠️ wipe was approved but could not start: 1 scripts are running already (runner.max_parallel). Try again when one ends: /jobs\nAsk again when it can run.",
    );
    expect(createRunRequestsRepo(h.db).get(1)?.status).toBe("refused");
    expect(
      createRunsRepo(h.db)
        .recent(5)
        .map((r) => r.script),
    ).toEqual(["sleepy"]);
  });

  test("a state that takes no writes (disk full): asking for approval gets a clear answer, nothing is stored or run", async () => {
    h = await start();
    h.api.userSays(ADMIN.id, ADMIN, "/run drop_db db=main");
    const summary = await h.nextMessage(ADMIN.id);
    h.db.run("PRAGMA query_only = ON");
    h.api.press(ADMIN.id, summary.messageId, button(summary, "📨 Ask for approval"), ADMIN);
    const answer = await sentStarting(h, ADMIN.id, "That could not be done");
    expect(answer.text).toContain("cannot write to its state directory");
    h.db.run("PRAGMA query_only = OFF");
    expect(createRunRequestsRepo(h.db).pending()).toEqual([]);
    expect(h.messagesIn(BEA.id)).toEqual([]);
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
  });

  test("an approver who never opened a chat with the bot: the requester is told how many were not reached", async () => {
    clock.offset = 0;
    h = await startHarness(CONFIG, { app: { clock } });
    h.api.openChat(BEA.id, BEA);
    h.api.userSays(ADMIN.id, ADMIN, "/run drop_db db=main");
    const summary = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, summary.messageId, button(summary, "📨 Ask for approval"), ADMIN);
    await sent(h, ADMIN.id, "⚠️ 1 of 2 approvers could not be reached (they have not opened a chat with me).");
    expect(
      createRunRequestsRepo(h.db)
        .pending()
        .map((r) => r.messages.map((m) => m.chatId)),
    ).toEqual([[ADMIN.id, BEA.id]]);
  });

  test("a viewer asks, only the named approver may approve; the requester may withdraw", async () => {
    h = await start();
    h.api.openChat(VIEWER.id, VIEWER);
    h.api.userSays(VIEWER.id, VIEWER, "/run wipe");
    const summary = await h.nextMessage(VIEWER.id);
    h.api.press(VIEWER.id, summary.messageId, button(summary, "📨 Ask for approval"), VIEWER);
    const own = await h.nextMessage(VIEWER.id);
    const bea = await h.nextMessage(BEA.id);
    expect(h.messagesIn(CY.id)).toEqual([]);
    h.api.press(BEA.id, bea.messageId, button(bea, "✅ Approve"), CY);
    await answered(h, "You are not one of this script's approvers.");
    h.api.press(VIEWER.id, own.messageId, button(own, "↩️ Withdraw"), VIEWER);
    await answered(h, "Withdrawn.");
    await sent(h, BEA.id, "↩️ Vic withdrew the request to run wipe.");
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
  });
});
