/**
 * One message for a quick run: `/run` of a script that takes 50 ms, through dist/octopus with
 * Telegram's real limits, from the command to its one message (the result). Interleaved with
 * `/help` round trips in the same bot as the floor (A B A B …, a pause between rounds so the
 * chat's send budget never interferes). Target: the result within 150 ms of the command.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startBenchBot } from "./bot.ts";
import { ms, report, summarize } from "./stats.ts";

const ROUNDS = 6;

export async function benchQuickRun(): Promise<void> {
  const user = 4343;
  const { api, stop } = await startBenchBot("quick", (dir) => {
    const script = join(dir, "quick.sh");
    writeFileSync(script, "#!/bin/sh\nsleep 0.05\necho done\n", { mode: 0o755 });
    return `telegram:\n  admins: [${user}]\none_time_scripts:\n  - { name: quick, path: ${script} }\n`;
  });
  const from = { id: user, first_name: "bench" };
  const roundTrip = async (text: string, match: (t: string) => boolean) => {
    const since = api.state.events.at(-1)?.seq ?? 0;
    const t0 = performance.now();
    api.userSays(user, from, text);
    await api.waitFor((e) => e.type === "message" && match(e.message.text), 10_000, since);
    return performance.now() - t0;
  };
  const help: number[] = [];
  const run: number[] = [];
  let extraMessages = 0;
  for (let i = 0; i < ROUNDS; i++) {
    help.push(await roundTrip("/help", (t) => t.includes("Commands")));
    await Bun.sleep(1100);
    const before = api.state.messages.size;
    run.push(await roundTrip("/run quick", (t) => t.startsWith("✅ quick")));
    await Bun.sleep(1100);
    extraMessages += api.state.messages.size - before - 1;
  }
  await stop();
  const h = summarize(help);
  const r = summarize(run);
  report("/help round trip, real limits, dist/octopus (p50)", ms(h.p50));
  report("/run of a 50 ms script → its result (p50, max)", `${ms(r.p50)}, ${ms(r.max)} (target ≤ 150)`);
  report("ratio /run quick / /help (p50)", `${(r.p50 / h.p50).toFixed(1)}×`);
  report("messages per quick run (should be 1)", String(1 + extraMessages / ROUNDS));
}

if (import.meta.main) await benchQuickRun();
