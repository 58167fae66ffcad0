import { afterEach, describe, expect, test } from "bun:test";
import type { LocalUser } from "../../../src/console/local-api/state.ts";
import { approvalButton } from "../../../src/features/runs/buttons.ts";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { ADMIN, type Harness, VIEWER } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";
import { call, loginAs, startWeb } from "../../support/web.ts";

/**
 * Runbooks from the dashboard: the same rules as in the chat (types, lists made on the
 * server, secrets, approvals), the run presented in the user's chat, its log and history.
 */

const BEA: LocalUser = { id: 1003, first_name: "Bea" };

const SCRIPTS_YAML = `
one_time_scripts:
  - name: restart
    path: ${SCRIPTS}/args.sh
    args: ["--unit={unit}", "--count={count}"]
    params:
      - { name: unit, type: choice, choices_from: { path: ${SCRIPTS}/list-units.sh } }
      - { name: count, type: integer, min: 1, max: 5, default: "1" }
      - { name: token, type: string, secret: true, required: false }
  - name: wipe
    path: ${SCRIPTS}/args.sh
    args: ["wiped"]
    approval: { approvers: 1 }
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

async function started() {
  const w = await startWeb("", SCRIPTS_YAML, {}, [ADMIN.id, BEA.id]);
  h = w.h;
  return w;
}

const error = async (r: Response) => ((await r.json()) as { error: string }).error;

describe("runbooks on the web", () => {
  test("the form's list is made on the server; values are checked there; the run is told in the chat", async () => {
    const { h, origin } = await started();
    const cookie = await loginAs(h, ADMIN, origin);
    const choices = await call(origin, cookie, "/web/api/scripts/restart/choices/unit");
    expect(await choices.json()).toEqual({ choices: ["nginx", "postgres", "redis"] });
    const off = await call(origin, cookie, "/web/api/runs", { script: "restart", values: { unit: "mysql" } });
    expect(off.status).toBe(409);
    expect(await error(off)).toBe("unit must be one of: nginx, postgres, redis");
    const big = await call(origin, cookie, "/web/api/runs", {
      script: "restart",
      values: { unit: "nginx", count: "9" },
    });
    expect(await error(big)).toBe("count must be at most 5");
    const missing = await call(origin, cookie, "/web/api/runs", { script: "restart", values: {} });
    expect(await error(missing)).toBe("unit is required");
    expect(createRunsRepo(h.db).recent(10)).toEqual([]);

    const ok = await call(origin, cookie, "/web/api/runs", {
      script: "restart",
      values: { unit: "postgres", token: "hunter2-secret" },
    });
    const { runId } = (await ok.json()) as { runId: number };
    const end = await call(origin, cookie, `/web/api/runs/${runId}/events`);
    const text = await end.text();
    expect(text).toContain("event: end");
    expect(text).toContain('"status":"succeeded"');
    const log = (await (await call(origin, cookie, `/web/api/runs/${runId}/log`)).json()) as { text: string };
    expect(log.text).toContain("[--unit=postgres]\n[--count=1]");
    expect(log.text).not.toContain("hunter2-secret");
    const row = createRunsRepo(h.db).get(runId);
    expect(row?.params).toBe("unit=postgres, count=1, token=••••");
    expect(row?.requestedByName).toBe("Ada (web)");
    await h.api.waitFor(
      (e) => e.type === "message" && e.message.chatId === ADMIN.id && /restart/.test(e.message.text),
      5000,
    );
    // A viewer sees neither the admin script's run nor its log.
    const vic = await loginAs(h, VIEWER, origin);
    expect((await call(origin, vic, `/web/api/runs/${runId}/log`)).status).toBe(404);
    expect(
      ((await (await call(origin, vic, "/web/api/runs")).json()) as { recent: unknown[] }).recent,
    ).toEqual([]);
  });

  test("a script that needs approval asks in Telegram, and runs only once approved there", async () => {
    const { h, origin } = await started();
    h.api.openChat(BEA.id, BEA);
    const cookie = await loginAs(h, ADMIN, origin);
    const r = await call(origin, cookie, "/web/api/runs", { script: "wipe" });
    expect(await r.json()).toEqual({ kind: "approval" });
    const ask = await h.api.waitFor(
      (e) =>
        e.type === "message" && e.message.chatId === BEA.id && /Approval needed: wipe/.test(e.message.text),
      5000,
    );
    if (ask.type !== "message") throw new Error();
    expect(ask.message.text).toContain("Asked by Ada (web)");
    expect(createRunsRepo(h.db).recent(10)).toEqual([]);
    const approve = ask.message.keyboard?.flat().find((b) => b.text === "✅ Approve")
      ?.callback_data as string;
    expect(approvalButton.filter(approve)).toBe(true);
    h.api.press(BEA.id, ask.message.messageId, approve, BEA);
    await h.api.waitFor(() => createRunsRepo(h.db).recent(1)[0]?.status === "succeeded", 10_000);
    expect(createRunsRepo(h.db).recent(1)[0]?.approvedBy).toBe("Bea");
  });

  test("a viewer's alerts page has no buttons; an admin's has them", async () => {
    const { h, origin } = await started();
    const vic = await loginAs(h, VIEWER, origin);
    const view = (await (await call(origin, vic, "/web/api/alerts")).json()) as {
      text: string;
      buttons: unknown[];
    };
    expect(view.text).toContain("No alert is firing.");
    expect(view.buttons).toEqual([]);
  });
});
