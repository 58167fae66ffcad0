/**
 * A script writing 200,000 lines (~10 MB) as fast as it can, run through dist/octopus in
 * a private chat with Telegram's real limits: exit → final message, peak RSS growth, Bot
 * API calls (and that they kept the limits), and that the log equals the output.
 */
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startBenchBot } from "./bot.ts";
import { ms, report } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const SCRIPT = join(ROOT, "test/fixtures/scripts/big.sh");

const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

export async function benchRunner(): Promise<void> {
  const user = 4242;
  const { dir, api, bot, stop } = await startBenchBot(
    "run",
    () => `telegram:\n  admins: [${user}]\none_time_scripts:\n  - { name: big, path: ${SCRIPT} }\n`,
  );
  api.userSays(user, { id: user, first_name: "bench" }, "/help");
  await api.waitFor((e) => e.type === "message");
  await Bun.sleep(1500);
  const baseline = rssMiB(bot.pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMiB(bot.pid));
  }, 20);
  const callsBefore = api.state.calls.length;
  api.userSays(user, { id: user, first_name: "bench" }, "/run big");
  const doc = await api.waitFor((e) => e.type === "message" && e.message.document !== undefined, 60_000);
  const docAt = Date.now();
  clearInterval(sampler);

  const db = new Database(join(dir, "state/octopus.db"), { readonly: true });
  const row = db
    .query("SELECT id, started_at AS s, ended_at AS e, log_path AS log FROM runs ORDER BY id DESC LIMIT 1")
    .get() as {
    id: number;
    s: number;
    e: number;
    log: string;
  };
  const expected = Bun.spawnSync([SCRIPT]).stdout;
  const log = readFileSync(row.log);
  const calls = api.state.calls.slice(callsBefore).filter((c) => c.chatId === user);
  const times = calls.map((c) => c.at);
  const worst3s = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 3000).length));
  db.close();
  await stop();

  report("200k lines: script run time", ms(row.e - row.s));
  report("200k lines: script exit → final message (document) received", ms(docAt - row.e));
  report(
    "200k lines: bot RSS baseline → peak (growth)",
    `${baseline.toFixed(1)} → ${peak.toFixed(1)} MiB (+${(peak - baseline).toFixed(1)})`,
  );
  report("200k lines: Bot API calls to the chat (most in any 3 s)", `${calls.length} (${worst3s})`);
  report(
    "200k lines: log identical to the script's output",
    `${Bun.hash(log) === Bun.hash(expected) && log.byteLength === expected.byteLength} (${log.byteLength} bytes)`,
  );
  if (doc.type !== "message") throw new Error("no document");
}

if (import.meta.main) await benchRunner();
