import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Config, parseConfig } from "../../src/config/parse.ts";
import type { FinishedRun, RunListener } from "../../src/features/runs/run-types.ts";
import { createRunner } from "../../src/features/runs/runner.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { createRedactor } from "../../src/shared/redact.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { createRunsRepo } from "../../src/storage/runs-repo.ts";
import { captureLog } from "./harness.ts";

export const SCRIPTS = resolve(import.meta.dir, "../fixtures/scripts");

/** A config whose script paths point at test/fixtures/scripts. */
export function configOf(yaml: string): Config {
  const parsed = parseConfig(yaml, join(SCRIPTS, "config.yaml"));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  return parsed.value.config;
}

export function makeRunner(
  yaml: string,
  extra: { env?: Record<string, string>; secrets?: string[]; graceMs?: number } = {},
) {
  const config = configOf(yaml);
  const db = openMemoryDb();
  const runsRepo = createRunsRepo(db);
  const stateDir = mkdtempSync(join(tmpdir(), "octopus-runner-"));
  const { log, lines } = captureLog();
  const runner = createRunner({
    stateDir,
    runsRepo,
    clock: systemClock,
    log,
    limits: config.runner,
    redactPatterns: config.redact,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...extra.env },
    redactor: createRedactor(extra.secrets ?? []),
    graceMs: extra.graceMs ?? 1000,
  });
  const script = (name: string) => {
    const s = config.scripts.find((x) => x.name === name);
    if (!s) throw new Error(`no script ${name}`);
    return s;
  };
  /** Starts a script and resolves when it has finished and been reported. */
  const run = (name: string, listener: Partial<RunListener> = {}) =>
    new Promise<FinishedRun>((resolveRun, reject) => {
      const started = runner.start(
        script(name),
        { userId: 1, name: "Ada", chatId: 1, trigger: "user" },
        {
          ...listener,
          finished: (r) => resolveRun(r),
        },
      );
      if (!started.ok) reject(new Error(JSON.stringify(started.error.kind)));
    });
  const text = (r: FinishedRun) => readFileSync(r.run.textPath, "utf8");
  return { runner, runsRepo, db, stateDir, log, lines, script, run, text, config };
}

/** Live (non-zombie) members of a process group, from /proc. */
export function liveGroupMembers(pgid: number): number[] {
  const out = Bun.spawnSync(["ps", "-e", "-o", "pid=,pgid=,stat="]).stdout.toString();
  return out
    .trim()
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat?.startsWith("Z"))
    .map(([p]) => Number(p));
}

/** Is the process alive (not gone, not a zombie)? */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
