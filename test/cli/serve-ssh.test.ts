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
    `storage: { dir: state }\nrunner: { keep_runs: 1 }\none_time_scripts:\n  - { name: quick, path: ${SCRIPTS}/ticker.sh, env: { N: "2", SECRET: hunter22 }, secret_env: [SECRET] }\n  - { name: leak, path: ${SCRIPTS}/env.sh, env: { SECRET: hunter22 }, secret_env: [SECRET] }\n`,
  );
  return (asked: string) => {
    const r = Bun.spawnSync(
      [process.execPath, join(ROOT, "src/main.ts"), "serve-ssh", "-c", join(dir, "config.yaml")],
      {
        env: {
          PATH: process.env.PATH,
          SSH_ORIGINAL_COMMAND: asked,
          SSH_CONNECTION: "10.0.0.9 5000 10.0.0.1 22",
        },
      },
    );
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
  };
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
});
