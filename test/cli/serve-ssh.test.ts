import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/** `octopus serve-ssh` as sshd runs it: the request in SSH_ORIGINAL_COMMAND, answers on stdout. */

const ROOT = resolve(import.meta.dir, "../..");
const SCRIPTS = join(ROOT, "test/fixtures/scripts");

function server() {
  const dir = mkdtempSync(join(tmpdir(), "octopus-serve-ssh-"));
  writeFileSync(
    join(dir, "config.yaml"),
    `storage: { dir: state }\nrunner: { keep_runs: 1 }\none_time_scripts:\n  - { name: quick, path: ${SCRIPTS}/ticker.sh, env: { N: "2", SECRET: hunter22 }, secret_env: [SECRET] }\n  - { name: leak, path: ${SCRIPTS}/env.sh, env: { SECRET: hunter22 }, secret_env: [SECRET] }\n  - { name: gated, path: ${SCRIPTS}/args.sh, approval: { approvers: 1 } }\n  - { name: asks, path: ${SCRIPTS}/args.sh, args: ["{unit}"], params: [{ name: unit, type: string }] }\n  - { name: fills, path: ${SCRIPTS}/args.sh, args: ["{unit}"], params: [{ name: unit, type: string, default: nginx }] }\n  - name: restart\n    path: ${SCRIPTS}/args.sh\n    args: ["--unit={unit}", "{note}"]\n    params:\n      - { name: unit, type: choice, choices_from: { path: ${SCRIPTS}/list-units.sh } }\n      - { name: note, type: string, required: false, regex: "[a-z ;/-]+" }\n      - { name: token, type: string, secret: true, required: false }\ntelegram: { admins: [1, 2] }\n`,
  );
  const ask = (asked: string, stdin?: string) => {
    const r = Bun.spawnSync(
      [process.execPath, join(ROOT, "src/main.ts"), "serve-ssh", "-c", join(dir, "config.yaml")],
      {
        env: {
          PATH: process.env.PATH,
          SSH_ORIGINAL_COMMAND: asked,
          SSH_CONNECTION: "10.0.0.9 5000 10.0.0.1 22",
        },
        stdin: stdin === undefined ? "ignore" : Buffer.from(stdin),
      },
    );
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
  };
  return Object.assign(ask, { db: join(dir, "state", "octopus.db") });
}

describe("serve-ssh run, stop, log", () => {
  test("a run: a start frame, the text, an end frame; recorded in this server's history", () => {
    const ask = server();
    const run = ask("run quick");
    expect(run.code).toBe(0);
    const lines = run.out.split("\n");
    expect(JSON.parse(lines[0]?.slice(1) ?? "")).toMatchObject({ run: 1, script: "quick", kind: "oneshot" });
    expect(lines.slice(1, 3)).toEqual(["tick 1", "tick 2"]);
    expect(JSON.parse(lines[3]?.slice(1) ?? "").end).toMatchObject({ status: "succeeded", exitCode: 0 });
    expect(JSON.parse(ask("history --json").out)[0]).toMatchObject({
      id: 1,
      script: "quick",
      status: "succeeded",
      requestedByName: "fleet hub 10.0.0.9",
    });
    const log = ask("log 1");
    expect(log.out).toBe(`\x1e{"run":1,"script":"quick"}\ntick 1\ntick 2\n`);
  });

  test("what leaves the server is redacted by the server's own config", () => {
    const ask = server();
    const run = ask("run leak");
    expect(run.out).toContain("SECRET=");
    expect(run.out).not.toContain("hunter22");
  });

  test("refusals: a script it does not list, a run that is not running, a log that is gone", () => {
    const ask = server();
    expect(ask("run nope")).toMatchObject({
      code: 1,
      out: `\x1e{"refused":"this server has no script nope"}\n`,
    });
    // A hub can neither prove a second admin's approval nor ask for values.
    expect(ask("run gated")).toMatchObject({
      code: 1,
      out: `\x1e{"refused":"gated needs approval: run it from this server's own bot"}\n`,
    });
    expect(ask("run asks")).toMatchObject({
      code: 1,
      out: `\x1e{"refused":"asks takes parameters: this hub sends no values (update its octopus)"}\n`,
    });
    expect(ask("run fills").out).toContain("[nginx]");
    expect(ask("stop 5")).toMatchObject({ code: 1, out: "run #5 is not running\n" });
    expect(ask("log 5")).toMatchObject({ code: 1, out: "no run #5\n" });
    ask("run quick");
    ask("run quick"); // keep_runs: 1 prunes the first run's files
    expect(ask("log 1")).toMatchObject({
      code: 1,
      out: "the log of run #1 was pruned (runner.keep_runs is 1)\n",
    });
    expect(ask("run quick; reboot").code).toBe(2);
    expect(ask("stop 1 2").code).toBe(2);
  });

  test("a run's start recovers rows whose recorded owner died, never rows without an owner", () => {
    const ask = server();
    ask("run quick"); // creates the state
    const db = new Database(ask.db);
    const insert = db.query(
      `INSERT INTO runs (script, kind, trigger, started_at, status, owner_pid, owner_start)
       VALUES ('quick', 'oneshot', 'user', ?, 'running', ?, ?) RETURNING id`,
    );
    // No owner: written before owners were recorded, maybe by an older bot still running.
    const legacy = (insert.get(Date.now(), null, null) as { id: number }).id;
    // An owner that is gone: a pid no process has (above the kernel's pid_max).
    const dead = (insert.get(Date.now(), 4_194_305, "1") as { id: number }).id;
    db.close();
    expect(ask("run leak").code).toBe(0);
    const after = new Database(ask.db, { readonly: true });
    const status = (id: number) =>
      (after.query("SELECT status FROM runs WHERE id = ?").get(id) as { status: string }).status;
    expect(status(legacy)).toBe("running");
    expect(status(dead)).toBe("interrupted");
    after.close();
  });

  test("scripts --json lists each script's params (a choices_from only as true) and whether it needs approval", () => {
    const ask = server();
    const listed = JSON.parse(ask("scripts --json").out) as Record<string, unknown>[];
    const restart = listed.find((s) => s.name === "restart");
    expect(restart).toMatchObject({ approval: false, revision: expect.any(String) });
    expect(restart?.params).toEqual([
      { name: "unit", type: "choice", required: true, secret: false, choices_from: true },
      { name: "note", type: "string", required: false, secret: false, regex: "[a-z ;/-]+" },
      { name: "token", type: "string", required: false, secret: true },
    ]);
    expect(listed.find((s) => s.name === "gated")).toMatchObject({ approval: true, params: [] });
    // The list is made here, on the hub's asking.
    expect(ask("choices restart unit")).toMatchObject({
      code: 0,
      out: `${JSON.stringify({ choices: ["nginx", "postgres", "redis"], truncated: false })}\n`,
    });
    expect(ask("choices restart note")).toMatchObject({
      code: 1,
      out: `${JSON.stringify({ error: "restart has no list for note" })}\n`,
    });
    expect(ask("choices restart; id").code).toBe(2);
  });

  test("run NAME --values: values on stdin, each checked here again; argv intact, secrets redacted, the asker recorded", () => {
    const ask = server();
    const revision = (JSON.parse(ask("scripts --json").out) as { name: string; revision: string }[]).find(
      (s) => s.name === "restart",
    )?.revision as string;
    const values = (v: Record<string, string>, r = revision) =>
      JSON.stringify({ revision: r, values: v, by: "Ada" });
    const run = ask(
      "run restart --values",
      values({ unit: "nginx", note: "x; rm -rf /", token: "s3cr3t-tok" }),
    );
    expect(run.code).toBe(0);
    expect(run.out).toContain("[--unit=nginx]\n[x; rm -rf /]\n");
    expect(run.out).toContain("OCTOPUS_PARAM_TOKEN=[redacted]");
    expect(run.out).not.toContain("s3cr3t-tok");
    expect(JSON.parse(ask("history --json").out)[0]).toMatchObject({
      script: "restart",
      status: "succeeded",
      requestedByName: "Ada via fleet hub 10.0.0.9",
    });
    const refused = (stdin: string) => JSON.parse(ask("run restart --values", stdin).out.slice(1)).refused;
    // A value off the server's list, a regex miss, a missing value, an unknown name, a changed script, garbage.
    expect(refused(values({ unit: "sshd" }))).toBe("unit must be one of: nginx, postgres, redis");
    expect(refused(values({ unit: "nginx", note: "Upper" }))).toStartWith("note must match");
    expect(refused(values({}))).toBe("unit is required");
    expect(refused(values({ unit: "nginx", other: "1" }))).toBe("restart has no parameter other");
    expect(refused(values({ unit: "nginx" }, "old"))).toBe(
      "restart changed on this server since the form began: ask again",
    );
    expect(refused("{not json")).toBe("its values could not be read");
    expect(refused("x".repeat(200 * 1024))).toBe("its values are too long");
    // Refusals ran nothing: one run in the history.
    expect(JSON.parse(ask("history --json").out)).toHaveLength(1);
  });
});
