import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_REMOTE_DEVICES } from "../../../src/features/fleet/remote.ts";
import { fleetPaths } from "../../../src/features/fleet/ssh.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";
import { canRunSshd, keygen, startSshd } from "../../support/sshd.ts";

/**
 * A hostile (or broken) server of the fleet behind real OpenSSH: its forced command is a shell
 * script that answers without end, or makes up thousands of critical disks with fresh names on
 * every check. The hub reads at most its bounds and stays small.
 */

let h: Harness | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const stop of stops.splice(0)) await stop();
});

// Endless answers: status, a run's first frame without its newline, a log.
const ENDLESS = `#!/bin/sh
case "$SSH_ORIGINAL_COMMAND" in
  "status --json") printf '{"host":"evil","devices":['; exec yes '{"name":"x","used_percent":99},' ;;
  "scripts --json") echo '[{"name":"job","kind":"long","role":"admin"}]' ;;
  "history --json") echo '[{"id":1,"script":"job","status":"succeeded","startedAt":1}]' ;;
  "run job") printf '\\036{"run":1,"script":"job","kind":"long","startedAt":1,'; yes '"pad":1,' | tr -d '\\n' ;;
  "log 1") printf '\\036{"script":"job"}\\n'; exec yes 'a line of a log that never ends' ;;
esac
`;

// 3000 critical disks, named anew on every call (the shell's pid in each name).
const FRESH = `#!/bin/sh
awk -v s=$$ 'BEGIN {
  printf "{\\"host\\":\\"evil\\",\\"load\\":{\\"per_core_5m\\":0.1},\\"memory\\":{\\"used_percent\\":10},\\"devices\\":["
  for (i = 0; i < 3000; i++) printf "%s{\\"name\\":\\"d%s-%d\\",\\"used_percent\\":99,\\"level\\":\\"crit\\"}", (i ? "," : ""), s, i
  print "]}"
}'
`;

async function hub(script: string, extra = "") {
  const stateDir = mkdtempSync(join(tmpdir(), "octopus-hub-"));
  const paths = fleetPaths(stateDir);
  mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
  const clientKey = keygen(paths.key);
  const forced = join(stateDir, "evil.sh");
  writeFileSync(forced, script, { mode: 0o755 });
  const server = await startSshd({ config: "", clientKey, forced });
  stops.push(server.stop);
  writeFileSync(paths.knownHosts, `${server.knownHostsLine}\n`);
  h = await startHarness(
    `
telegram:
  admins: [${ADMIN.id}]
servers:
  - { name: evil, ssh: "root@127.0.0.1:${server.port}", timeout: 30s }
${extra}`,
    { stateDir },
  );
  return { h, stateDir };
}

const say = async (h: Harness, text: string) => {
  h.api.userSays(ADMIN.id, ADMIN, text);
  return h.nextMessage(ADMIN.id, 20_000);
};

describe.skipIf(!canRunSshd())("a hostile server of the fleet", () => {
  test("endless answers: status, a run's frame and a log read 'answer too large' at the bound, long before the timeout; the hub stays small", async () => {
    const { h, stateDir } = await hub(ENDLESS);
    Bun.gc(true);
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const status = await say(h, "/status @evil");
    expect(status.text).toMatch(/^⚪ evil · answer too large: more than 1\.0M: not read further/);
    // The 30 s timeout never came into it: reading stopped at the bound.
    expect(Date.now() - t0).toBeLessThan(15_000);
    const run = await say(h, "/run @evil job");
    expect(run.text).toBe("evil: answer too large: a frame of more than 64K.");
    h.api.userSays(ADMIN.id, ADMIN, "/log @evil 1");
    const log = await h.nextMessage(ADMIN.id, 60_000);
    expect(log.text).toMatch(/^⚪ evil · answer too large: more than 50M/);
    // Nothing of the log is left on the hub's disk.
    expect(readdirSync(join(stateDir, "runs", "fleet")).filter((f) => f.includes("log"))).toEqual([]);
    Bun.gc(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  }, 90_000);

  test("fresh critical disks on every check: the hub keeps at most its bound of them, says so once", async () => {
    const { h } = await hub(FRESH, "alerts:\n  check: '* * * * * *'\n  for: 1\n");
    const states = () =>
      (
        h.db.query("SELECT count(*) AS n FROM alert_state WHERE check_id LIKE 'evil:disk:%'").get() as {
          n: number;
        }
      ).n;
    for (let i = 0; i < 100 && h.lines.filter((l) => l.includes("not watched")).length === 0; i++)
      await Bun.sleep(100);
    // Several more checks, each with 3000 new names.
    await Bun.sleep(3500);
    expect(states()).toBe(MAX_REMOTE_DEVICES);
    const incidents = h.db
      .query("SELECT count(DISTINCT check_id) AS n FROM incidents WHERE check_id LIKE 'evil:disk:%'")
      .get() as { n: number };
    expect(incidents.n).toBeLessThanOrEqual(MAX_REMOTE_DEVICES);
    expect(h.lines.filter((l) => l.includes("more disks than the hub reads"))).toHaveLength(1);
    expect(h.lines.filter((l) => l.includes("new disks past the hub's limit"))).toHaveLength(1);
    h.api.userSays(ADMIN.id, ADMIN, "/status @evil");
    const more = `… ${3000 - MAX_REMOTE_DEVICES} more disks not read (at most ${MAX_REMOTE_DEVICES} a server)`;
    await h.api.waitFor((e) => e.type === "message" && e.message.text.includes(more), 20_000);
  }, 60_000);
});
