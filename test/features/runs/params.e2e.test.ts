import { afterEach, describe, expect, test } from "bun:test";
import type { BotMessage } from "../../../src/console/local-api/state.ts";
import { formGoButton, formPickButton } from "../../../src/features/runs/buttons.ts";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";

const CONFIG = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
one_time_scripts:
  - name: restart
    path: ${SCRIPTS}/args.sh
    role: viewer
    args: ["--unit={service}", "{count}", "{note}", "literal {X}"]
    params:
      - { name: service, type: choice, choices: [nginx, postgres], description: The unit }
      - { name: count, type: integer, min: 1, max: 5, default: 2 }
      - { name: note, type: string, required: false, regex: "[a-z ;|$()-]+" }
      - { name: token, type: string, secret: true, required: false }
  - name: units
    path: ${SCRIPTS}/args.sh
    args: ["{unit}", "{when}", "{force}"]
    params:
      - { name: unit, type: choice, choices_from: { path: ${SCRIPTS}/list-units.sh } }
      - { name: when, type: date, default: "2026-12-31" }
      - { name: force, type: boolean, default: false }
  - { name: plain, path: ${SCRIPTS}/exit-with.sh }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const button = (m: BotMessage, text: string) => {
  const b = m.keyboard?.flat().find((x) => x.text === text);
  if (!b?.callback_data) throw new Error(`no button ${text} under: ${m.text}`);
  return b.callback_data;
};

async function say(h: Harness, user: typeof ADMIN, text: string): Promise<BotMessage> {
  h.api.userSays(user.id, user, text);
  return h.nextMessage(user.id);
}

async function press(h: Harness, user: typeof ADMIN, m: BotMessage, text: string): Promise<BotMessage> {
  h.api.press(user.id, m.messageId, button(m, text), user);
  return h.nextMessage(user.id);
}

const answers = (h: Harness) =>
  h.api.state.events.flatMap((e) => (e.type === "answer" && e.text ? [e.text] : []));

describe("/run with params through the local Bot API", () => {
  test("asked in turn: buttons for a choice, a reply for a number, a bad value refused with its rule and asked again", async () => {
    h = await startHarness(CONFIG);
    const q1 = await say(h, VIEWER, "/run restart");
    expect(q1.text).toBe(
      "restart · 1 of 4\nservice: The unit (one of the choices)\nPick one, or type it. /cancel ends this.",
    );
    expect(q1.keyboard?.flat().map((b) => b.text)).toEqual(["nginx", "postgres"]);
    const q2 = await press(h, VIEWER, q1, "postgres");
    expect(h.api.state.messages.get(`${VIEWER.id}:${q1.messageId}`)?.text).toBe(
      "restart · service: postgres",
    );
    expect(q2.text).toStartWith("restart · 2 of 4\ncount (a whole number 1–5)");
    expect(q2.keyboard?.flat().map((b) => b.text)).toEqual(["Default: 2"]);
    const again = await say(h, VIEWER, "9");
    expect(again.text).toStartWith("✖️ count must be at most 5.\nrestart · 2 of 4");
    // The first question's button is stale now: pressing it changes nothing.
    h.api.press(VIEWER.id, q2.messageId, button(q2, "Default: 2"), VIEWER);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "That question was answered already.");
    const q3 = await say(h, VIEWER, "3");
    expect(q3.text).toStartWith("restart · 3 of 4\nnote (text, matching [a-z ;|$()-]+)");
    expect(q3.keyboard?.flat().map((b) => b.text)).toEqual(["Skip"]);
    expect((await say(h, VIEWER, "UPPER")).text).toStartWith(
      "✖️ note must match [a-z ;|$()-]+.\nrestart · 3 of 4",
    );
    const q4 = await say(h, VIEWER, "a; rm -rf $(x) | y");
    expect(q4.text).toContain("token (text, secret)");
    const summary = await press(h, VIEWER, q4, "Skip");
    expect(summary.text).toBe(
      "Run restart?\n\nservice: postgres\ncount: 3\nnote: a; rm -rf $(x) | y\ntoken: (not set)",
    );
    const result = await press(h, VIEWER, summary, "▶️ Run");
    expect(result.text).toStartWith("✅ restart · exit 0");
    // Each value one argv element, shell characters and all; the unset one's element left out.
    expect(result.text).toContain("[--unit=postgres]\n[3]\n[a; rm -rf $(x) | y]\n[literal {X}]");
    expect(result.text).toContain("OCTOPUS_PARAM_COUNT=3");
    expect(result.text).toContain("OCTOPUS_PARAM_SERVICE=postgres");
    const [row] = createRunsRepo(h.db).recent(1);
    expect(row?.params).toBe("service=postgres, count=3, note=a; rm -rf $(x) | y");
    expect((await say(h, VIEWER, "/history")).text).toContain(
      "restart (service=postgres, count=3, note=a; rm -rf $(x) | y) · Vic",
    );
  });

  test("typed: /run NAME key=value uses defaults, asks only what is missing or wrong, then the summary", async () => {
    h = await startHarness(CONFIG);
    const summary = await say(h, ADMIN, '/run restart service=nginx note="two words"');
    expect(summary.text).toBe("Run restart?\n\nservice: nginx\ncount: 2\nnote: two words\ntoken: (not set)");
    h.api.press(ADMIN.id, summary.messageId, button(summary, "✖️ Cancel"), ADMIN);
    await h.api.waitFor(
      (e) =>
        e.type === "edit" &&
        e.message.messageId === summary.messageId &&
        e.message.text === "Cancelled: nothing was run.",
    );

    expect((await say(h, ADMIN, "/run restart service=apache count=0 colour=red")).text).toBe(
      [
        "✖️ service must be one of: nginx, postgres",
        "✖️ count must be at least 1",
        '✖️ restart has no parameter "colour" (it has: service, count, note, token)',
      ].join("\n"),
    );
    const q = await h.nextMessage(ADMIN.id);
    expect(q.text).toStartWith("restart · 1 of 4\nservice");
    const next = await say(h, ADMIN, "NGINX");
    // The wrong count is asked again, never replaced by its default.
    expect(next.text).toStartWith("restart · 2 of 4\ncount");
    expect((await say(h, ADMIN, "/run restart service")).text).toStartWith(
      '"service" is not name=value. Usage: /run restart service=… count=… note=… token=…',
    );
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
  });

  test("a secret: its message deleted, masked in the summary and history, redacted from the output", async () => {
    h = await startHarness(CONFIG);
    h.api.userSays(ADMIN.id, ADMIN, "/run restart service=nginx token=hunter2secret");
    const note = await h.nextMessage(ADMIN.id);
    expect(note.text).toBe("🗑 I deleted your message: it held a secret.");
    const summary = await h.nextMessage(ADMIN.id);
    expect(summary.text).toContain("token: ••••");
    expect(summary.text).not.toContain("hunter2secret");
    const result = await press(h, ADMIN, summary, "▶️ Run");
    expect(result.text).not.toContain("hunter2secret");
    expect(result.text).toContain("OCTOPUS_PARAM_TOKEN=");
    expect(createRunsRepo(h.db).recent(1)[0]?.params).toBe("service=nginx, count=2, token=••••");
    expect(h.lines.join("\n")).not.toContain("hunter2secret");
    // The one message Ada sent (it held the secret) is gone from the chat.
    expect(h.api.state.userMessages.size).toBe(0);
  });

  test("choices from a command, a date and a yes/no as buttons; /cancel ends the form", async () => {
    h = await startHarness(CONFIG);
    const q1 = await say(h, ADMIN, "/run units");
    expect(q1.keyboard?.flat().map((b) => b.text)).toEqual(["nginx", "postgres", "redis"]);
    expect((await say(h, ADMIN, "mysql")).text).toStartWith(
      "✖️ unit must be one of: nginx, postgres, redis.\nunits · 1 of 3",
    );
    const q2 = await say(h, ADMIN, "redis");
    expect(q2.text).toContain("when (a date, YYYY-MM-DD)");
    expect((await say(h, ADMIN, "2026-02-30")).text).toStartWith(
      "✖️ when is not a day of the calendar.\nunits · 2 of 3",
    );
    const q3 = await say(h, ADMIN, "2027-01-15");
    expect(q3.keyboard?.flat().map((b) => b.text)).toEqual(["yes", "no", "Default: false"]);
    expect((await say(h, ADMIN, "/cancel")).text).toBe("Cancelled /run units: nothing was run.");
    h.api.press(ADMIN.id, q3.messageId, button(q3, "yes"), ADMIN);
    await h.api.waitFor(
      (e) => e.type === "answer" && e.text === "This form has expired: start again with /run.",
    );
    expect((await say(h, ADMIN, "/cancel")).text).toBe("Nothing to cancel.");
  });

  test("a question with nothing to press opens the reply field (ForceReply)", async () => {
    h = await startHarness(
      CONFIG.replace("default: 2 }", "}").replace(
        "{ name: note, type: string, required: false,",
        "{ name: note, type: string,",
      ),
    );
    const q1 = await say(h, ADMIN, "/run restart");
    const q2 = await press(h, ADMIN, q1, "nginx");
    expect(q2.keyboard).toBeUndefined();
    expect(q2.forceReply).toBe("count");
    expect(q2.text).toContain("Reply with the value.");
  });

  test("forged and foreign form buttons are refused; a script without params still refuses words", async () => {
    h = await startHarness(CONFIG);
    const q1 = await say(h, ADMIN, "/run restart");
    const data = button(q1, "nginx");
    const unpacked = formPickButton.unpack(data);
    // Someone else pressing Ada's question (a group), a made-up form id, an index off the list.
    h.api.openChat(ADMIN.id, VIEWER);
    h.api.press(ADMIN.id, q1.messageId, data, VIEWER);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "This form is someone else's.");
    h.api.press(ADMIN.id, q1.messageId, formPickButton.pack({ ...unpacked, f: "AAAAAAAA" }), ADMIN);
    await h.api.waitFor(
      (e) => e.type === "answer" && e.text === "This form has expired: start again with /run.",
    );
    h.api.press(ADMIN.id, q1.messageId, formPickButton.pack({ ...unpacked, i: 7 }), ADMIN);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "That button is not one of the choices.");
    h.api.press(ADMIN.id, q1.messageId, formGoButton.pack({ f: unpacked.f, a: "run" }), ADMIN);
    await h.api.waitFor((e) => e.type === "answer" && e.text === "Answer the question first (or /cancel).");
    expect((await say(h, ADMIN, "/run plain now")).text).toBe(
      "plain takes no arguments: /run plain runs it as configured. Nothing was run.",
    );
    expect(createRunsRepo(h.db).recent(5)).toEqual([]);
    expect(answers(h)).not.toContain("Starting restart");
  });
});
