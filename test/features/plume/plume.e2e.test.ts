import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import { authButton } from "../../../src/features/plume/buttons.ts";
import { createSecretBox } from "../../../src/storage/crypto.ts";
import { openDb } from "../../../src/storage/db.ts";
import { createPlumeRepo } from "../../../src/storage/plume-repo.ts";
import {
  AUTH,
  BIG_CUSTOMER,
  BIG_CUSTOMER_LOCATIONS,
  CUSTOMER,
  type FakePlume,
  LOC,
  PARTNER,
  PPPOE,
  startFakePlume,
  WPA_KEY,
} from "../../support/fake-plume.ts";
import { ADMIN, type Harness, STRANGER, startHarness, VIEWER } from "../../support/harness.ts";

let cloud: FakePlume;
let h: Harness | undefined;
beforeEach(() => {
  cloud = startFakePlume();
});
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await cloud.stop();
});

const config = (extra = "") => `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
plume:
  timeout: 2s
  # The fake cloud on loopback: exactly the two keys an operator would set for such a cloud.
  allowed_hosts: ["${new URL(cloud.ssoUrl).host}"]
  allow_http: true
  locations:
    - { name: office, customer_id: ${CUSTOMER}, location_id: ${LOC.podDown}, watch: true }
${extra}`;

const server = () => ({ ssoUrl: cloud.ssoUrl, authHeader: AUTH, partnerId: PARTNER, apiBase: cloud.apiBase });

/** The answer to a line: a message, or a slow report's "⏳ Checking …" message once edited into it. */
async function answer(h: Harness, user: typeof ADMIN, text: string) {
  h.api.userSays(user.id, user, text);
  const first = await h.nextMessage(user.id);
  if (!first.text.startsWith("⏳ Checking")) return first;
  const key = `${user.id}:${first.messageId}`;
  await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === first.messageId, 10_000);
  return h.api.state.messages.get(key) ?? first;
}
const say = async (h: Harness, user: typeof ADMIN, text: string) => (await answer(h, user, text)).text;
const IDS = (location: string) => `${CUSTOMER} / ${location}`;

describe("Plume commands with the server's credentials", () => {
  test("/start says how to use Plume when it is set up", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    expect(await say(h, VIEWER, "/start")).toContain("Plume Wi-Fi: /health CUSTOMER_ID LOCATION_ID");
  });

  test("/health by ids and by saved name, with the buttons; a viewer may use it", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    const healthy = await answer(h, VIEWER, `/health ${CUSTOMER} ${LOC.healthy}`);
    expect(healthy.text).toBe(
      `🟢 Healthy · Home 0001\n${IDS(LOC.healthy)}\nDevices: 1 online · 1 left in the last hour · 2 today`,
    );
    // Both full ids as code: one tap copies them.
    const code = healthy.entities
      .filter((e) => e.type === "code")
      .map((e) => healthy.text.slice(e.offset, e.offset + e.length));
    expect(code).toEqual([CUSTOMER, LOC.healthy]);
    expect(healthy.keyboard?.flat().map((b) => b.text)).toEqual([
      "📡 Nodes",
      "📱 Devices",
      "📶 Wi-Fi",
      "📈 Stats",
      "🌐 WAN",
      "🔄 Refresh",
    ]);
    expect(await say(h, VIEWER, "/health office")).toMatch(
      /^🟠 Partial outage · office\n\w+ \/ \w+\n• Pod Office is offline since \d\d \w{3} \d\d:\d\d GMT-5 \(2h\)/,
    );
  });

  test("/status CUSTOMER LOCATION, /nodes, /devices, /wifi, /node, /locations", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    expect(await say(h, ADMIN, `/status ${CUSTOMER} ${LOC.healthy}`)).toMatch(
      /^📍 Home 0001\n\w+ \/ \w+\nGateway: connected\nPods: 3 connected of 3 claimed\nDevices connected: 9\nOnboarding: OnboardingComplete\nService level: fullService\nLast speed test: succeeded, ↓ 480 \/ ↑ 40 Mbps, 9 ms, /,
    );
    expect(await say(h, ADMIN, "/nodes office")).toMatch(
      /^📡 Pods · office\n\w+ \/ \w+\n🟢 Living room \(gateway, SuperPod\)\n {3}serial GW0001 · MAC \? · IP \?/,
    );
    const devices = await say(h, ADMIN, "/devices office");
    expect(devices).toContain("1 online · 1 went offline in the last hour · 2 today");
    expect(devices).toContain("🟢 Phone · aa:bb:cc:00:00:01 · wifi 5G on Pod 003");
    expect(devices).toMatch(
      /⚪ laptop · aa:bb:cc:00:00:02 · wifi 2\.4G · offline since \d\d \w{3} \d\d:\d\d GMT-5 \((30m|29m \d+s) ago\)/,
    );
    const offline = await say(h, ADMIN, "/devices office offline");
    expect(offline).toStartWith("📱 Devices offline · office");
    expect(offline).not.toContain("Phone");
    expect(offline).toContain("TV");
    const wifi = await say(h, ADMIN, "/wifi office");
    expect(wifi).toBe(`📶 Wi-Fi · office\n${IDS(LOC.podDown)}\n🟢 HomeNet · wpa2-psk · home`);
    expect(await say(h, ADMIN, "/node POD002")).toMatch(/^🟠 Partial outage/);
    expect(await say(h, ADMIN, "/node SPARE01")).toBe(
      "Pod SPARE01 is in the inventory but not claimed by any location.",
    );
    // Saved first, then the last ones this user looked at (newest first), each a button.
    const locations = await answer(h, ADMIN, "/locations");
    expect(locations.text).toBe(
      "Saved locations:\n• office (watched)\nYour last ones:\n• Home 0002\n• Home 0001",
    );
    expect(locations.keyboard?.flat().map((b) => b.text)).toEqual([
      "🩺 office",
      "🕘 Home 0002",
      "🕘 Home 0001",
    ]);
    expect(await say(h, VIEWER, "/locations")).toBe("Saved locations:\n• office (watched)");
    // A customer id alone: its locations as buttons.
    const customer = await answer(h, ADMIN, `/health ${CUSTOMER}`);
    expect(customer.text).toBe(`Locations of customer ${CUSTOMER}: tap one for its health.`);
    expect(customer.keyboard?.flat().map((b) => b.text)).toEqual(["🩺 Home 0001", "🩺 Home 0002"]);
    const since = h.api.state.events.length;
    h.api.press(ADMIN.id, customer.messageId, customer.keyboard?.[0]?.[0]?.callback_data as string, ADMIN);
    // Sent as it is, or (a report slower than 600 ms) "⏳ Checking …" edited into it.
    await h.api.waitFor(
      (e) =>
        (e.type === "message" || e.type === "edit") &&
        e.message.chatId === ADMIN.id &&
        e.message.text.startsWith("🟢 Healthy · Home 0001"),
      10_000,
      since,
    );
    for (const m of h.messagesIn(ADMIN.id)) {
      expect(m.text).not.toContain(WPA_KEY);
      expect(m.text).not.toContain(PPPOE);
    }
  });

  test("bad arguments get the usage line; errors are one short line", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    expect(await say(h, ADMIN, "/health 123 456")).toStartWith(
      "Usage: /health CUSTOMER_ID LOCATION_ID (24 hex characters each) or /health SAVED_NAME\nSaved: office",
    );
    expect(await say(h, ADMIN, `/health ${CUSTOMER} ${LOC.missing}`)).toBe(
      "Customer or location not found, or not in your partner's scope.",
    );
    expect(await say(h, ADMIN, `/health ${CUSTOMER} ${LOC.forbidden}`)).toBe(
      "These Plume credentials may not see this customer or pod.",
    );
    // Ids pasted inside other text (a URL from Plume's tools) work as they are.
    expect(
      await say(
        h,
        ADMIN,
        `/health https://example.plume.com/customers/${CUSTOMER}/locations/${LOC.healthy}/`,
      ),
    ).toStartWith("🟢 Healthy · Home 0001");
    // The firewall's 403 pauses these credentials (last: the pause would refuse what follows).
    expect(await say(h, ADMIN, `/health ${CUSTOMER} ${LOC.rateLimited}`)).toBe(
      "The Plume cloud is rate-limiting these credentials: try again in a minute.",
    );
  });

  test("Refresh bypasses the cache and edits the report in place; a repeat within the TTL makes no call and says its age", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    // The fake cloud dates things relative to each request ("changed 48 h ago"), shown to the
    // minute: the first answer and the refresh must fall in one minute to read the same.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await Bun.sleep(60_100 - intoMinute);
    const first = await answer(h, ADMIN, "/health office");
    const calls = cloud.calls.length;
    await Bun.sleep(2100);
    const repeat = await say(h, ADMIN, "/health office");
    expect(cloud.calls.length).toBe(calls);
    expect(repeat).toMatch(/\nas of \d\d:\d\d, 2s ago \(🔄 Refresh for now\)\n/);
    h.api.press(ADMIN.id, first.messageId, first.keyboard?.[1]?.[2]?.callback_data as string, ADMIN);
    // Nothing changed at the cloud: the edit is skipped and the press says so.
    expect(await h.api.waitFor((e) => e.type === "answer")).toMatchObject({ text: "No change" });
    expect(cloud.calls.length).toBe(calls + 4);
    expect(h.api.state.messages.get(`${ADMIN.id}:${first.messageId}`)?.text).not.toContain("as of");
  });

  test("/stats: uptime over 24 h with 3 h / 24 h / 7 days buttons; /wan: consumption (Reports API)", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    const stats = await answer(h, VIEWER, "/stats office");
    expect(stats.text).toMatch(
      /^📈 Uptime · office\n\w+ \/ \w+\n🟠 91\.7% online over 24 h \(24 samples\)\n1 outage:\n• offline \d\d \w{3} \d\d:\d\d GMT-5 for 2h$/,
    );
    expect(stats.keyboard?.flat().map((b) => b.text)).toEqual(["3 h", "• 24 h", "7 days"]);
    h.api.press(VIEWER.id, stats.messageId, stats.keyboard?.[0]?.[2]?.callback_data as string, VIEWER);
    await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === stats.messageId);
    expect(h.api.state.messages.get(`${VIEWER.id}:${stats.messageId}`)?.text).toContain(
      "online over 7 days (168 samples)",
    );
    expect(
      cloud.calls.some((c) => c.path.includes("/reports/") && c.path.includes("granularity=hours&limit=168")),
    ).toBe(true);
    expect(await say(h, VIEWER, `/wan ${CUSTOMER} ${LOC.healthy}`)).toMatch(
      /^🌐 WAN · Home 0001\n\w+ \/ \w+\nWAN \(daily\) .+\n↓ 9\.4 GB · ↑ 960 MB\naverage ↓ 0\.9 Mbps · ↑ 0\.1 Mbps\n95th percentile ↓ 0\.9 Mbps · ↑ 0\.1 Mbps\npeak ↓ 450 Mbps at \d\d \w{3} \d\d:\d\d GMT-5\npeak ↑ 40 Mbps at .+$/,
    );
    expect(await say(h, VIEWER, "/wan office weekly")).toContain("↓ 65.6 GB · ↑ 6.6 GB");
  });

  test("fewer taps: the current location serves bare commands, /health offers recent ones, Stats and WAN under a report", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    // Nothing used yet: a bare /stats or /health asks which, offering the saved ones.
    expect(await say(h, VIEWER, "/stats")).toStartWith("Which location? /stats CUSTOMER_ID LOCATION_ID");
    const offer = await answer(h, VIEWER, "/health");
    expect(offer.text).toStartWith("Which location? /health CUSTOMER_ID LOCATION_ID");
    expect(offer.keyboard?.flat().map((b) => b.text)).toEqual(["🩺 office"]);
    // One report by ids makes that location the user's current one…
    const report = await answer(h, VIEWER, `/health ${CUSTOMER} ${LOC.healthy}`);
    expect(report.text).toStartWith("🟢 Healthy · Home 0001");
    for (const [command, start] of [
      ["/stats", "📈 Uptime · Home 0001"],
      ["/wan weekly", "🌐 WAN · Home 0001"],
      ["/nodes", "📡 Pods · Home 0001"],
      ["/devices offline", "📱 Devices offline · Home 0001"],
      ["/wifi", "📶 Wi-Fi · Home 0001"],
    ] as const)
      expect(await say(h, VIEWER, command)).toStartWith(start);
    // …and another user's is their own.
    expect(await say(h, ADMIN, "/nodes")).toStartWith("Which location? /nodes");
    // /health with no words offers the recent one first among the saved.
    const again = await answer(h, VIEWER, "/health");
    expect(again.keyboard?.flat().map((b) => b.text)).toEqual(["🩺 office", "🕘 Home 0001"]);
    // The report's Stats and WAN buttons answer with new messages; WAN's periods edit in place.
    const row = report.keyboard?.[1] ?? [];
    expect(row.map((b) => b.text)).toEqual(["📈 Stats", "🌐 WAN", "🔄 Refresh"]);
    h.api.press(VIEWER.id, report.messageId, row[0]?.callback_data as string, VIEWER);
    expect((await h.nextMessage(VIEWER.id, 10_000)).text).toStartWith("📈 Uptime · Home 0001");
    h.api.press(VIEWER.id, report.messageId, row[1]?.callback_data as string, VIEWER);
    const wan = await h.nextMessage(VIEWER.id, 10_000);
    expect(wan.text).toContain("WAN (daily)");
    expect(wan.text).toContain("95th percentile ↓");
    expect(wan.keyboard?.flat().map((b) => b.text)).toEqual(["• daily", "weekly", "monthly"]);
    h.api.press(VIEWER.id, wan.messageId, wan.keyboard?.[0]?.[2]?.callback_data as string, VIEWER);
    await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === wan.messageId, 10_000);
    expect(h.api.state.messages.get(`${VIEWER.id}:${wan.messageId}`)?.text).toContain("WAN (monthly)");
  });

  test("a customer's locations: every page of the cloud's answer read, the first 30 as buttons, 'N of M' said", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    const list = await answer(h, VIEWER, `/health ${BIG_CUSTOMER}`);
    expect(list.text).toBe(
      `Locations of customer ${BIG_CUSTOMER}: tap one for its health.\n30 of ${BIG_CUSTOMER_LOCATIONS} shown. Another: /health ${BIG_CUSTOMER} LOCATION_ID (24 hex characters).`,
    );
    expect(list.keyboard).toHaveLength(30);
    expect(list.keyboard?.[0]?.[0]?.text).toBe("🩺 Branch 1");
    // Two pages of 100 asked for, with LoopBack's filter; none beyond the short second one.
    const pages = cloud.calls
      .filter((c) => c.path.startsWith(`/api/Customers/${BIG_CUSTOMER}/locations?`))
      .map((c) => JSON.parse(new URL(c.path, "http://x").searchParams.get("filter") ?? "{}"));
    expect(pages).toEqual([
      { limit: 100, skip: 0 },
      { limit: 100, skip: 100 },
    ]);
    // A cloud that ignores the filter (the small customer's bare list) is read once, not looped.
    const small = await answer(h, VIEWER, `/health ${CUSTOMER}`);
    expect(small.keyboard?.flat().map((b) => b.text)).toEqual(["🩺 Home 0001", "🩺 Home 0002"]);
    expect(
      cloud.calls.filter((c) => c.path.startsWith(`/api/Customers/${CUSTOMER}/locations?`)),
    ).toHaveLength(1);
  });

  test("a slow report shows '⏳ Checking …' at once, then that message becomes the report", async () => {
    h = await startHarness(config(), { app: { plumeServer: server() } });
    cloud.delayMs = 1500;
    h.api.userSays(ADMIN.id, ADMIN, "/health office");
    const placeholder = await h.nextMessage(ADMIN.id, 1200);
    expect(placeholder.text).toBe("⏳ Checking office…");
    await h.api.waitFor((e) => e.type === "edit" && e.message.messageId === placeholder.messageId, 10_000);
    expect(h.api.state.messages.get(`${ADMIN.id}:${placeholder.messageId}`)?.text).toStartWith(
      "🟠 Partial outage · office",
    );
  });

  test("a watched location in partial outage becomes an alert through the alert engine", async () => {
    const api = startLocalBotApi();
    api.openChat(ADMIN.id, ADMIN);
    h = await startHarness(config(), { api, app: { plumeServer: server() } });
    // Partial outage is a warning; alerts.for is 2 checks.
    await h.app.plume.watch.check();
    expect(h.messagesIn(ADMIN.id)).toHaveLength(0);
    await h.app.plume.watch.check();
    const incident = await h.nextMessage(ADMIN.id);
    // The customer's time says its zone; the alert's own time is the server's; no "/core" threshold.
    expect(incident.text).toMatch(
      /^⚠️ WARN plume:office 🟠 Partial outage: Pod Office is offline since \d\d \w{3} \d\d:\d\d GMT-5 \(2h\)\n\S+ · since \d\d:\d\d$/,
    );
    expect(incident.keyboard?.flat().map((b) => b.text)).toContain("🔕 Until resolved");
    await h.stop();
    h = undefined;
    await api.stop();
  });
});

describe("the /auth conversation", () => {
  test("every step, invalid input at each, the header deleted, then /health with the user's own credentials", async () => {
    h = await startHarness(config());
    expect(await say(h, VIEWER, "/health office")).toStartWith("Plume is not set up: use /auth");
    expect(await say(h, VIEWER, "/auth")).toStartWith("Step 1/4: send the SSO URL");
    expect(await say(h, VIEWER, "ftp://plume.example.com/token")).toBe(
      "Only https:// or http:// URLs. Send the SSO URL, or /cancel.",
    );
    // Not a Plume host, not on plume.allowed_hosts: refused before any call.
    expect(await say(h, VIEWER, "http://127.0.0.1:9/probe")).toBe(
      "127.0.0.1:9 is not a Plume SSO host (*.sso.plume.com; an admin can add hosts with plume.allowed_hosts). Send the SSO URL, or /cancel.",
    );
    expect(await say(h, VIEWER, cloud.ssoUrl)).toStartWith("Step 2/4: send the authorization header");
    // Not a header: deleted all the same (it may be a secret), and asked again.
    expect(await say(h, VIEWER, "my secret password")).toStartWith(
      "🗑 I deleted your message. That does not look like the authorization header",
    );
    h.api.userSays(VIEWER.id, VIEWER, AUTH);
    const afterHeader = await h.nextMessage(VIEWER.id);
    expect(afterHeader.text).toBe(
      "🗑 I deleted your message with the authorization header.\nStep 3/4: send your partner id (at least 20 characters).",
    );
    expect(h.api.state.events.some((e) => e.type === "delete" && e.chatId === VIEWER.id)).toBe(true);
    expect(await say(h, VIEWER, "short")).toStartWith("A partner id has at least 20");
    expect(await say(h, VIEWER, PARTNER)).toStartWith("Step 4/4: send the API base URL, or /skip");
    expect(await say(h, VIEWER, "ftp://x")).toStartWith("Only https:// or http:// URLs. Send the API base");
    h.api.userSays(VIEWER.id, VIEWER, cloud.apiBase);
    const check = await h.nextMessage(VIEWER.id);
    expect(check.text).toContain(`Partner id: ${PARTNER}`);
    expect(check.text).not.toContain(AUTH);
    h.api.press(VIEWER.id, check.messageId, authButton.pack({ answer: "ok" }), VIEWER);
    await h.api.waitFor((e) => e.type === "edit" && e.message.text.startsWith("✅ Token fetched"));
    expect(await say(h, VIEWER, "/health office")).toMatch(/^🟠 Partial outage · office/);
    expect(await say(h, VIEWER, "/logout")).toBe("Your Plume credentials and tokens are forgotten.");
    expect(await say(h, VIEWER, "/health office")).toStartWith("Plume is not set up");
  });

  test("/cancel at a step, /skip for the default API, a failing token fetch stores nothing", async () => {
    h = await startHarness(config());
    await say(h, ADMIN, "/auth");
    expect(await say(h, ADMIN, "/cancel")).toBe("Cancelled /auth: nothing was stored.");
    expect(await say(h, ADMIN, "/cancel")).toBe("Nothing to cancel.");
    expect(await say(h, ADMIN, "/skip")).toBe("Nothing to skip.");
    await say(h, ADMIN, "/auth");
    await say(h, ADMIN, cloud.ssoUrl);
    await say(h, ADMIN, "Basic d3Jvbmc6d3Jvbmc=");
    await say(h, ADMIN, PARTNER);
    h.api.userSays(ADMIN.id, ADMIN, "/skip");
    const check = await h.nextMessage(ADMIN.id);
    expect(check.text).toContain("(default)");
    h.api.press(ADMIN.id, check.messageId, authButton.pack({ answer: "ok" }), ADMIN);
    const failed = await h.api.waitFor((e) => e.type === "edit" && e.message.text.startsWith("❌"));
    expect(failed.type === "edit" && failed.message.text).toBe(
      "❌ Plume authentication failed: check the credentials (/auth). Nothing was stored: check the values and /auth again.",
    );
  });

  test("a user-supplied SSO that redirects: not followed, one uniform sentence in the chat, details in the log", async () => {
    // A second service the redirect points at: it must never be called.
    let probed = 0;
    const target = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => {
        probed++;
        return Response.json({ access_token: "x", expires_in: 3600 });
      },
    });
    const redirector = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () =>
        new Response(null, { status: 307, headers: { location: `http://127.0.0.1:${target.port}/token` } }),
    });
    try {
      h = await startHarness(
        config().replace(
          /allowed_hosts: \[[^\]]*\]/,
          `allowed_hosts: ["127.0.0.1:${redirector.port}", "127.0.0.1:${target.port}"]`,
        ),
      );
      await say(h, ADMIN, "/auth");
      await say(h, ADMIN, `http://127.0.0.1:${redirector.port}/token`);
      await say(h, ADMIN, AUTH);
      await say(h, ADMIN, PARTNER);
      h.api.userSays(ADMIN.id, ADMIN, "/skip");
      const check = await h.nextMessage(ADMIN.id);
      h.api.press(ADMIN.id, check.messageId, authButton.pack({ answer: "ok" }), ADMIN);
      const failed = await h.api.waitFor((e) => e.type === "edit" && e.message.text.startsWith("❌"));
      expect(failed.type === "edit" && failed.message.text).toBe(
        `❌ Could not reach the SSO at 127.0.0.1:${redirector.port}. Nothing was stored: check the values and /auth again.`,
      );
      expect(probed).toBe(0);
      expect(
        h.lines.some((l) => l.includes("/auth: the token fetch failed") && l.includes("status=307")),
      ).toBe(true);
    } finally {
      target.stop(true);
      redirector.stop(true);
    }
  });

  test("a user-supplied API base that fails: the chat gets one sentence, the status goes to the log", async () => {
    const broken = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("oops", { status: 502 }),
    });
    try {
      h = await startHarness(
        config().replace(/allowed_hosts: \[([^\]]*)\]/, `allowed_hosts: [$1, "127.0.0.1:${broken.port}"]`),
      );
      await say(h, VIEWER, "/auth");
      await say(h, VIEWER, cloud.ssoUrl);
      await say(h, VIEWER, AUTH);
      await say(h, VIEWER, PARTNER);
      h.api.userSays(VIEWER.id, VIEWER, `http://127.0.0.1:${broken.port}/api`);
      const check = await h.nextMessage(VIEWER.id);
      h.api.press(VIEWER.id, check.messageId, authButton.pack({ answer: "ok" }), VIEWER);
      await h.api.waitFor((e) => e.type === "edit" && e.message.text.startsWith("✅ Token fetched"));
      const answer = await say(h, VIEWER, "/nodes office");
      expect(answer).toBe(`Could not reach the API at 127.0.0.1:${broken.port}.`);
      expect(answer).not.toContain("502");
      expect(
        h.lines.some((l) => l.includes("a Plume endpoint given in /auth failed") && l.includes("status=502")),
      ).toBe(true);
    } finally {
      broken.stop(true);
    }
  });

  test("the conversation survives a restart", async () => {
    const api = startLocalBotApi();
    const { openMemoryDb } = await import("../../../src/storage/db.ts");
    const db = openMemoryDb();
    const secretBox = await createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    h = await startHarness(config(), { api, db, app: { secretBox } });
    await say(h, ADMIN, "/auth");
    await say(h, ADMIN, cloud.ssoUrl);
    await h.restart();
    expect(await say(h, ADMIN, AUTH)).toContain("Step 3/4");
    await h.stop();
    h = undefined;
    await api.stop();
  });

  test("/auth is refused in a group: credentials must not go into a group", async () => {
    h = await startHarness(config());
    const group = { id: -4242, type: "group" as const, title: "ops" };
    h.api.userSays(group, ADMIN, "/auth");
    expect((await h.nextMessage(group.id)).text).toBe(
      "Use /auth in a private chat with me: credentials must not go into a group.",
    );
    h.api.userSays(STRANGER.id, STRANGER, "/auth");
    expect((await h.nextMessage(STRANGER.id)).text).toStartWith("Not authorized");
  });
});

describe("secrets at rest", () => {
  test("a header or a JWT pasted where nothing asked for it is deleted, explained, and not left in the files", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const stateDir = mkdtempSync(join(tmpdir(), "octopus-paste-"));
    const db = openDb(stateDir);
    h = await startHarness(config(), { db, stateDir });
    const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbi11c2VyIn0.c2lnbmF0dXJlLXBhcnQtaGVyZQ";
    for (const pasted of [`here is the header ${AUTH}`, `token: ${JWT}`]) {
      const id = h.api.userSays(ADMIN.id, ADMIN, pasted);
      const reply = await h.nextMessage(ADMIN.id);
      expect(reply.text).toStartWith("🗑 I deleted your message: it looked like a credential");
      const messageId = 100_000 + id;
      expect(h.api.state.events.some((e) => e.type === "delete" && e.messageId === messageId)).toBe(true);
    }
    // Ordinary text is not touched.
    expect(await say(h, ADMIN, "hello there")).toBe("I only understand commands. /help lists them.");
    await h.stop();
    h = undefined;
    db.close();
    for (const f of readdirSync(stateDir).filter((n) => n.startsWith("octopus.db"))) {
      const raw = readFileSync(join(stateDir, f));
      expect(raw.includes(Buffer.from(AUTH.slice(6)))).toBe(false);
      expect(raw.includes(Buffer.from(JWT))).toBe(false);
    }
  });

  test("the raw database files hold no secret: not the header, not the token, not a key", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const stateDir = mkdtempSync(join(tmpdir(), "octopus-secrets-"));
    const db = openDb(stateDir);
    const secretBox = await createSecretBox(crypto.getRandomValues(new Uint8Array(32)));
    h = await startHarness(config(), { db, stateDir, app: { secretBox, plumeServer: server() } });
    await say(h, ADMIN, "/auth");
    await say(h, ADMIN, cloud.ssoUrl);
    await say(h, ADMIN, AUTH);
    await say(h, ADMIN, PARTNER);
    h.api.userSays(ADMIN.id, ADMIN, cloud.apiBase);
    const check = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, check.messageId, authButton.pack({ answer: "ok" }), ADMIN);
    await h.api.waitFor((e) => e.type === "edit" && e.message.text.startsWith("✅"));
    await say(h, ADMIN, "/health office");
    const token = await createPlumeRepo(db, secretBox).token(`user:${ADMIN.id}`);
    expect(token?.token).toStartWith("tok-");
    await h.stop();
    h = undefined;
    db.close();
    const files = readdirSync(stateDir).filter((f) => f.startsWith("octopus.db"));
    expect(files.length).toBeGreaterThan(0);
    const needle = [AUTH, AUTH.slice(6), token?.token as string, WPA_KEY, PPPOE];
    for (const f of files) {
      const raw = readFileSync(join(stateDir, f));
      for (const secret of needle) expect(raw.includes(Buffer.from(secret))).toBe(false);
    }
    const audit = createPlumeRepo(openDb(stateDir), secretBox).auditLog();
    expect(audit).toContainEqual({ user_id: ADMIN.id, event: "auth set", outcome: "ok" });
  });
});
