import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ServerConfig } from "../../../src/config/schema.ts";
import type { BotEvent, BotMessage } from "../../../src/console/local-api/state.ts";
import { fleetPaths, sshArgs } from "../../../src/features/fleet/ssh.ts";
import { remoteRunButton } from "../../../src/features/runs/buttons.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";
import { canRunSshd, keygen, startSshd } from "../../support/sshd.ts";

/**
 * Runs on a server of the fleet through real OpenSSH: `/run @db1 NAME` streams into one
 * edited message like a local run, Stop goes to the server over the same connection, and
 * the server's own config (and roles) decide what may run. db1 lives in its own mount
 * namespace with a tmpfs disk, so the two servers show different disks.
 */

const SCRIPTS = resolve(import.meta.dir, "../../fixtures/scripts");
const ROOT = resolve(import.meta.dir, "../../..");
let h: Harness | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const stop of stops.splice(0)) await stop();
});

const DB1_CONFIG = (data: string) => `
runner:
  max_parallel: 1
monitored_devices:
  - { name: data, path: ${data} }
long_running_scripts:
  - { name: ticker, path: ${SCRIPTS}/ticker.sh, env: { N: "40" }, role: viewer }
  - { name: sleeper, path: ${SCRIPTS}/sleeper.sh }
one_time_scripts:
  - { name: quick, path: ${SCRIPTS}/ticker.sh, env: { N: "2" }, role: viewer }
  - { name: wipe, path: /bin/true, confirm: true, description: "Wipes the cache" }
  - name: restart
    path: ${SCRIPTS}/args.sh
    args: ["--unit={unit}", "{note}"]
    params:
      - { name: unit, type: choice, choices_from: { path: ${SCRIPTS}/list-units.sh } }
      - { name: note, type: string, required: false, regex: "[a-z ;/-]+" }
      - { name: token, type: string, secret: true, required: false }
  - { name: gated, path: /bin/true, approval: { approvers: 1 } }
telegram:
  admins: [1, 2]
`;

async function twoServers() {
  const stateDir = mkdtempSync(join(tmpdir(), "octopus-hub-"));
  const paths = fleetPaths(stateDir);
  mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
  const clientKey = keygen(paths.key);
  const data = mkdtempSync(join(tmpdir(), "octopus-db1-data-"));
  const web1 = await startSshd({
    config: "monitored_devices:\n  - { name: web-root, path: / }\n",
    clientKey,
  });
  stops.push(web1.stop);
  // db1's forced command notes what the hub asks before it answers, so a test sees transfers.
  const calls = join(stateDir, "db1-calls.txt");
  const wrapper = join(stateDir, "db1-octopus");
  writeFileSync(
    wrapper,
    `#!/bin/sh\nprintf '%s\\n' "$SSH_ORIGINAL_COMMAND" >> ${calls}\nexec ${process.execPath} ${join(ROOT, "src/main.ts")} "$@"\n`,
    { mode: 0o755 },
  );
  db1Calls = () => (existsSync(calls) ? readFileSync(calls, "utf8").split("\n").filter(Boolean) : []);
  const db1 = await startSshd({
    config: DB1_CONFIG(data),
    clientKey,
    disk: { path: data, mib: 64, fillMib: 40 },
    octopus: wrapper,
  });
  stops.push(db1.stop);
  writeFileSync(paths.knownHosts, `${web1.knownHostsLine}\n${db1.knownHostsLine}\n`);
  h = await startHarness(
    `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
servers:
  - { name: web1, ssh: "root@127.0.0.1:${web1.port}" }
  - { name: db1, ssh: "root@127.0.0.1:${db1.port}" }
`,
    { stateDir, app: { graceMs: 1000 } },
  );
  servers = {
    paths,
    db1: {
      name: "db1",
      ssh: `root@127.0.0.1:${db1.port}`,
      timeout: 10_000,
      octopus: "/usr/local/bin/octopus",
    },
  };
  return h;
}
let servers: { paths: ReturnType<typeof fleetPaths>; db1: ServerConfig } | undefined;
/** What the hub asked db1, one command a line. */
let db1Calls: () => string[] = () => [];
/** db1's own history, asked over ssh as the hub does. */
const db1History = () => {
  if (!servers) throw new Error("no servers");
  const r = Bun.spawnSync(sshArgs(servers.db1, servers.paths, "history --json"));
  return JSON.parse(r.stdout.toString()) as { id: number; status: string }[];
};

const ask = async (h: Harness, user: typeof ADMIN, text: string) => {
  h.api.userSays(user.id, user, text);
  const first = await h.nextMessage(user.id, 20_000);
  // The fleet table is answered as servers reply: the message, once no server is pending.
  if (!/^⏳ \S+ · asking…|\n⏳ \d+ of \d+ answered$/.test(first.text)) return first;
  await h.api.waitFor(
    (e: BotEvent) =>
      e.type === "edit" &&
      e.message.chatId === user.id &&
      e.message.messageId === first.messageId &&
      !/⏳ \d+ of \d+ answered/.test(e.message.text),
    30_000,
  );
  return h.api.state.messages.get(`${user.id}:${first.messageId}`) ?? first;
};
const editOf = (h: Harness, messageId: number, match: (text: string) => boolean) =>
  h.api.waitFor(
    (e: BotEvent) => e.type === "edit" && e.message.messageId === messageId && match(e.message.text),
    20_000,
  );

describe.skipIf(!canRunSshd())("runs on a server of the fleet", () => {
  test("two servers, two disks: db1's own tmpfs in /status @db1 and @all", async () => {
    const h = await twoServers();
    const db1 = (await ask(h, VIEWER, "/status @db1")).text;
    expect(db1).toMatch(/^🖥 db1 \(\S+\)\n/);
    // 40 of 64 MiB: 62.5 %, which web1 (the machine's own /) does not show.
    expect(db1).toMatch(/ data 6[23](\.\d)?%$/);
    const all = (await ask(h, VIEWER, "/status @all")).text.split("\n");
    expect(all[0]).toMatch(/^\S+ web1 · .* · web-root \d+%$/);
    expect(all[1]).toMatch(/^\S+ db1 · .* · data 6[23](\.\d)?%$/);
    // The picker under /status: a server's status from a button, refreshed in place.
    const status = await ask(h, VIEWER, "/status");
    const picker = status.keyboard?.[1];
    expect(picker?.map((b) => b.text)).toEqual(["🖥 web1", "🖥 db1", "🌐 All servers"]);
    h.api.press(VIEWER.id, status.messageId, picker?.[1]?.callback_data as string, VIEWER);
    const shown = await h.nextMessage(VIEWER.id, 20_000);
    expect(shown.text).toMatch(/^🖥 db1 \(\S+\)\n/);
    h.api.press(VIEWER.id, shown.messageId, shown.keyboard?.[0]?.[0]?.callback_data as string, VIEWER);
    await h.api.waitFor(
      (e: BotEvent) => e.type === "answer" && /Refreshed|No change/.test(e.text ?? ""),
      20_000,
    );
    // /servers: the table, Refresh, and a button per server.
    const servers = await ask(h, VIEWER, "/servers");
    expect(servers.keyboard?.flat().map((b) => b.text)).toEqual(["🔄 Refresh", "🖥 web1", "🖥 db1"]);
  }, 60_000);

  test("a long run streams live into one message; Stop ends it on the server; /history and /log @db1 show it", async () => {
    const h = await twoServers();
    const live = await ask(h, ADMIN, "/run @db1 ticker");
    expect(live.text).toMatch(/^▶️ ticker @db1 · /);
    const stop = live.keyboard?.[0]?.[0];
    expect(stop?.text).toBe("⏹ Stop");
    await editOf(h, live.messageId, (t) => t.includes("tick 3"));
    // /jobs lists it (ticker is a viewer script on db1), with its Stop for an admin.
    const jobs = await ask(h, VIEWER, "/jobs");
    expect(jobs.text).toMatch(/^#1 ticker @db1 · \S+ · by Ada · \d+ lines$/);
    expect(jobs.keyboard).toBeUndefined();
    const adminJobs = await ask(h, ADMIN, "/jobs");
    expect(adminJobs.keyboard?.[0]?.[0]?.text).toBe("⏹ Stop #1 ticker @db1");
    h.api.press(ADMIN.id, live.messageId, stop?.callback_data as string, ADMIN);
    const final = await editOf(h, live.messageId, (t) => t.startsWith("⏹ ticker @db1 · stopped by Ada"));
    expect(final.type === "edit" && final.message.keyboard).toBeUndefined();
    expect(final.type === "edit" && final.message.text).toContain("tick 3");
    // The server's own history has it, stopped, requested by the hub.
    const history = (await ask(h, ADMIN, "/history @db1")).text;
    expect(history).toMatch(/^db1:\n#1 \S+ ticker · fleet hub 127\.0\.0\.1 · /);
    h.api.userSays(ADMIN.id, ADMIN, "/log @db1 1");
    const log = await h.nextMessage(ADMIN.id, 20_000);
    expect(log.document?.fileName).toBe("octopus-run-db1-1-ticker.txt");
    const text = new TextDecoder().decode(log.document?.content);
    expect(text).toStartWith("tick 1\ntick 2\ntick 3\n");
    expect(log.caption).toBe("ticker @db1 run #1");
  }, 60_000);

  test("a hub reload mid-run: /jobs and the Stop sent before it still reach the run on the server", async () => {
    const h = await twoServers();
    const live = await ask(h, ADMIN, "/run @db1 ticker");
    await editOf(h, live.messageId, (t) => t.includes("tick 2"));
    await h.reload();
    const jobs = await ask(h, ADMIN, "/jobs");
    expect(jobs.text).toMatch(/^#1 ticker @db1 · /);
    h.api.press(ADMIN.id, live.messageId, live.keyboard?.[0]?.[0]?.callback_data as string, ADMIN);
    await editOf(h, live.messageId, (t) => t.startsWith("⏹ ticker @db1 · stopped by Ada"));
    expect(db1History()[0]?.status).toBe("stopped");
  }, 60_000);

  test("the hub stopping mid-run: the message says the connection closed, and the run goes on there", async () => {
    const hub = await twoServers();
    const live = await ask(hub, ADMIN, "/run @db1 ticker");
    await editOf(hub, live.messageId, (t) => t.includes("tick 2"));
    await hub.app.stop();
    const api = hub.api;
    h = undefined;
    const text = api.state.messages.get(`${ADMIN.id}:${live.messageId}`)?.text ?? "";
    expect(text).toMatch(
      /^📡 ticker @db1 · connection lost after .+ \(the hub stopped following it; it may still run there: \/history @db1\)/,
    );
    await api.stop();
    // On db1 the run went on (its output going nowhere) and ended as it would have: all 40
    // ticks, succeeded, not stopped nor left "running" by a serve-ssh killed by EPIPE.
    let status = "running";
    for (let i = 0; i < 150 && status === "running"; i++) {
      await Bun.sleep(100);
      status = db1History()[0]?.status ?? "gone";
    }
    expect(status).toBe("succeeded");
  }, 60_000);

  test("a quick run is one message; roles: the server's role for the script and the hub's role for the user both apply", async () => {
    const h = await twoServers();
    const quick = await ask(h, VIEWER, "/run @db1 quick");
    expect(quick.text).toMatch(/^✅ quick @db1 · exit 0 · /);
    expect(quick.text).toContain("tick 2");
    // sleeper is admin-only on db1: a viewer is refused by the hub before anything runs there.
    expect((await ask(h, VIEWER, "/run @db1 sleeper")).text).toBe("Only admins may run sleeper on db1.");
    // A script db1 does not list: refused, with what there is.
    expect((await ask(h, VIEWER, "/run @db1 backup")).text).toBe(
      "db1 has no script backup. Its scripts: quick, ticker",
    );
    expect((await ask(h, ADMIN, "/run @nope quick")).text).toBe("No server nope. Servers: @web1, @db1");
    // The picker lists only what the role may run there.
    const picker = await ask(h, VIEWER, "/run @db1");
    expect(picker.text).toBe("Which script on db1?");
    expect(picker.keyboard?.flat().map((b) => b.text)).toEqual(["▶️ quick", "📡 ticker"]);
    // A viewer's /log of an admin-only run reads like a run that does not exist.
    h.api.press(ADMIN.id, picker.messageId, remoteRunButton.pack({ s: "db1", n: "wipe" }), ADMIN);
    const confirm = await h.nextMessage(ADMIN.id, 20_000);
    expect(confirm.text).toBe("Run wipe on db1?\nWipes the cache");
    h.api.press(ADMIN.id, confirm.messageId, confirm.keyboard?.[0]?.[0]?.callback_data as string, ADMIN);
    const wiped = await h.nextMessage(ADMIN.id, 20_000);
    expect(wiped.text).toMatch(/^✅ wipe @db1 · exit 0/);
    const logCalls = () => db1Calls().filter((c) => c.startsWith("log ")).length;
    const before = logCalls();
    expect((await ask(h, VIEWER, "/log @db1 2")).text).toBe("db1: no run #2.");
    expect((await ask(h, VIEWER, "/log @db1 99")).text).toBe("db1: no run #99.");
    // Refused by the role check before any transfer: db1 was never asked for those logs.
    expect(logCalls()).toBe(before);
    // Two people fetching one run at once each get the whole file (one file per request).
    h.api.userSays(ADMIN.id, ADMIN, "/log @db1 1");
    h.api.userSays(VIEWER.id, VIEWER, "/log @db1 1");
    const [a, b] = await Promise.all([h.nextMessage(ADMIN.id, 20_000), h.nextMessage(VIEWER.id, 20_000)]);
    for (const doc of [a, b]) {
      expect(doc.document?.fileName).toBe("octopus-run-db1-1-quick.txt");
      expect(new TextDecoder().decode(doc.document?.content)).toContain("tick 2");
    }
    expect(logCalls()).toBe(before + 2);
    // An admin-only run on db1 is counted, not shown, in a viewer's /jobs.
    const sleeper = await ask(h, ADMIN, "/run @db1 sleeper");
    expect(sleeper.text).toMatch(/^▶️ sleeper @db1 · /);
    expect((await ask(h, VIEWER, "/jobs")).text).toBe("No script you may run is running (1 admin-only).");
    // db1's max_parallel: 1 holds across its serve-ssh processes: a second script is refused there.
    expect((await ask(h, ADMIN, "/run @db1 quick")).text).toContain("runner.max_parallel");
    h.api.press(ADMIN.id, sleeper.messageId, sleeper.keyboard?.[0]?.[0]?.callback_data as string, ADMIN);
    await editOf(h, sleeper.messageId, (t) => t.startsWith("⏹ sleeper @db1 · stopped by Ada"));
  }, 60_000);

  test("/run @db1 NAME with params: the hub's form asks with db1's list, db1 checks every value again and runs the argv intact", async () => {
    const h = await twoServers();
    const button = (m: BotMessage, text: string) => {
      const b = m.keyboard?.flat().find((x) => x.text === text);
      if (!b?.callback_data) throw new Error(`no button ${text} under: ${m.text}`);
      return b.callback_data;
    };
    const press = async (m: BotMessage, text: string) => {
      h.api.press(ADMIN.id, m.messageId, button(m, text), ADMIN);
      return h.nextMessage(ADMIN.id, 20_000);
    };
    // The choices are db1's: its choices_from command runs there, asked for when the question is.
    const q1 = await ask(h, ADMIN, "/run @db1 restart");
    expect(q1.text).toStartWith("restart @db1 · 1 of 3\nunit (one of the choices)");
    expect(q1.keyboard?.flat().map((b) => b.text)).toEqual(["nginx", "postgres", "redis"]);
    expect(db1Calls()).toContain("choices restart unit");
    const q2 = await press(q1, "postgres");
    // db1's regex is shown, and applied there (a server's pattern never runs on the hub).
    expect(q2.text).toContain("must match [a-z ;/-]+ (checked on the server)");
    const q3 = await ask(h, ADMIN, "x; rm -rf /");
    expect(q3.text).toStartWith("restart @db1 · 3 of 3\ntoken");
    const summary = await press(q3, "Skip");
    expect(summary.text).toBe("Run restart @db1?\n\nunit: postgres\nnote: x; rm -rf /\ntoken: (not set)");
    const done = await press(summary, "▶️ Run");
    expect(done.text).toMatch(/^✅ restart @db1 · exit 0/);
    expect(done.text).toContain("[--unit=postgres]\n[x; rm -rf /]");
    // The values went on stdin: what db1's sshd saw as the command holds none of them.
    expect(db1Calls()).toContain("run restart --values");
    expect(db1Calls().join("\n")).not.toContain("rm -rf");
    expect(db1History()[0]).toMatchObject({ status: "succeeded" });
    // Typed: a value off db1's list is refused with its rule and asked again.
    const typed = await ask(h, ADMIN, "/run @db1 restart unit=sshd token=s3cret-1");
    expect(typed.text).toContain("✖️ unit must be one of: nginx, postgres, redis");
    const again = await h.nextMessage(ADMIN.id, 20_000);
    expect(again.text).toStartWith("restart @db1 · 1 of 3");
    const sum2 = await press(again, "redis");
    expect(sum2.text).toBe("Run restart @db1?\n\nunit: redis\nnote: (not set)\ntoken: ••••");
    const secretRun = await press(sum2, "▶️ Run");
    expect(secretRun.text).toContain("[--unit=redis]");
    expect(secretRun.text).toContain("OCTOPUS_PARAM_TOKEN=[redacted]");
    expect(secretRun.text).not.toContain("s3cret-1");
    // A value only db1's rule refuses: db1 says so, nothing runs there.
    const runs = db1History().length;
    // (Who types gets the summary at once: what is optional and not typed is left out.)
    const bad = await ask(h, ADMIN, "/run @db1 restart unit=nginx note=UPPER");
    expect(bad.text).toBe("Run restart @db1?\n\nunit: nginx\nnote: UPPER\ntoken: (not set)");
    expect((await press(bad, "▶️ Run")).text).toBe("db1: note must match [a-z ;/-]+.");
    expect(db1History()).toHaveLength(runs);
    // db1's approvals are its own bot's: the hub does not pretend to hold them.
    expect((await ask(h, ADMIN, "/run @db1 gated")).text).toBe(
      "gated on db1 needs a second admin's approval: ask for it on db1's own bot. Nothing was run.",
    );
    expect((await ask(h, ADMIN, "/run @db1 quick now=1")).text).toBe(
      "quick takes no arguments: /run @db1 quick",
    );
  }, 90_000);
});
