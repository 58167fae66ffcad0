/**
 * /run overhead against the size of the run history: the same tiny script through two
 * runners, one on an empty database and one on a database with 1,000,000 history rows,
 * interleaved (A B A B …) so machine noise hits both alike. Reports the medians and their
 * ratio (target ≤ 1.5×), and the size of the 1M-row database file.
 */
import type { Database } from "bun:sqlite";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseConfig } from "../../src/config/parse.ts";
import { createRunner } from "../../src/features/runs/runner.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/log.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { DB_FILE, openDb } from "../../src/storage/db.ts";
import { createRunsRepo } from "../../src/storage/runs-repo.ts";
import { ms, report, summarize } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const SCRIPT = join(ROOT, "test/fixtures/scripts/exit-with.sh");
const ROWS = 1_000_000;
const ROUNDS = 40;

function fillHistory(db: Database, rows: number) {
  const insert = db.query(
    `INSERT INTO runs (script, kind, trigger, requested_by, requested_by_name, chat_id, started_at, ended_at, exit_code, status, output_bytes)
     VALUES (?, 'oneshot', 'user', 1, 'bench', 1, ?, ?, 0, 'succeeded', 10)`,
  );
  const now = Date.now();
  db.transaction(() => {
    // Spread over the last 60 days: all within keep_history, so the prune keeps every row.
    for (let i = 0; i < rows; i++) {
      const at = now - 60 * 86_400_000 + Math.floor((i / rows) * 60 * 86_400_000);
      insert.run(`script${i % 50}`, at, at + 1000);
    }
  })();
}

function setup(rows: number) {
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-history-"));
  const db = openDb(dir);
  if (rows) fillHistory(db, rows);
  const parsed = parseConfig(`one_time_scripts:\n  - { name: tiny, path: ${SCRIPT} }\n`, join(dir, "c.yaml"));
  if (!parsed.ok) throw new Error("config");
  const config = parsed.value.config;
  const runner = createRunner({
    stateDir: dir,
    runsRepo: createRunsRepo(db),
    clock: systemClock,
    log: silentLogger,
    limits: config.runner,
    redactPatterns: [],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    redactor: createRedactor(),
  });
  const script = config.scripts[0];
  if (!script) throw new Error("script");
  // Start to idle: the history row, the process, the end row and the prune after it.
  const once = async () => {
    const t0 = Bun.nanoseconds();
    const r = runner.start(
      script,
      { userId: 1, name: "bench", chatId: 1, trigger: "user" },
      {
        finished: () => {},
      },
    );
    if (!r.ok) throw new Error(r.error.kind);
    await runner.idle();
    return (Bun.nanoseconds() - t0) / 1e6;
  };
  return { dir, db, once };
}

export async function benchHistory(): Promise<void> {
  const empty = setup(0);
  const full = setup(ROWS);
  for (let i = 0; i < 3; i++) {
    await empty.once();
    await full.once();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    a.push(await empty.once());
    b.push(await full.once());
  }
  const sa = summarize(a);
  const sb = summarize(b);
  report("/run of a tiny script, empty history: p50", ms(sa.p50));
  report(`/run of a tiny script, ${ROWS.toLocaleString("en")} history rows: p50`, ms(sb.p50));
  report("/run overhead ratio, 1M rows / empty (target ≤ 1.5)", `${(sb.p50 / sa.p50).toFixed(2)}×`);
  full.db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  report(
    `database file with ${ROWS.toLocaleString("en")} history rows`,
    `${(statSync(join(full.dir, DB_FILE)).size / 1024 ** 2).toFixed(1)} MiB`,
  );
  empty.db.close();
  full.db.close();
}

if (import.meta.main) await benchHistory();
