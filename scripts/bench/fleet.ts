/**
 * The fleet: `/status @all` through the compiled hub (dist/octopus run, the local Bot API)
 * for 1 and for 20 servers, each a real sshd on loopback whose forced command is
 * dist/octopus serve-ssh. Interleaved (1, 20, 1, 20 …): warm (multiplexed connections open)
 * and cold (every master closed first). Then the hub's memory per server: the bot's RSS and
 * the ssh masters' RSS, with 20 connections open against none.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import { fleetPaths } from "../../src/features/fleet/ssh.ts";
import { canRunSshd, keygen, startSshd } from "../../test/support/sshd.ts";
import { ms, procMiB, report, summarize } from "./stats.ts";

const BINARY = resolve(import.meta.dir, "../../dist/octopus");
const ROUNDS = 7;
const USER = { id: 1, first_name: "Bench" };

function rssKiB(pid: number): number {
  try {
    return procMiB(pid) * 1024;
  } catch {
    return 0;
  }
}

const TICK_MS = 10; // USER_HZ 100

/** CPU of a process in ms: its own, and with `children` that of the children it has reaped. */
function cpuMs(pid: number, children: boolean): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat
      .slice(stat.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    // fields 14-17 (utime, stime, cutime, cstime) are 11-14 here
    const own = (f[11] ?? 0) + (f[12] ?? 0);
    return (children ? own + (f[13] ?? 0) + (f[14] ?? 0) : own) * TICK_MS;
  } catch {
    return 0;
  }
}

/** The ssh masters of one hub: processes whose command line names its control directory. */
function mastersOf(controlDir: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(controlDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function hub(servers: { name: string; port: number }[], key: string, knownHosts: string) {
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-hub-"));
  const stateDir = join(dir, "state");
  const paths = fleetPaths(stateDir);
  mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
  writeFileSync(paths.key, readFileSync(key), { mode: 0o600 });
  writeFileSync(paths.knownHosts, knownHosts);
  const list = servers.map((s) => `  - { name: ${s.name}, ssh: "root@127.0.0.1:${s.port}" }`).join("\n");
  writeFileSync(join(dir, "config.yaml"), `telegram:\n  admins: [${USER.id}]\nservers:\n${list}\n`);
  const api = startLocalBotApi();
  const proc = Bun.spawn([BINARY, "run"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: stateDir,
      TELEGRAM_TOKEN: api.token,
      TELEGRAM_API_URL: api.url,
      OCTOPUS_RATE_LIMITS: "off",
    },
    stdout: "ignore",
    stderr: "inherit",
  });
  while (!api.state.calls.some((c) => c.method === "setMyCommands")) await Bun.sleep(10);
  /** One `/status @all`, from the update to the bot's answer. */
  const ask = async () => {
    const seq = api.state.events.at(-1)?.seq ?? 0;
    const t0 = performance.now();
    api.userSays(USER.id, USER, "/status @all");
    const e = await api.waitFor((x) => x.type === "message", 30_000, seq);
    const took = performance.now() - t0;
    if (e.type === "message" && !e.message.text.split("\n").every((l) => /^(🟢|⚠️|🔴) /.test(l)))
      throw new Error(`a server did not answer:\n${e.message.text}`);
    return took;
  };
  const closeMasters = async () => {
    for (const pid of mastersOf(paths.controlDir)) process.kill(pid, "SIGTERM");
    while (mastersOf(paths.controlDir).length) await Bun.sleep(10);
  };
  return {
    ask,
    closeMasters,
    rss: () => rssKiB(proc.pid) / 1024,
    /** The hub's CPU so far: the bot, the ssh calls it reaped, its ssh masters. */
    cpu: () =>
      cpuMs(proc.pid, true) + mastersOf(paths.controlDir).reduce((sum, pid) => sum + cpuMs(pid, false), 0),
    mastersRss: () => mastersOf(paths.controlDir).reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      await closeMasters();
      await api.stop();
    },
  };
}

export async function benchFleet(): Promise<void> {
  if (!canRunSshd()) {
    report("fleet: /status @all over ssh", "skipped (needs root and openssh-server)");
    return;
  }
  const keyDir = mkdtempSync(join(tmpdir(), "octopus-bench-key-"));
  const clientKey = keygen(join(keyDir, "id_ed25519"));
  const sshds = [];
  for (let i = 0; i < 20; i++)
    sshds.push(
      await startSshd({
        config: "monitored_devices:\n  - { name: root, path: / }\n",
        clientKey,
        octopus: BINARY,
      }),
    );
  // The floor of the hub's own fan-out: servers whose forced command prints a fixed answer.
  const answer = join(keyDir, "status.json");
  writeFileSync(answer, Bun.spawnSync([BINARY, "status", "--json"]).stdout);
  const fixed = [];
  for (let i = 0; i < 20; i++)
    fixed.push(await startSshd({ config: "", clientKey, forced: `/bin/cat ${answer}` }));
  try {
    await compare("serve-ssh", sshds, keyDir);
    await compare("fixed answer", fixed, keyDir);
  } finally {
    for (const s of [...sshds, ...fixed]) await s.stop();
  }
}

async function compare(what: string, sshds: { port: number; knownHostsLine: string }[], keyDir: string) {
  const known = `${sshds.map((s) => s.knownHostsLine).join("\n")}\n`;
  const named = sshds.map((s, i) => ({ name: `s${i + 1}`, port: s.port }));
  const one = await hub(named.slice(0, 1), join(keyDir, "id_ed25519"), known);
  const twenty = await hub(named, join(keyDir, "id_ed25519"), known);
  try {
    const before = { bot: twenty.rss(), masters: twenty.mastersRss() };
    const cold = { one: [] as number[], twenty: [] as number[] };
    const warm = { one: [] as number[], twenty: [] as number[] };
    const cpu = { one: 0, twenty: 0 };
    for (let r = 0; r < ROUNDS; r++) {
      for (const [h, key] of [
        [one, "one"],
        [twenty, "twenty"],
      ] as const) {
        await h.closeMasters();
        cold[key].push(await h.ask());
        const c0 = h.cpu();
        warm[key].push(await h.ask());
        await Bun.sleep(50); // the ssh calls reaped
        cpu[key] += h.cpu() - c0;
      }
    }
    const after = { bot: twenty.rss(), masters: twenty.mastersRss() };
    const line = (label: string, a: number[], b: number[]) => {
      const sa = summarize(a);
      const sb = summarize(b);
      report(
        `fleet /status @all, ${what}, ${label}: 1 / 20 servers (p50)`,
        `${ms(sa.p50)} / ${ms(sb.p50)} = ${(sb.p50 / sa.p50).toFixed(2)}× (max ${ms(sb.max)})`,
      );
    };
    line("warm", warm.one, warm.twenty);
    line("cold", cold.one, cold.twenty);
    report(
      `fleet hub CPU per warm /status @all, ${what}: 1 / 20 servers`,
      `${(cpu.one / ROUNDS).toFixed(0)} ms / ${(cpu.twenty / ROUNDS).toFixed(0)} ms (±${TICK_MS} ms ticks)`,
    );
    report(
      `fleet hub memory per server, ${what} (20 connections open)`,
      `bot +${((after.bot - before.bot) / 20).toFixed(2)} MiB, ssh masters ${(after.masters / 20).toFixed(1)} MiB each`,
    );
  } finally {
    await one.stop();
    await twenty.stop();
  }
}

if (import.meta.main) await benchFleet();
