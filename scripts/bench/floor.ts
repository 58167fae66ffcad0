/**
 * Octopus against the floor bot (scripts/bench/floor-bot.ts: gramio, one command, a fixed
 * text), both compiled the same way, each in its own process against its own local Bot API,
 * interleaved (floor, octopus, floor, octopus …): idle RSS, CPU per handled /status, and
 * 1000 chats sending /status at once (latency from the update to its answer).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBenchBot } from "./bot.ts";
import { compileLikeDist } from "./compile.ts";
import { ms, procMiB, report, summarize } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const OCTOPUS = join(ROOT, "dist/octopus");
const FLOOR = join(ROOT, "dist/bench/floor-bot");
const ROUNDS = 5;
const CHATS = Array.from({ length: 1000 }, (_, i) => 100_000 + i);
const SEQUENTIAL = 300;

/** Builds the floor bot with the flags `make build` uses. */
export function buildFloor(): void {
  mkdirSync(join(ROOT, "dist/bench"), { recursive: true });
  compileLikeDist(join(import.meta.dir, "floor-bot.ts"), FLOOR);
}

function procStat(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat
    .slice(stat.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  return { cpuMs: ((f[11] ?? 0) + (f[12] ?? 0)) * 10, rssMiB: procMiB(pid) };
}

async function measure(which: "floor" | "octopus") {
  const {
    api,
    bot: proc,
    stop,
  } = await startBenchBot(
    "floor",
    () =>
      `telegram:\n  admins: [${CHATS[0]}]\n  viewers: [${CHATS.slice(1).join(", ")}]\nmonitored_devices:\n  - { name: root, path: / }\n`,
    {
      argv: which === "floor" ? [FLOOR] : [OCTOPUS, "run"],
      env: { OCTOPUS_RATE_LIMITS: "off" },
      ready: "polling",
    },
  );
  const ask = async (chat: number) => {
    const since = api.state.events.at(-1)?.seq ?? 0;
    const t0 = performance.now();
    api.userSays(chat, { id: chat, first_name: "bench" }, "/status");
    await api.waitFor((e) => e.type === "message" && e.message.chatId === chat, 60_000, since);
    return performance.now() - t0;
  };
  try {
    await Bun.sleep(2000);
    const idle = procStat(proc.pid).rssMiB;
    for (let i = 0; i < 20; i++) await ask(CHATS[0] as number); // warm-up
    const before = procStat(proc.pid).cpuMs;
    for (let i = 0; i < SEQUENTIAL; i++) await ask(CHATS[0] as number);
    const cpuPer = (procStat(proc.pid).cpuMs - before) / SEQUENTIAL;
    const latencies = await Promise.all(CHATS.map((c) => ask(c)));
    return { idle, cpuPer, p50: summarize(latencies).p50, rssAfter: procStat(proc.pid).rssMiB };
  } finally {
    await stop();
  }
}

export async function benchFloor(): Promise<void> {
  buildFloor();
  const runs = {
    floor: [] as Awaited<ReturnType<typeof measure>>[],
    octopus: [] as Awaited<ReturnType<typeof measure>>[],
  };
  for (let r = 0; r < ROUNDS; r++) {
    runs.floor.push(await measure("floor"));
    runs.octopus.push(await measure("octopus"));
  }
  const med = (which: "floor" | "octopus", key: "idle" | "cpuPer" | "p50" | "rssAfter") =>
    summarize(runs[which].map((m) => m[key])).p50;
  const row = (label: string, key: "idle" | "cpuPer" | "p50" | "rssAfter", unit: (n: number) => string) => {
    const f = med("floor", key);
    const o = med("octopus", key);
    report(`${label}: octopus vs floor bot`, `${unit(o)} vs ${unit(f)} (${(o / f).toFixed(2)}×)`);
  };
  const mib = (n: number) => `${n.toFixed(1)} MiB`;
  row("idle RSS 2 s after the first getUpdates", "idle", mib);
  row(`CPU per /status, ${SEQUENTIAL} sequential`, "cpuPer", (n) => `${n.toFixed(2)} ms`);
  row("1000 chats send /status at once, p50", "p50", ms);
  row("RSS after the 1000 chats", "rssAfter", mib);
}

if (import.meta.main) await benchFloor();
