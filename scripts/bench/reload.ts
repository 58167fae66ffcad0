/**
 * A reload (SIGHUP) of the running bot onto a bigger config: the time until the chat hears
 * of it, the process's peak memory while it happens, and /status answered meanwhile. The
 * floor is a reload onto the same 3-device config, in the same run, the three interleaved:
 * 3 devices, 256 (the most a config takes: each its own folder, statfs'ed every check) and
 * 10 000 (refused by the bound, the previous config kept).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MAX_MONITORED_DEVICES } from "../../src/config/schema.ts";
import type { LocalBotApi } from "../../src/console/local-api/server.ts";
import { startBenchBot } from "./bot.ts";
import { procMiB, report, summarize } from "./stats.ts";

const USER = { id: 1, first_name: "Ada" };
const ROUNDS = 3;

/** A config with `n` devices: each its own folder up to the bound, past it all on / (a small file). */
function devicesConfig(dir: string, n: number): string {
  const own = n <= MAX_MONITORED_DEVICES;
  const lines = Array.from({ length: n }, (_, i) => {
    const path = own ? join(dir, "mnt", `d${i}`) : "/";
    if (own) mkdirSync(path, { recursive: true });
    return `  - { name: d${i}, path: ${path} }`;
  });
  return `telegram:\n  admins: [1]\nmonitored_devices:\n${lines.join("\n")}\n`;
}

/** Resets the kernel's peak-RSS mark (root, Linux ≥ 4.0); false where it cannot. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function askStatus(api: LocalBotApi): Promise<number> {
  const since = api.state.events.at(-1)?.seq ?? 0;
  const t0 = performance.now();
  api.userSays(1, USER, "/status");
  await api.waitFor(
    (e) => e.type === "message" && e.message.chatId === 1 && String(e.message.text ?? "").startsWith("🖥"),
    60_000,
    since,
  );
  return performance.now() - t0;
}

interface Sample {
  reloadMs: number;
  peakMiB: number;
  afterMiB: number;
  statusDuringMaxMs: number;
  statusAfterMs: number;
  outcome: string;
}

async function reloadOnto(b: Awaited<ReturnType<typeof startBenchBot>>, devices: number): Promise<Sample> {
  const pid = b.bot.pid;
  writeFileSync(join(b.dir, "config.yaml"), devicesConfig(b.dir, devices));
  const kernelPeak = resetPeak(pid);
  // Without the kernel's mark (not root): RSS sampled every 5 ms instead.
  let sampled = 0;
  const sampler = kernelPeak
    ? undefined
    : setInterval(() => {
        sampled = Math.max(sampled, procMiB(pid));
      }, 5);
  const since = b.api.state.events.at(-1)?.seq ?? 0;
  const t0 = performance.now();
  let reloadMs = 0;
  let outcome = "";
  process.kill(pid, "SIGHUP");
  const heard = b.api
    .waitFor(
      (e) => e.type === "message" && /Config reload/.test(String(e.message.text ?? "")),
      120_000,
      since,
    )
    .then((e) => {
      reloadMs = performance.now() - t0;
      outcome = e.type === "message" && String(e.message.text).includes("failed") ? "refused" : "reloaded";
    });
  const during: number[] = [];
  while (!reloadMs) during.push(await askStatus(b.api));
  await heard;
  clearInterval(sampler);
  const peakMiB = kernelPeak ? procMiB(pid, "VmHWM") : sampled;
  // Settled: the new app's first checks ran (a second after start), collected.
  await Bun.sleep(3000);
  const after: number[] = [];
  for (let i = 0; i < 5; i++) after.push(await askStatus(b.api));
  return {
    reloadMs,
    peakMiB,
    afterMiB: procMiB(pid),
    statusDuringMaxMs: Math.max(...during),
    statusAfterMs: summarize(after).p50,
    outcome,
  };
}

export async function benchReload(): Promise<void> {
  const b = await startBenchBot("reload", (dir) => devicesConfig(dir, 3), {
    env: { OCTOPUS_RATE_LIMITS: "off" },
  });
  try {
    b.api.openChat(1, USER);
    for (let i = 0; i < 5; i++) await askStatus(b.api);
    const idleMiB = procMiB(b.bot.pid);
    const cases = [3, MAX_MONITORED_DEVICES, 10_000];
    const samples = new Map<number, Sample[]>(cases.map((n) => [n, []]));
    for (let r = 0; r < ROUNDS; r++) for (const n of cases) samples.get(n)?.push(await reloadOnto(b, n));
    const median = (n: number, key: keyof Omit<Sample, "outcome">) =>
      summarize((samples.get(n) ?? []).map((s) => s[key])).p50;
    report(`reload: idle RSS before, 3 devices`, `${idleMiB.toFixed(1)} MiB`);
    const floor = { reload: median(3, "reloadMs"), peak: median(3, "peakMiB") };
    for (const n of cases) {
      const outcomes = [...new Set((samples.get(n) ?? []).map((s) => s.outcome))].join("/");
      const reload = median(n, "reloadMs");
      const peak = median(n, "peakMiB");
      const name = `reload onto ${n.toLocaleString("en")} devices (${outcomes}, median of ${ROUNDS})`;
      report(name, `${reload.toFixed(0)} ms (${(reload / floor.reload).toFixed(1)}× the 3-device reload)`);
      report(
        `  peak RSS during · RSS 3 s after`,
        `${peak.toFixed(1)} MiB (${(peak / floor.peak).toFixed(2)}×) · ${median(n, "afterMiB").toFixed(1)} MiB`,
      );
      report(
        `  /status: slowest during the reload · p50 after`,
        `${median(n, "statusDuringMaxMs").toFixed(0)} ms · ${median(n, "statusAfterMs").toFixed(0)} ms`,
      );
    }
  } finally {
    await b.stop();
  }
}

if (import.meta.main) await benchReload();
