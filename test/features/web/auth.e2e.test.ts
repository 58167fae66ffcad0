import { afterEach, describe, expect, test } from "bun:test";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { checkMuteButton } from "../../../src/features/alerts/buttons.ts";
import { signInitData } from "../../../src/features/web/init-data.ts";
import { hashSecret, newSecret } from "../../../src/features/web/secrets.ts";
import { createRunsRepo } from "../../../src/storage/runs-repo.ts";
import { createWebRepo } from "../../../src/storage/web-repo.ts";
import { ADMIN, type Harness, STRANGER, startHarness, VIEWER } from "../../support/harness.ts";
import { SCRIPTS } from "../../support/runner-kit.ts";
import { call, linkFor, loginAs, redeem, startWeb, webConfig } from "../../support/web.ts";

/**
 * The dashboard's doors over real HTTP, each refusal as a browser or another site would meet
 * it: a clear page (or JSON to the page's own fetch), a log line, and nothing run.
 */

const SCRIPTS_YAML = `
one_time_scripts:
  - name: hello
    path: ${SCRIPTS}/args.sh
    args: ["hi"]
  - name: peek
    path: ${SCRIPTS}/args.sh
    args: ["viewer"]
    role: viewer
`;

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const page = { accept: "text/html" };
const runsCount = (x: Harness) => createRunsRepo(x.db).recent(100).length;
const refusedLogged = (x: Harness, refusal: string) =>
  x.lines.some((l) => l.includes("web request refused") && l.includes(refusal));

async function started(extra = "") {
  const w = await startWeb(extra, SCRIPTS_YAML);
  h = w.h;
  return w;
}

describe("login links", () => {
  test("a link logs in once; the chat is told when, from where and with what browser; its page spends nothing", async () => {
    const { h, origin } = await started();
    const link = await linkFor(h, ADMIN);
    // What a link preview or a prefetch does: a GET shows the button and spends nothing.
    const preview = await fetch(link, { headers: page });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain("Log in as Ada");
    const first = await redeem(link, origin);
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("/web/");
    const cookie = first.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(
      /^__Host-octopus=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const notice = await h.api.waitFor(
      (e) =>
        e.type === "message" && e.message.chatId === ADMIN.id && /Web dashboard login/.test(e.message.text),
      5000,
    );
    if (notice.type !== "message") throw new Error();
    expect(notice.message.text).toMatch(/Ada at .* from 127\.0\.0\.1, Chrome 131 on Linux/);
    expect(notice.message.text).toContain("/web logout");
    // Only the link's hash is stored, never the link.
    const token = new URL(link).searchParams.get("t") as string;
    const stored = JSON.stringify(h.db.query("SELECT * FROM web_links").all());
    expect(stored).not.toContain(token);
    expect(stored).toContain(hashSecret(token));

    const again = await redeem(link, origin, page);
    expect(again.status).toBe(403);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain("This link was already used");
    expect(refusedLogged(h, "link-used")).toBe(true);
    const reopened = await fetch(link, { headers: page });
    expect(reopened.status).toBe(403);
  });

  test("an expired link and a forged one are refused with a page saying so", async () => {
    const { h, origin } = await started();
    const secret = newSecret();
    const now = Date.now();
    createWebRepo(h.db).addLink(hashSecret(secret), ADMIN.id, "Ada", now - 120_000, now - 60_000);
    const expired = await redeem(`${origin}/web/login?t=${secret}`, origin, page);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain("This link has expired");
    expect(refusedLogged(h, "link-expired")).toBe(true);

    const forged = await redeem(`${origin}/web/login?t=${newSecret()}`, origin, page);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain("This link is not valid");
    const garbage = await fetch(`${origin}/web/login?t=%3Cscript%3E`, { headers: page });
    expect(garbage.status).toBe(403);
    expect(await garbage.text()).not.toContain("<script>");
    expect(refusedLogged(h, "link-unknown")).toBe(true);
    expect(h.db.query("SELECT count(*) AS n FROM web_sessions").get()).toEqual({ n: 0 });
  });

  test("the login form posted from another site is refused, and the link stays unused", async () => {
    const { h, origin } = await started();
    const link = await linkFor(h, ADMIN);
    const cross = await redeem(link, origin, { origin: "https://evil.example", ...page });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain("not sent from the dashboard");
    expect(refusedLogged(h, "csrf")).toBe(true);
    expect((await redeem(link, origin)).status).toBe(303);
  });

  test("a state disk that takes no writes: no link and no session, each said plainly", async () => {
    const { h, origin } = await started();
    const link = await linkFor(h, ADMIN);
    h.db.exec("PRAGMA query_only = ON");
    try {
      const r = await redeem(link, origin, page);
      expect(r.status).toBe(400);
      expect(r.headers.get("set-cookie")).toBeNull();
      expect(await r.text()).toContain("cannot store a session now");
      h.api.userSays(ADMIN.id, ADMIN, "/web");
      await h.api.waitFor(
        (e) =>
          e.type === "message" &&
          e.message.chatId === ADMIN.id &&
          /^No link: the state disk/.test(e.message.text),
        10_000,
      );
    } finally {
      h.db.exec("PRAGMA query_only = OFF");
    }
    // Writable again: the same link still works once (nothing was half-used).
    expect((await redeem(link, origin)).status).toBe(303);
  });

  test("/web in a group says to ask in private; a stranger gets no link", async () => {
    const { h } = await started();
    const group = { id: -500, type: "group" as const, title: "ops" };
    h.api.openChat(group, ADMIN);
    h.api.userSays(group, ADMIN, "/web");
    expect((await h.nextMessage(-500)).text).toContain("send /web to me in a private chat");
    h.api.openChat(STRANGER.id, STRANGER);
    h.api.userSays(STRANGER.id, STRANGER, "/web");
    const answer = await h.nextMessage(STRANGER.id);
    expect(answer.text).not.toContain("/web/login");
    expect(h.db.query("SELECT count(*) AS n FROM web_links").get()).toEqual({ n: 0 });
  });
});

describe("sessions", () => {
  test("no cookie, a forged one, an expired one: each refused, as a page and as JSON", async () => {
    const { h, origin } = await started();
    const none = await fetch(`${origin}/web/`, { headers: page });
    expect(none.status).toBe(401);
    expect(await none.text()).toContain("Not logged in");
    const forged = await call(origin, `__Host-octopus=${newSecret()}`, "/web/api/status");
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: string }).error).toContain("not one this bot made");
    const secret = newSecret();
    const now = Date.now();
    createWebRepo(h.db).addSession(hashSecret(secret), {
      ...{ userId: ADMIN.id, userName: "Ada", via: "link", address: "127.0.0.1", agent: "x" },
      ...{ createdAt: now - 7_200_000, expiresAt: now - 1000 },
    });
    const expired = await fetch(`${origin}/web/`, {
      headers: { ...page, cookie: `__Host-octopus=${secret}` },
    });
    expect(expired.status).toBe(401);
    expect(await expired.text()).toContain("Session expired");
    expect(refusedLogged(h, "session-expired")).toBe(true);
    expect(refusedLogged(h, "session-unknown")).toBe(true);
  });

  test("/web logout ends every session: the next request is refused and the status stream closes", async () => {
    const { h, origin } = await started();
    const a = await loginAs(h, ADMIN, origin);
    const b = await loginAs(h, ADMIN, origin);
    const stream = await call(origin, a, "/web/events");
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: status");
    h.api.userSays(ADMIN.id, ADMIN, "/web logout");
    await h.api.waitFor((e) => e.type === "message" && /2 web sessions ended/.test(e.message.text), 5000);
    for (const cookie of [a, b]) {
      const r = await call(origin, cookie, "/web/api/me");
      expect(r.status).toBe(401);
      expect(((await r.json()) as { error: string }).error).toContain("Session ended");
    }
    let text = "";
    for (let i = 0; i < 10 && !text.includes("event: ended"); i++) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain("event: ended");
  });

  test("a role removed from the config ends its sessions at the next start", async () => {
    const api = startLocalBotApi();
    const w = await startWeb("", SCRIPTS_YAML, { api });
    h = w.h;
    const cookie = await loginAs(w.h, VIEWER, w.origin);
    expect((await call(w.origin, cookie, "/web/api/me")).status).toBe(200);
    await w.h.stop();
    const port = Number(new URL(w.origin).port);
    const noViewer = webConfig(port).replace(`viewers: [${VIEWER.id}]`, "viewers: []");
    h = await startHarness(noViewer, { db: w.h.db, api });
    const r = await call(w.origin, cookie, "/web/api/me");
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toContain("role removed");
    await h.stop();
    h = undefined;
    await api.stop();
  });
});

describe("actions", () => {
  test("a POST from another origin, without an Origin, or as a form is refused, and nothing runs", async () => {
    const { h, origin } = await started();
    const cookie = await loginAs(h, ADMIN, origin);
    const before = runsCount(h);
    const tries = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { origin, "sec-fetch-site": "cross-site" },
      { origin, "content-type": "application/x-www-form-urlencoded" },
    ];
    for (const headers of tries) {
      const r = await call(origin, cookie, "/web/api/runs", { script: "hello" }, headers);
      expect(r.status).toBe(403);
    }
    const noOrigin = await fetch(`${origin}/web/api/runs`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ script: "hello" }),
    });
    expect(noOrigin.status).toBe(403);
    const asPage = await call(
      origin,
      cookie,
      "/web/api/runs",
      { script: "hello" },
      { origin: "https://evil.example", ...page },
    );
    expect(await asPage.text()).toContain("Refused: not sent from the dashboard");
    await Bun.sleep(300);
    expect(runsCount(h)).toBe(before);
    expect(refusedLogged(h, "csrf")).toBe(true);
  });

  test("a viewer posting an admin action is refused: an admin script, Stop, a Mute", async () => {
    const { h, origin } = await started();
    const cookie = await loginAs(h, VIEWER, origin);
    const scripts = (await (await call(origin, cookie, "/web/api/scripts")).json()) as {
      scripts: { name: string }[];
    };
    expect(scripts.scripts.map((s) => s.name)).toEqual(["peek"]);
    const run = await call(origin, cookie, "/web/api/runs", { script: "hello" }, page);
    expect(run.status).toBe(403);
    expect(await run.text()).toContain("Admins only");
    expect((await call(origin, cookie, "/web/api/runs/1/stop", {})).status).toBe(403);
    const mute = await call(origin, cookie, "/web/api/press", {
      data: checkMuteButton.pack({ action: "mute1h", check: "load" }),
    });
    expect(mute.status).toBe(403);
    expect(runsCount(h)).toBe(0);
    expect(refusedLogged(h, "admin-only")).toBe(true);
    // What a viewer may run, it may run from the web, and its chat is told.
    const ok = await call(origin, cookie, "/web/api/runs", { script: "peek" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { kind: string }).kind).toBe("started");
    await h.api.waitFor(
      (e) => e.type === "message" && e.message.chatId === VIEWER.id && /peek/.test(e.message.text),
      10_000,
    );
  });

  test("bad input gets a short answer: unknown script, values it does not take, a body too large, junk", async () => {
    const { h, origin } = await started();
    const cookie = await loginAs(h, ADMIN, origin);
    const unknown = await call(origin, cookie, "/web/api/runs", { script: "nope" });
    expect(unknown.status).toBe(409);
    expect(((await unknown.json()) as { error: string }).error).toBe("no script named nope");
    const extra = await call(origin, cookie, "/web/api/runs", { script: "hello", values: { x: "1" } });
    expect(((await extra.json()) as { error: string }).error).toContain("has no parameter");
    const big = await call(origin, cookie, "/web/api/runs", { script: "hello", pad: "x".repeat(70_000) });
    expect(big.status).toBe(400);
    const junk = await fetch(`${origin}/web/api/press`, {
      method: "POST",
      headers: { cookie, origin, "content-type": "application/json" },
      body: "{not json",
    });
    expect(junk.status).toBe(400);
    const forgedButton = await call(origin, cookie, "/web/api/press", { data: "zz;whatever" });
    expect(forgedButton.status).toBe(400);
    const badRange = await call(origin, cookie, "/web/api/history?series=cpu&range=forever");
    expect(badRange.status).toBe(400);
    const badName = await call(origin, cookie, "/web/api/scripts/%E0%A4%A/choices/unit");
    expect(badName.status).toBe(400);
    expect((await call(origin, cookie, "/web/api/nothing-here")).status).toBe(404);
    expect(
      (await fetch(`${origin}/web/api/me`, { method: "DELETE", headers: { cookie, origin } })).status,
    ).toBe(405);
    expect(runsCount(h)).toBe(0);
  });
});

describe("Mini App", () => {
  const fields = (token: string, authDate: number, user = ADMIN) => {
    const f = {
      auth_date: String(authDate),
      query_id: "AAE",
      user: JSON.stringify({ id: user.id, first_name: user.first_name }),
    };
    return new URLSearchParams({ ...f, hash: signInitData(f, token) }).toString();
  };
  const post = (origin: string, initData: string) =>
    fetch(`${origin}/web/miniapp`, {
      method: "POST",
      headers: { origin, "content-type": "application/json" },
      body: JSON.stringify({ initData }),
    });

  test("initData signed with the bot's token logs in; forged, stale or a stranger's is refused", async () => {
    const { h, origin } = await started("  public_url: https://ops.example.com");
    // The link message carries the Mini App button where public_url is https.
    h.api.userSays(ADMIN.id, ADMIN, "/web");
    const m = await h.api.waitFor((e) => e.type === "message" && /login\?t=/.test(e.message.text), 5000);
    if (m.type !== "message") throw new Error();
    expect(m.message.text).toContain("https://ops.example.com/web/login?t=");
    expect(JSON.stringify(m.message.keyboard)).toContain(
      '"web_app":{"url":"https://ops.example.com/web/app"}',
    );

    const now = Math.floor(Date.now() / 1000);
    const good = await post(origin, fields(h.api.token, now));
    expect(good.status).toBe(200);
    const cookie = /^(__Host-octopus=[^;]+)/.exec(good.headers.get("set-cookie") ?? "")?.[1] as string;
    expect(((await (await call(origin, cookie, "/web/api/me")).json()) as { role: string }).role).toBe(
      "admin",
    );
    await h.api.waitFor((e) => e.type === "message" && /login \(Mini App\)/.test(e.message.text), 5000);

    const forged = await post(origin, fields("123:not-the-token", now));
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { error: string }).error).toContain("signature does not match");
    const stale = await post(origin, fields(h.api.token, now - 3600));
    expect(((await stale.json()) as { error: string }).error).toContain("too old");
    const stranger = await post(origin, fields(h.api.token, now, STRANGER));
    expect(stranger.status).toBe(403);
    const tampered = fields(h.api.token, now).replace("Ada", "Eve");
    expect((await post(origin, tampered)).status).toBe(403);
    expect(refusedLogged(h, "init-data")).toBe(true);
  });
});
