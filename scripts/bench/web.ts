/**
 * The web dashboard, measured on the compiled binary (dist/octopus), interleaved in one run:
 * - idle RSS with http.dashboard off vs on (nobody logged in), and on with 100 dashboards open;
 * - the bytes a first visit costs (the page and its files, gzip) and its first paint in a
 *   headless Chromium, against a floor page (a one-line HTML page from a bare Bun.serve,
 *   painted by the same browser in the same run);
 * - an SSE status update's latency (the frame made → read by the client), for 1 dashboard
 *   and for each of 100 open at once, and the bot's CPU while 100 are open.
 */
import { readFileSync } from "node:fs";
import { freePort } from "../../test/support/alertmanager.ts";
import { CHROMIUM, launchChromium } from "../../test/support/chromium.ts";
import { startBenchBot } from "./bot.ts";
import { ms, procMiB, report, summarize } from "./stats.ts";

const ADMIN = 4242;
const ROUNDS = 3;
const DASHBOARDS = 100;
const TICKS = 10;

const config = (port: number, dashboard: boolean) => () =>
  `telegram:\n  admins: [${ADMIN}]\nmonitored_devices:\n  - { name: root, path: / }\nhttp:\n  listen: 127.0.0.1:${port}\n  dashboard: ${dashboard}\n`;

const cpuMs = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return ((f[11] ?? 0) + (f[12] ?? 0)) * 10;
};

async function startBot(dashboard: boolean) {
  const port = freePort();
  const bot = await startBenchBot(`web-${dashboard ? "on" : "off"}`, config(port, dashboard), {
    env: { OCTOPUS_RATE_LIMITS: "off" },
  });
  bot.api.openChat(ADMIN, { id: ADMIN, first_name: "Bench" });
  return { ...bot, origin: `http://127.0.0.1:${port}` };
}

type Bot = Awaited<ReturnType<typeof startBot>>;

async function link(bot: Bot): Promise<string> {
  const since = bot.api.state.events.at(-1)?.seq ?? 0;
  bot.api.userSays(ADMIN, { id: ADMIN, first_name: "Bench" }, "/web");
  const e = await bot.api.waitFor(
    (x) => x.type === "message" && /login\?t=/.test(x.message.text),
    10_000,
    since,
  );
  if (e.type !== "message") throw new Error("no link");
  return (/(http:\/\/\S+)/.exec(e.message.text) as RegExpExecArray)[1] as string;
}

async function cookieFor(bot: Bot): Promise<string> {
  const token = new URL(await link(bot)).searchParams.get("t");
  const r = await fetch(`${bot.origin}/web/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: bot.origin, "content-type": "application/x-www-form-urlencoded" },
    body: `t=${token}`,
  });
  return (/^(__Host-octopus=[^;]+)/.exec(r.headers.get("set-cookie") ?? "") as RegExpExecArray)[1] as string;
}

/** The bytes of a first visit, gzip as a browser asks: the page and every file it names. */
async function firstVisitBytes(bot: Bot, cookie: string): Promise<number> {
  const headers = { cookie, "accept-encoding": "gzip" };
  const page = await fetch(`${bot.origin}/web/`, { headers, decompress: false } as RequestInit);
  const html = Bun.gunzipSync(new Uint8Array(await page.clone().arrayBuffer()));
  let total = (await page.arrayBuffer()).byteLength;
  for (const m of new TextDecoder().decode(html).matchAll(/(?:href|src)="(\/web\/assets\/[^"]+)"/g)) {
    const r = await fetch(`${bot.origin}${m[1]}`, { headers, decompress: false } as RequestInit);
    total += (await r.arrayBuffer()).byteLength;
  }
  return total;
}

/** `n` dashboards' status streams; each frame's latency from `sentAt`, over `ticks` ticks. */
async function openStreams(bot: Bot, cookie: string, n: number) {
  const latencies: number[] = [];
  const controllers: AbortController[] = [];
  let frames = 0;
  const readers = Array.from({ length: n }, async () => {
    const ac = new AbortController();
    controllers.push(ac);
    const res = await fetch(`${bot.origin}/web/events`, { headers: { cookie }, signal: ac.signal });
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body as ReadableStream<Uint8Array>) {
        const now = performance.timeOrigin + performance.now();
        buffer += decoder.decode(chunk);
        let at = buffer.indexOf("\n\n");
        while (at >= 0) {
          const frame = buffer.slice(0, at);
          buffer = buffer.slice(at + 2);
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (data && frame.startsWith("event: status")) {
            frames++;
            // The first frame is made for the new subscriber; the ticks' are shared.
            const sentAt = (JSON.parse(data) as { sentAt: number }).sentAt;
            latencies.push(now - sentAt);
          }
          at = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted
    }
  });
  return {
    latencies,
    frames: () => frames,
    async close() {
      for (const c of controllers) c.abort();
      await Promise.allSettled(readers);
    },
  };
}

type Page = Awaited<ReturnType<Awaited<ReturnType<typeof launchChromium>>["page"]>>;

const PAINT = `(() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; if (!p) return null;
  const bytes = performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).reduce((n, e) => n + e.transferSize, 0);
  return { fcp: p.startTime, bytes }; })()`;

/** First contentful paint of a page in a fresh browser (`open` gets it there), then again from its cache. */
async function firstPaint(open: (page: Page) => Promise<void>) {
  const browser = await launchChromium();
  try {
    const page = await browser.page();
    await open(page);
    const cold = await page.waitFor<{ fcp: number; bytes: number }>(PAINT);
    await page.goto(await page.eval<string>("location.href"));
    const warm = await page.waitFor<{ fcp: number; bytes: number }>(PAINT);
    return { cold, warm };
  } finally {
    await browser.close();
  }
}

export async function benchWeb(): Promise<void> {
  const idle = { off: [] as number[], on: [] as number[], open100: [] as number[] };
  const one: number[] = [];
  const hundred: number[] = [];
  const cpu100: number[] = [];
  const bytes: number[] = [];
  const paint = {
    floor: [] as number[],
    dashboard: [] as number[],
    warm: [] as number[],
    browserBytes: [] as number[],
  };
  const floor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () =>
      new Response("<!doctype html><title>floor</title><p>hello</p>", {
        headers: { "content-type": "text/html" },
      }),
  });
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const dashboard of [false, true]) {
        const bot = await startBot(dashboard);
        try {
          await Bun.sleep(3000);
          idle[dashboard ? "on" : "off"].push(procMiB(bot.bot.pid));
          if (!dashboard) continue;
          const cookie = await cookieFor(bot);
          bytes.push(await firstVisitBytes(bot, cookie));
          const single = await openStreams(bot, cookie, 1);
          while (single.frames() < TICKS + 1) await Bun.sleep(50);
          one.push(...single.latencies.slice(1));
          await single.close();
          const many = await openStreams(bot, cookie, DASHBOARDS);
          while (many.frames() < DASHBOARDS) await Bun.sleep(50);
          const cpuBefore = cpuMs(bot.bot.pid);
          const t0 = performance.now();
          const skip = many.latencies.length;
          while (many.frames() < DASHBOARDS * (TICKS + 1)) await Bun.sleep(50);
          cpu100.push(((cpuMs(bot.bot.pid) - cpuBefore) / (performance.now() - t0)) * 100);
          hundred.push(...many.latencies.slice(skip));
          idle.open100.push(procMiB(bot.bot.pid));
          await many.close();
          if (CHROMIUM) {
            paint.floor.push(
              (await firstPaint((page) => page.goto(`http://127.0.0.1:${floor.port}/`))).cold.fcp,
            );
            const l = await link(bot);
            // A first visit: from pressing "Log in" on the link's page to the dashboard's paint.
            const d = await firstPaint(async (page) => {
              await page.goto(l);
              await page.eval("document.querySelector('#login').click()");
              await page.waitFor("location.pathname === '/web/' && document.readyState === 'complete'");
            });
            paint.dashboard.push(d.cold.fcp);
            paint.warm.push(d.warm.fcp);
            paint.browserBytes.push(d.cold.bytes);
          }
        } finally {
          await bot.stop();
        }
      }
    }
  } finally {
    floor.stop(true);
  }
  const median = (xs: number[]) => summarize(xs).p50;
  const mib = (n: number) => `${n.toFixed(1)} MiB`;
  const delta = (n: number) => `${n >= 0 ? "+" : "−"}${mib(Math.abs(n))}`;
  report("web: idle RSS, dashboard off (median)", mib(median(idle.off)));
  report(
    "web: idle RSS, dashboard on, nobody logged in",
    `${mib(median(idle.on))} (${delta(median(idle.on) - median(idle.off))})`,
  );
  report(
    `web: RSS with ${DASHBOARDS} dashboards open`,
    `${mib(median(idle.open100))} (${delta(median(idle.open100) - median(idle.off))} over off)`,
  );
  report("web: first visit, bytes sent (gzip)", `${(median(bytes) / 1024).toFixed(1)} KiB`);
  const s1 = summarize(one);
  const s100 = summarize(hundred);
  report("web: SSE status update latency, 1 dashboard", `p50 ${ms(s1.p50)} · p99 ${ms(s1.p99)} (n=${s1.n})`);
  report(
    `web: SSE latency, each of ${DASHBOARDS} dashboards`,
    `p50 ${ms(s100.p50)} · p99 ${ms(s100.p99)} (n=${s100.n}) · ${(s100.p50 / Math.max(0.01, s1.p50)).toFixed(1)}× one`,
  );
  report(`web: bot CPU with ${DASHBOARDS} dashboards open`, `${median(cpu100).toFixed(1)}% of one core`);
  if (paint.dashboard.length) {
    const f = median(paint.floor);
    const d = median(paint.dashboard);
    report("web: first contentful paint, floor page", ms(f));
    report(
      "web: first contentful paint, dashboard, first visit",
      `${ms(d)} (${(d / f).toFixed(2)}× floor) · ${(median(paint.browserBytes) / 1024).toFixed(1)} KiB transferred`,
    );
    const w = median(paint.warm);
    report("web: first contentful paint, dashboard, from cache", `${ms(w)} (${(w / f).toFixed(2)}× floor)`);
  } else report("web: first contentful paint", "skipped: chromium is not installed");
}

if (import.meta.main) await benchWeb();
