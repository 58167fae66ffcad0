import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { freePort, spawnBot } from "../support/bot-process.ts";
import { ADMIN } from "../support/harness.ts";
import { parsePrometheus } from "../support/prom-parse.ts";
import { isAlive, liveGroupMembers, SCRIPTS } from "../support/runner-kit.ts";

const servers: ReturnType<typeof startLocalBotApi>[] = [];
const procs: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) p.kill("SIGKILL");
  for (const s of servers.splice(0)) await s.stop();
});

const CONFIG = (extra = "") => `
telegram:
  admins: [${ADMIN.id}]
one_time_scripts:
  - { name: hello, path: ${SCRIPTS}/exit-with.sh }
long_running_scripts:
  - { name: tree, path: ${SCRIPTS}/tree.sh }
monitored_devices:
  - { name: root, path: / }
${extra}`;

function setup(config = CONFIG()) {
  const api = startLocalBotApi();
  servers.push(api);
  api.openChat(ADMIN.id, ADMIN);
  const bot = spawnBot(api, config);
  procs.push(bot.proc);
  const message = (pattern: RegExp, timeoutMs = 10_000) =>
    api.waitFor(
      (e) => (e.type === "message" || e.type === "edit") && pattern.test(e.message.text),
      timeoutMs,
    );
  return { api, bot, message };
}

const runRow = (stateDir: string) =>
  new Database(join(stateDir, "octopus.db"), { readonly: true })
    .query("SELECT status, reason, pid FROM runs ORDER BY id DESC LIMIT 1")
    .get() as {
    status: string;
    reason: string;
    pid: number;
  };

describe("the bot as a process", () => {
  test("SIGTERM during a run: the run is stopped (reason shutdown), its chat told, exit 0 within 10 s", async () => {
    const { api, bot, message } = setup();
    await bot.ready();
    api.userSays(ADMIN.id, ADMIN, "/run tree");
    await message(/child \d+/);
    const pgid = Number(
      /^child (\d+)/m.exec(
        api.state.events.map((e) => (e.type === "edit" ? e.message.text : "")).join("\n"),
      )?.[1],
    );
    const t0 = Date.now();
    bot.proc.kill("SIGTERM");
    expect(await bot.proc.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(
      api.state.events.some(
        (e) => e.type === "edit" && e.message.text.startsWith("⏹ tree · stopped by shutdown"),
      ),
    ).toBe(true);
    expect(runRow(bot.stateDir)).toMatchObject({ status: "stopped", reason: "stopped by shutdown" });
    expect(liveGroupMembers(pgid)).toEqual([]);
  }, 30_000);

  test("kill -9 in the middle of a run, then a restart: interrupted, told once, no orphan left", async () => {
    const { api, bot, message } = setup();
    await bot.ready();
    api.userSays(ADMIN.id, ADMIN, "/run tree");
    await message(/child \d+/);
    const pid = runRow(bot.stateDir).pid;
    expect(liveGroupMembers(pid).length).toBeGreaterThan(0);
    bot.proc.kill("SIGKILL");
    await bot.proc.exited;
    // The children survive the bot (own session): the restart must end them.
    expect(liveGroupMembers(pid).length).toBeGreaterThan(0);
    const again = spawnBot(api, CONFIG(), { configDir: bot.configDir, stateDir: bot.stateDir });
    procs.push(again.proc);
    await message(/^💥 Run #\d+ \(tree\) was interrupted/);
    await Bun.sleep(200);
    expect(liveGroupMembers(pid)).toEqual([]);
    expect(runRow(bot.stateDir).status).toBe("interrupted");
    again.proc.kill("SIGTERM");
    expect(await again.proc.exited).toBe(0);
  }, 30_000);

  test("kill -9, then a restart: processes that left the run's group (setsid, double fork) are ended too", async () => {
    // The tree script swapped for one whose children leave its process group.
    const config = CONFIG(
      `long_running_scripts:\n  - { name: escape, path: ${SCRIPTS}/escape.sh }\n`,
    ).replace(/long_running_scripts:\n {2}- \{ name: tree[^\n]*\n/, "");
    const { api, bot, message } = setup(config);
    await bot.ready();
    api.userSays(ADMIN.id, ADMIN, "/run escape");
    const shown = await message(/ready/);
    const text = shown.type === "message" || shown.type === "edit" ? shown.message.text : "";
    const escaped = [/setsid (\d+)/, /double (\d+)/].map((re) => Number(re.exec(text)?.[1]));
    expect(escaped.every(isAlive)).toBe(true);
    bot.proc.kill("SIGKILL");
    await bot.proc.exited;
    expect(escaped.every(isAlive)).toBe(true);
    const again = spawnBot(api, config, {
      configDir: bot.configDir,
      stateDir: bot.stateDir,
    });
    procs.push(again.proc);
    await message(/^💥 Run #\d+ \(escape\) was interrupted/);
    for (let i = 0; i < 50 && escaped.some(isAlive); i++) await Bun.sleep(20);
    expect(escaped.filter(isAlive)).toEqual([]);
    again.proc.kill("SIGTERM");
    expect(await again.proc.exited).toBe(0);
  }, 30_000);

  test("SIGHUP with a broken config keeps the old one and tells the admins; a good one reloads", async () => {
    const { api, bot, message } = setup();
    await bot.ready();
    bot.writeConfig(`${CONFIG()}\nalerts:\n  for: many\n`);
    bot.proc.kill("SIGHUP");
    const failed = await message(/^⚠️ Config reload failed/);
    expect(failed.type === "message" && failed.message.text).toContain("alerts.for: expected a whole number");
    expect(bot.output()).toContain("config reload failed");
    api.userSays(ADMIN.id, ADMIN, "/run hello");
    await message(/^✅ hello · exit 0/);
    bot.writeConfig(
      CONFIG(`one_time_scripts:\n  - { name: hi2, path: ${SCRIPTS}/exit-with.sh }\n`).replace(
        /one_time_scripts:\n {2}- \{ name: hello[^\n]*\n/,
        "",
      ),
    );
    bot.proc.kill("SIGHUP");
    await message(/^🔄 Config reloaded\.$/);
    api.userSays(ADMIN.id, ADMIN, "/run hi2");
    await message(/^✅ hi2 · exit 0/);
    bot.proc.kill("SIGTERM");
    expect(await bot.proc.exited).toBe(0);
  }, 40_000);

  test("a reload leaves running scripts alone: they finish and report, /jobs, Stop and a shutdown still reach them", async () => {
    const scripts = (oneTime: string) => `
telegram:
  admins: [${ADMIN.id}]
one_time_scripts:
  - { name: ${oneTime}, path: ${SCRIPTS}/exit-with.sh }
long_running_scripts:
  - { name: sleeper, path: ${SCRIPTS}/sleeper.sh }
  - { name: slow, path: ${SCRIPTS}/ticker.sh, env: { N: "12" } }
  - { name: idle, path: ${SCRIPTS}/sleeper.sh }
monitored_devices:
  - { name: root, path: / }
`;
    const withScripts = scripts("hello");
    const { api, bot, message } = setup(withScripts);
    await bot.ready();
    api.userSays(ADMIN.id, ADMIN, "/run sleeper");
    const live = await message(/sleeping/);
    api.userSays(ADMIN.id, ADMIN, "/run slow");
    await message(/tick 1\b/);
    api.userSays(ADMIN.id, ADMIN, "/run idle");
    await message(/^▶️ idle[\s\S]*sleeping/);
    const pid = (
      new Database(join(bot.stateDir, "octopus.db"), { readonly: true })
        .query("SELECT pid FROM runs WHERE script = 'sleeper'")
        .get() as { pid: number }
    ).pid;
    // A valid new config (one more script): only new runs use it.
    bot.writeConfig(scripts("hi2"));
    bot.proc.kill("SIGHUP");
    await message(/^🔄 Config reloaded\.$/);
    expect(isAlive(pid)).toBe(true);
    expect(bot.output()).not.toContain("interrupted");
    api.userSays(ADMIN.id, ADMIN, "/jobs");
    const jobs = await message(/#\d+ sleeper ·/);
    expect(jobs.type === "message" && jobs.message.text).toMatch(/#\d+ slow ·/);
    // One at a time per script holds across the reload.
    api.userSays(ADMIN.id, ADMIN, "/run sleeper");
    await message(/sleeper is already running/);
    // "slow" ends by itself after the reload and reports through the message it started.
    await message(/^✅ slow · exit 0/, 15_000);
    // The Stop button of the message sent before the reload still stops its run.
    const stop = live.type === "message" || live.type === "edit" ? live.message : undefined;
    const data = stop?.keyboard?.[0]?.[0]?.callback_data as string;
    expect(data).toBeTruthy();
    api.press(ADMIN.id, stop?.messageId as number, data, ADMIN);
    await message(/^⏹ sleeper · stopped by/);
    const rows = new Database(join(bot.stateDir, "octopus.db"), { readonly: true })
      .query("SELECT script, status FROM runs ORDER BY id")
      .all();
    expect(rows).toEqual([
      { script: "sleeper", status: "stopped" },
      { script: "slow", status: "succeeded" },
      { script: "idle", status: "running" },
    ]);
    api.userSays(ADMIN.id, ADMIN, "/run hi2");
    await message(/^✅ hi2 · exit 0/);
    // A stop ends the predecessor's run too, and its chat is told before the bot exits.
    bot.proc.kill("SIGTERM");
    await message(/^⏹ idle · stopped by shutdown/);
    expect(await bot.proc.exited).toBe(0);
    const idle = new Database(join(bot.stateDir, "octopus.db"), { readonly: true })
      .query("SELECT status, reason FROM runs WHERE script = 'idle'")
      .get();
    expect(idle).toEqual({ status: "stopped", reason: "stopped by shutdown" });
  }, 60_000);

  test("a second instance on the same state directory exits 2 with a clear message", async () => {
    const { api, bot } = setup();
    await bot.ready();
    const second = spawnBot(api, CONFIG(), { configDir: bot.configDir, stateDir: bot.stateDir });
    procs.push(second.proc);
    expect(await second.proc.exited).toBe(2);
    expect(second.output()).toContain(`another octopus (pid ${bot.proc.pid}) is using the state directory`);
  }, 20_000);

  test("/metrics parses as Prometheus text and /healthz answers 200 while polling works", async () => {
    const port = freePort();
    const { api, bot, message } = setup(
      CONFIG(`http:\n  listen: 127.0.0.1:${port}\nalerts:\n  check: "* * * * * *"\n`),
    );
    await bot.ready();
    api.userSays(ADMIN.id, ADMIN, "/run hello");
    await message(/^✅ hello/);
    api.userSays(ADMIN.id, ADMIN, "/nope");
    await message(/^Unknown command/);
    await Bun.sleep(1200);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const { types, samples } = parsePrometheus(await res.text());
    const value = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(types.get("octopus_script_run_duration_seconds")).toBe("histogram");
    expect(value("octopus_up")).toBe(1);
    expect(value("octopus_build_info")).toBe(1);
    expect(value("octopus_commands_total", { command: "run", outcome: "ok" })).toBe(1);
    expect(value("octopus_commands_total", { command: "other", outcome: "unknown" })).toBe(1);
    expect(value("octopus_script_runs_total", { script: "hello", status: "succeeded" })).toBe(1);
    expect(value("octopus_script_run_duration_seconds_count", { script: "hello" })).toBe(1);
    expect(value("octopus_outbox_depth")).toBeGreaterThanOrEqual(0);
    expect(value("octopus_alert_level", { check: "disk:root" })).toBe(0);
    expect(value("octopus_disk_used_percent", { device: "root" })).toBeGreaterThan(0);
    expect(value("octopus_load_average", { period: "5m" })).toBeGreaterThanOrEqual(0);
    expect(value("octopus_memory_used_percent")).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    bot.proc.kill("SIGTERM");
    expect(await bot.proc.exited).toBe(0);
  }, 30_000);
});

describe("the console", () => {
  /** `octopus console` on a pipe in `dir` (its config.yaml, state/ beside it); `out()` is all it printed so far. */
  function startConsole(dir: string) {
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "../../src/main.ts"), "console"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        CONFIG_FILE: join(dir, "config.yaml"),
        OCTOPUS_STATE_DIR: join(dir, "state"),
      },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    procs.push(proc);
    let printed = "";
    void (async () => {
      for await (const chunk of proc.stdout) printed += new TextDecoder().decode(chunk);
    })();
    return { proc, out: () => printed };
  }

  test("Ctrl-C (SIGINT) stops it like SIGTERM stops the bot: runs stopped for shutdown, told, database closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-console-"));
    writeFileSync(join(dir, "config.yaml"), CONFIG());
    const { proc, out } = startConsole(dir);
    const until = async (text: string) => {
      for (let i = 0; i < 300 && !out().includes(text); i++) await Bun.sleep(20);
      expect(out()).toContain(text);
    };
    await until("Ctrl-D exits");
    proc.stdin.write("/run tree\n");
    await proc.stdin.flush();
    await until("tree");
    await Bun.sleep(300);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
    expect(out()).toContain("stopped by shutdown");
    const db = new Database(join(dir, "state", "octopus.db"), { readonly: true });
    expect(db.query("SELECT status, reason FROM runs").all()).toEqual([
      { status: "stopped", reason: "stopped by shutdown" },
    ]);
    db.close();
    const log = readFileSync(join(dir, "state", "console.log"), "utf8");
    expect(log).not.toContain("Database has closed");
    expect(log.trim().split("\n").at(-1)).toContain("stopped");
  }, 30_000);

  test("an alert reaches the console's own chat, not the configured admins' chats", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-console-"));
    // Memory is always above 0 %: the check fires after two checks a second apart.
    writeFileSync(
      join(dir, "config.yaml"),
      "telegram:\n  admins: [555000111]\nalerts:\n  check: '* * * * * *'\n  memory: {warn: 0, crit: 0}\n",
    );
    const { proc, out } = startConsole(dir);
    const chat = () => out().slice(out().indexOf("Ctrl-D exits"));
    for (let i = 0; i < 500 && !/memory/i.test(chat()); i++) await Bun.sleep(20);
    expect(chat()).toMatch(/memory/i);
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
    expect(readFileSync(join(dir, "state", "console.log"), "utf8")).not.toContain("chat not found");
  }, 30_000);
});
