import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { textPathOf } from "../../../src/features/runs/files.ts";
import { createRedactor } from "../../../src/shared/redact.ts";
import { setChildSubreaper } from "../../../src/system/libc.ts";
import { configOf, isAlive, liveGroupMembers, makeRunner, SCRIPTS } from "../../support/runner-kit.ts";

const yaml = (scripts: string, extra = "") => `one_time_scripts:\n${scripts}\n${extra}`;

describe("running scripts as real processes", () => {
  test("exit codes are outcomes, not errors; args are fixed by the config", async () => {
    const k = makeRunner(
      yaml(
        "  - { name: ok, path: exit-with.sh }\n  - { name: three, path: exit-with.sh, args: ['3', 'x y'] }",
      ),
    );
    const ok = await k.run("ok");
    expect(ok.outcome).toEqual({ status: "succeeded", exitCode: 0 });
    const three = await k.run("three");
    expect(three.outcome).toEqual({ status: "failed", exitCode: 3, signal: null });
    expect(k.text(three)).toContain("args: 3 x y");
    expect(k.text(three)).toContain("to stderr");
    expect(k.runsRepo.get(three.run.id)).toMatchObject({
      status: "failed",
      exitCode: 3,
      script: "three",
      requestedBy: 1,
    });
  });

  test("a timeout ends the run as timed out", async () => {
    const k = makeRunner(yaml("  - { name: slow, path: sleeper.sh, timeout: 300ms }"));
    const r = await k.run("slow");
    expect(r.outcome).toEqual({ status: "timed_out", timeoutMs: 300 });
    expect(k.runsRepo.get(r.run.id)?.status).toBe("timed_out");
  });

  test("Stop ends the whole process tree, grandchildren included", async () => {
    const k = makeRunner(yaml("  - { name: tree, path: tree.sh }"));
    let pid = 0;
    const done = k.run("tree", {
      output: (run) => {
        if (!pid && /^child \d+/m.test(run.output.tail()))
          pid = Number(/^child (\d+)/m.exec(run.output.tail())?.[1]);
      },
    });
    while (!pid) await Bun.sleep(20);
    expect(liveGroupMembers(pid).length).toBeGreaterThanOrEqual(2);
    expect(k.runner.stop(k.runner.active()[0]?.id as number, "Ada")).toBe(true);
    const r = await done;
    expect(r.outcome).toEqual({ status: "stopped", by: "Ada" });
    await Bun.sleep(100);
    expect(liveGroupMembers(pid)).toEqual([]);
  });

  test("Stop ends children that left the process group (setsid, double fork); the run ends only when they are gone", async () => {
    // The bot is a child subreaper (main.ts); this test process plays the bot.
    expect(setChildSubreaper()).toBe(true);
    const k = makeRunner(yaml("  - { name: escape, path: escape.sh }"), { graceMs: 500 });
    let ready = false;
    const done = k.run("escape", {
      output: (run) => {
        ready ||= run.output.tail().includes("ready");
      },
    });
    while (!ready) await Bun.sleep(20);
    const tail = k.runner.active()[0]?.output.tail() ?? "";
    const escaped = [/setsid (\d+)/, /double (\d+)/].map((re) => Number(re.exec(tail)?.[1]));
    expect(escaped.every(isAlive)).toBe(true);
    k.runner.stop(k.runner.active()[0]?.id as number, "Ada");
    const r = await done;
    expect(r.outcome.status).toBe("stopped");
    expect(r.survivors).toBe(0);
    expect(escaped.filter(isAlive)).toEqual([]);
    // Re-parented orphans were reaped, not left as zombies of this process.
    // (On failure this shows what is left: its /proc stat line, state and parent.)
    const statLine = (pid: number) => {
      try {
        return `${readFileSync(`/proc/${pid}/stat`, "utf8").slice(0, 60)} self=${process.pid}`;
      } catch {
        return undefined; // gone
      }
    };
    expect(escaped.map(statLine).filter(Boolean)).toEqual([]);
  });

  test("a script that ignores SIGTERM is killed after the grace period", async () => {
    const k = makeRunner(yaml("  - { name: stubborn, path: stubborn.sh }"), { graceMs: 500 });
    const done = k.run("stubborn");
    await Bun.sleep(200);
    const t0 = Date.now();
    k.runner.stop(k.runner.active()[0]?.id as number, "Ada");
    const r = await done;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(r.outcome.status).toBe("stopped");
    expect(k.runsRepo.get(r.run.id)?.signal).toBe("SIGKILL");
  });

  test("binary and invalid UTF-8 never crash; colours and control bytes are stripped for Telegram", async () => {
    const k = makeRunner(yaml("  - { name: bin, path: binary.sh }"));
    const r = await k.run("bin");
    expect(r.outcome.status).toBe("succeeded");
    const text = k.text(r);
    expect(text).toContain("valid é\n");
    expect(text).toContain("invalid \uFFFD\uFFFD bytes");
    expect(text).toContain("nulbyte");
    expect(text).toContain("red text");
    expect(text).not.toContain("\x1b");
    expect(text).toContain("progress 100%\n");
    expect(text).not.toContain("progress 10%");
    // The log keeps the bytes exactly.
    const raw = readFileSync(join(k.stateDir, "runs", `${r.run.id}.log`));
    expect(raw.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
  });

  test("10 MB of output: the log is byte-identical to what the script wrote", async () => {
    const k = makeRunner(yaml("  - { name: big, path: big.sh }"));
    const r = await k.run("big");
    const expected = Bun.spawnSync([join(SCRIPTS, "big.sh")]).stdout;
    const log = readFileSync(join(k.stateDir, "runs", `${r.run.id}.log`));
    expect(log.byteLength).toBe(expected.byteLength);
    expect(Bun.hash(log)).toBe(Bun.hash(expected));
    expect(r.run.output.lines()).toBe(200_000);
    expect(k.runsRepo.get(r.run.id)?.outputBytes).toBe(expected.byteLength);
  });

  test("the log is cut at runner.max_log_bytes with a marker", async () => {
    const k = makeRunner(yaml("  - { name: big, path: big.sh }", "runner:\n  max_log_bytes: 100000\n"));
    const r = await k.run("big");
    const log = readFileSync(join(k.stateDir, "runs", `${r.run.id}.log`), "utf8");
    expect(log.length).toBeLessThan(100_200);
    expect(log).toContain("[octopus: log cut at 100000 bytes");
    expect(r.run.output.truncated()).toBe(true);
    expect(r.run.output.bytes()).toBeGreaterThan(9_000_000);
  });

  test("the same script cannot run twice at once; the parallel limit refuses, never queues", async () => {
    const k = makeRunner(
      yaml(
        "  - { name: a, path: sleeper.sh }\n  - { name: b, path: sleeper.sh }\n  - { name: c, path: sleeper.sh }",
        "runner:\n  max_parallel: 2\n",
      ),
    );
    const listener = { finished: () => {} };
    const who = { userId: 1, name: "Ada", chatId: 1, trigger: "user" as const };
    expect(k.runner.start(k.script("a"), who, listener).ok).toBe(true);
    const twice = k.runner.start(k.script("a"), who, listener);
    expect(!twice.ok && twice.error.kind).toBe("already-running");
    expect(k.runner.start(k.script("b"), who, listener).ok).toBe(true);
    const third = k.runner.start(k.script("c"), who, listener);
    expect(!third.ok && third.error).toEqual({ kind: "limit", max: 2 });
    await k.runner.stopAll("test");
    expect(k.runner.active()).toEqual([]);
  });

  test("a script rewritten without a #! line fails with the real cause, not posix_spawn's", async () => {
    const dir = Bun.spawnSync(["mktemp", "-d"]).stdout.toString().trim();
    const path = join(dir, "plain.sh");
    await Bun.write(path, "echo hi\n");
    Bun.spawnSync(["chmod", "+x", path]);
    const k = makeRunner(yaml(`  - { name: plain, path: ${path} }`));
    const started = k.runner.start(
      k.script("plain"),
      { userId: 1, name: "Ada", chatId: 1, trigger: "user" },
      { finished: () => {} },
    );
    if (started.ok || started.error.kind !== "cannot-start") throw new Error("expected cannot-start");
    expect(started.error.reason).toBe(
      `the kernel cannot run ${path}: it has no #! line and is not a binary (add a first line such as #!/bin/sh)`,
    );
  });

  test("a script deleted after the config loaded fails clearly and leaves a history row", async () => {
    const dir = Bun.spawnSync(["mktemp", "-d"]).stdout.toString().trim();
    const path = join(dir, "gone.sh");
    await Bun.write(path, "#!/bin/sh\necho hi\n");
    Bun.spawnSync(["chmod", "+x", path]);
    const k = makeRunner(yaml(`  - { name: gone, path: ${path} }`));
    rmSync(path);
    const started = k.runner.start(
      k.script("gone"),
      { userId: 1, name: "Ada", chatId: 1, trigger: "user" },
      { finished: () => {} },
    );
    expect(started.ok).toBe(false);
    if (started.ok || started.error.kind !== "cannot-start") throw new Error("expected cannot-start");
    expect(started.error.reason).toBe(`no such file: ${path}`);
    expect(k.runsRepo.get(started.error.runId)).toMatchObject({
      status: "failed",
      reason: `no such file: ${path}`,
    });
  });

  test("redaction: config patterns, secret_env values and bot secrets never leave the server", async () => {
    const k = makeRunner(
      `one_time_scripts:\n  - name: s\n    path: secrets.sh\n    env: { API_KEY: sk-live-123456, LEAKED: "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij" }\n    secret_env: [API_KEY]\nredact:\n  - "password=\\\\S+"\n`,
      { secrets: ["123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"] },
    );
    const r = await k.run("s");
    const text = k.text(r);
    expect(text).toBe("api key is [redacted]\n[redacted] in a line\nbot token [redacted]\n");
    expect(r.run.output.tail()).not.toContain("sk-live");
    // The raw log on the server keeps what the script wrote (mode 0600 folder).
    expect(readFileSync(join(k.stateDir, "runs", `${r.run.id}.log`), "utf8")).toContain("sk-live-123456");
    expect(statSync(join(k.stateDir, "runs")).mode & 0o777).toBe(0o700);
  });

  test("the child environment has the run variables and no bot secrets", async () => {
    const k = makeRunner(yaml("  - { name: env, path: env.sh, env: { MINE: 'yes' } }"), {
      env: {
        TELEGRAM_TOKEN: "123:abc",
        TELEGRAM_BOT_TOKEN: "x",
        OCTOPUS_SECRET_KEY: "k",
        PLUME_AUTH_HEADER: "Basic zzz",
        OTHER: "1",
        COPY: "s3cr3t-value",
      },
      secrets: ["s3cr3t-value"],
    });
    const env = k.text(await k.run("env"));
    for (const name of [
      "TELEGRAM_TOKEN",
      "TELEGRAM_BOT_TOKEN",
      "OCTOPUS_SECRET_KEY",
      "PLUME_AUTH_HEADER",
      "COPY",
    ]) {
      expect(env).not.toContain(`${name}=`);
    }
    expect(env).toContain("OTHER=1");
    expect(env).toContain("MINE=yes");
    expect(env).toMatch(/OCTOPUS_RUN_ID=\d+/);
    expect(env).toContain("OCTOPUS_SCRIPT=env");
    expect(env).toContain("OCTOPUS_USER_ID=1");
    expect(env).toContain("OCTOPUS_CHAT_ID=1");
  });

  test("a restart turns rows left running into interrupted ones and ends their orphaned processes", async () => {
    const k = makeRunner(yaml("  - { name: slow, path: sleeper.sh }"));
    const started = k.runner.start(
      k.script("slow"),
      { userId: 1, name: "Ada", chatId: 42, trigger: "user" },
      { finished: () => {} },
    );
    if (!started.ok) throw new Error("did not start");
    await Bun.sleep(100);
    const row = k.runsRepo.get(started.value.id);
    expect(row?.pid).toBeGreaterThan(0);
    // A second runner on the same database plays the restarted bot.
    const { createRunner } = await import("../../../src/features/runs/runner.ts");
    const again = createRunner({
      stateDir: k.stateDir,
      runsRepo: k.runsRepo,
      clock: { now: () => Date.now() },
      log: k.log,
      limits: configOf("{}").runner,
      redactPatterns: [],
      env: {},
      redactor: createRedactor(),
    });
    const interrupted = again.recoverInterrupted();
    expect(interrupted.map((r) => [r.id, r.chatId])).toEqual([[started.value.id, 42]]);
    expect(k.runsRepo.get(started.value.id)?.status).toBe("interrupted");
    await Bun.sleep(100);
    expect(liveGroupMembers(row?.pid as number)).toEqual([]);
    expect(again.recoverInterrupted()).toEqual([]);
  });

  test("a run another live process owns (a server's serve-ssh run) is neither recovered nor run twice", async () => {
    const k = makeRunner(yaml("  - { name: slow, path: sleeper.sh }"));
    const { processStartTime } = await import("../../../src/features/runs/process-groups.ts");
    const owner = Bun.spawn(["sleep", "30"]);
    const row = {
      script: "slow",
      kind: "oneshot" as const,
      trigger: "user" as const,
      requestedBy: null,
      requestedByName: "fleet hub 10.0.0.1",
      chatId: null,
      startedAt: Date.now(),
    };
    const id = k.runsRepo.start({ ...row, ownerPid: owner.pid, ownerStart: processStartTime(owner.pid) });
    expect(k.runner.recoverInterrupted()).toEqual([]);
    expect(k.runsRepo.get(id)?.status).toBe("running");
    const refused = k.runner.start(
      k.script("slow"),
      { userId: 1, name: "Ada", chatId: 1, trigger: "user" },
      {
        finished: () => {},
      },
    );
    expect(!refused.ok && refused.error.kind).toBe("running-elsewhere");
    // Its owner gone, the row is an interrupted run like any other.
    owner.kill("SIGKILL");
    await owner.exited;
    expect(k.runner.recoverInterrupted().map((r) => r.id)).toEqual([id]);
    expect(k.runsRepo.get(id)?.status).toBe("interrupted");
  });

  test("max_parallel counts runs other live processes own on this state (a server's serve-ssh runs)", async () => {
    const k = makeRunner(
      `runner:\n  max_parallel: 1\n${yaml("  - { name: slow, path: sleeper.sh }\n  - { name: other, path: sleeper.sh }")}`,
    );
    const { processStartTime } = await import("../../../src/features/runs/process-groups.ts");
    const owner = Bun.spawn(["sleep", "30"]);
    k.runsRepo.start({
      script: "other",
      kind: "oneshot",
      trigger: "user",
      requestedBy: null,
      requestedByName: "fleet hub 10.0.0.1",
      chatId: null,
      startedAt: Date.now(),
      ownerPid: owner.pid,
      ownerStart: processStartTime(owner.pid),
    });
    const requester = { userId: 1, name: "Ada", chatId: 1, trigger: "user" as const };
    const refused = k.runner.start(k.script("slow"), requester, { finished: () => {} });
    expect(!refused.ok && refused.error).toEqual({ kind: "limit", max: 1 });
    // No row was written for the refused run.
    expect(k.runsRepo.running().map((r) => r.script)).toEqual(["other"]);
    // Once that process is gone its run no longer counts.
    owner.kill("SIGKILL");
    await owner.exited;
    const started = k.runner.start(k.script("slow"), requester, { finished: () => {} });
    expect(started.ok).toBe(true);
    await k.runner.stopAll("test");
  });

  test("keep_runs: pruning removes both files of old runs, and /log's path rule finds the kept ones", async () => {
    const k = makeRunner(`
runner: { keep_runs: 2 }
one_time_scripts:
  - { name: ok, path: ${SCRIPTS}/exit-with.sh }
`);
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await k.run("ok"));
    const [first, second] = runs.map((r) => r.run);
    const files = readdirSync(join(k.stateDir, "runs")).sort();
    expect(files).not.toContain(`${first?.id}.log`);
    expect(files).not.toContain(`${first?.id}-ok.txt`);
    expect(files).toContain(`${second?.id}.log`);
    expect(files).toContain(`${second?.id}-ok.txt`);
    const row = k.runsRepo.get(second?.id as number);
    expect(textPathOf(row?.logPath as string, row?.script as string)).toBe(second?.textPath as string);
    expect(k.runsRepo.get(first?.id as number)?.logPath).toBeNull();
  });

  test("keep_history: rows older than it are deleted, newer ones and running ones kept", () => {
    const k = makeRunner(`
runner: { keep_history: 1d }
one_time_scripts:
  - { name: ok, path: ${SCRIPTS}/exit-with.sh }
`);
    const now = Date.now();
    const old = (startedAt: number, status = "succeeded") => {
      const id = k.runsRepo.start({
        script: "ok",
        kind: "oneshot",
        trigger: "user",
        requestedBy: 1,
        requestedByName: "Ada",
        chatId: 1,
        startedAt,
      });
      if (status !== "running")
        k.runsRepo.finish(id, {
          endedAt: startedAt + 1,
          exitCode: 0,
          signal: null,
          status: "succeeded",
          reason: null,
          outputBytes: 0,
        });
      return id;
    };
    const ancient = old(now - 3 * 86_400_000);
    const stillRunning = old(now - 3 * 86_400_000, "running");
    const recent = old(now - 3_600_000);
    k.runner.prune();
    expect(k.runsRepo.get(ancient)).toBeUndefined();
    expect(k.runsRepo.get(stillRunning)?.status).toBe("running");
    expect(k.runsRepo.get(recent)?.status).toBe("succeeded");
  });

  test("the prune queries use their indexes, not a scan of the history", () => {
    const k = makeRunner(`
one_time_scripts:
  - { name: ok, path: ${SCRIPTS}/exit-with.sh }
`);
    const plan = (sql: string) =>
      (k.db.query(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join(" | ");
    expect(
      plan(
        "SELECT id, log_path FROM runs INDEXED BY runs_with_log WHERE log_path IS NOT NULL ORDER BY id DESC LIMIT -1 OFFSET 200",
      ),
    ).toContain("USING INDEX runs_with_log");
    expect(
      plan("SELECT id FROM runs WHERE started_at < 5 AND status != 'running' ORDER BY started_at LIMIT 5000"),
    ).toContain("USING INDEX runs_started");
  });
});
