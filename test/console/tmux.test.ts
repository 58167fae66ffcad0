import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * The console as a person uses it: in a real terminal (tmux), keys sent with send-keys and
 * the screen read back with capture-pane.
 */

const ROOT = resolve(import.meta.dir, "../..");
const SCRIPTS = join(ROOT, "test/fixtures/scripts");
const hasTmux = Bun.which("tmux") !== null;
// Each test gets its own tmux server: a server still shutting down after the last test's
// kill-server must not swallow the next one's new-session.
let session = "";
let tests = 0;
const tmux = (...args: string[]) => Bun.spawnSync(["tmux", "-L", session, ...args]);
function start(command: string) {
  session = `octopus-test-${process.pid}-${++tests}`;
  const r = tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "50", command);
  if (r.exitCode !== 0) throw new Error(`tmux new-session failed: ${r.stderr.toString()}`);
}
const screen = () => tmux("capture-pane", "-p", "-t", session).stdout.toString();
const keys = (...k: string[]) => tmux("send-keys", "-t", session, ...k);

async function until(check: (s: string) => boolean, what: string, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = screen();
    if (check(s)) return s;
    if (Date.now() > deadline) throw new Error(`screen never showed ${what}:\n${s}`);
    await Bun.sleep(100);
  }
}

afterEach(() => {
  tmux("kill-server");
});

describe.skipIf(!hasTmux)("the console in a terminal", () => {
  test("a prompt with line editing and history, a live run redrawn in place, the documents folder removed on exit", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-tty-"));
    writeFileSync(
      join(dir, "config.yaml"),
      `telegram:\n  admins: [1]\nlong_running_scripts:\n  - { name: ticker, path: ${SCRIPTS}/ticker.sh, env: { N: "12" } }\none_time_scripts:\n  - { name: big, path: ${SCRIPTS}/big.sh }\n`,
    );
    const env = `TMPDIR=${dir} CONFIG_FILE=${dir}/config.yaml OCTOPUS_STATE_DIR=${dir}/state`;
    const command = `cd ${dir} && env ${env} ${process.execPath} ${ROOT}/src/main.ts console; echo EXITED $?; sleep 60`;
    start(command);
    await until((s) => s.includes("Ctrl-D exits") && /^›\s*$/m.test(s), "the prompt");

    // Line editing: type, move left, insert; then the line as edited is what is sent.
    keys("/whoam");
    keys("Left", "Left", "Left", "Left", "Left");
    keys("x", "BSpace", "End", "i", "Enter");
    await until((s) => s.includes("You are console, Telegram user id 1, role admin."), "the /whoami answer");

    // A live run: one copy of its message on the screen however many edits it had.
    keys("/run ticker", "Enter");
    const done = await until((s) => /✅ ticker · exit 0/.test(s), "the run's end");
    expect(done.match(/\(edited\)/g)).toHaveLength(1);
    expect(done.match(/^tick 12$/gm)).toHaveLength(1);
    expect(done.match(/^tick 1$/gm)).toHaveLength(1);

    // History: Up brings back the last line sent.
    keys("Up");
    await until((s) => /^› \/run ticker$/m.test(s), "the recalled line");
    keys("C-u");

    // A document goes to the one folder named at the start, which is gone after Ctrl-D.
    keys("/run big", "Enter");
    const saved = await until((s) => s.includes("saved to"), "the saved document");
    const folder = /saved to (\S+\/octopus-console-[^/]+)\//.exec(saved.replace(/\n/g, ""))?.[1] ?? "";
    expect(folder.startsWith(dir)).toBe(true);
    expect(readdirSync(folder).some((f) => f.endsWith("octopus-run-2-big.txt"))).toBe(true);
    keys("C-d");
    await until((s) => s.includes("EXITED 0"), "a clean exit");
    expect(existsSync(folder)).toBe(false);
  }, 60_000);

  test("a /run form as a person answers it: a numbered choice, a typed number, then Run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-tty-"));
    writeFileSync(
      join(dir, "config.yaml"),
      `telegram:\n  admins: [1]\none_time_scripts:\n  - name: restart\n    path: ${SCRIPTS}/args.sh\n    args: ["{service}", "{count}"]\n    params:\n      - { name: service, type: choice, choices: [nginx, postgres] }\n      - { name: count, type: integer, min: 1, max: 5 }\n`,
    );
    const env = `TMPDIR=${dir} CONFIG_FILE=${dir}/config.yaml OCTOPUS_STATE_DIR=${dir}/state`;
    start(`env ${env} ${process.execPath} ${ROOT}/src/main.ts console; echo EXITED $?; sleep 60`);
    await until((s) => /^›\s*$/m.test(s), "the prompt");
    keys("/run restart", "Enter");
    const asked = await until((s) => /\[2\] postgres/.test(s), "the choice buttons");
    expect(asked).toContain("[1] nginx");
    keys("2", "Enter");
    await until((s) => s.includes("↩️ type your answer (count)"), "the typed question");
    // Digits answer the question now; they do not press button 3.
    keys("9", "Enter");
    await until(
      (s) => /count must be at most 5\.\n[\s\S]*↩️ type your answer \(count\)/.test(s),
      "the rule it broke, asked again",
    );
    keys("3", "Enter");
    const summary = await until((s) => /\[\d+\] ▶️ Run/.test(s), "the summary");
    const run = /\[(\d+)\] ▶️ Run/.exec(summary)?.[1] ?? "";
    keys(run, "Enter");
    const done = await until((s) => /✅ restart · exit 0/.test(s), "the run's end");
    expect(done).toContain("[postgres]");
    expect(done).toContain("[3]");
    keys("C-d");
    await until((s) => s.includes("EXITED 0"), "a clean exit");
  }, 60_000);

  test("Ctrl-C leaves cleanly too, and .keep keeps the documents folder", async () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-tty-"));
    writeFileSync(
      join(dir, "config.yaml"),
      `telegram:\n  admins: [1]\none_time_scripts:\n  - { name: big, path: ${SCRIPTS}/big.sh }\n`,
    );
    const env = `TMPDIR=${dir} CONFIG_FILE=${dir}/config.yaml OCTOPUS_STATE_DIR=${dir}/state`;
    start(`env ${env} ${process.execPath} ${ROOT}/src/main.ts console; echo EXITED $?; sleep 60`);
    await until((s) => /^›\s*$/m.test(s), "the prompt");
    keys("/run big", "Enter");
    await until((s) => s.includes("saved to"), "the saved document");
    keys(".keep", "Enter");
    await until((s) => s.includes("will be kept."), "the .keep answer");
    keys("C-c");
    await until((s) => s.includes("EXITED 0"), "a clean exit");
    const kept = readdirSync(dir).filter((f) => f.startsWith("octopus-console-"));
    expect(kept).toHaveLength(1);
  }, 60_000);
});
