import { afterEach, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fleetPaths, sshArgs } from "../../../src/features/fleet/ssh.ts";
import { freePort } from "../../support/bot-process.ts";
import { ADMIN, type Harness, startHarness, VIEWER } from "../../support/harness.ts";
import { canRunSshd, keygen, startSshd } from "../../support/sshd.ts";

/**
 * The fleet over real OpenSSH: a throwaway sshd on loopback whose only authorized key runs
 * `octopus serve-ssh` with that server's own config, and a hub bot asking it through ssh.
 */

let h: Harness | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const stop of stops.splice(0)) await stop();
});

const SERVER_CONFIG = `
telegram:
  admins: [1]
monitored_devices:
  - { name: web-root, path: / }
one_time_scripts:
  - { name: backup, path: /bin/true }
`;

async function fleet() {
  const stateDir = mkdtempSync(join(tmpdir(), "octopus-hub-"));
  const paths = fleetPaths(stateDir);
  mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
  const clientKey = keygen(paths.key);
  const server = await startSshd({ config: SERVER_CONFIG, clientKey });
  stops.push(server.stop);
  writeFileSync(paths.knownHosts, `${server.knownHostsLine}\n`);
  const down = freePort();
  const config = `
telegram:
  admins: [${ADMIN.id}]
  viewers: [${VIEWER.id}]
servers:
  - { name: web1, ssh: "root@127.0.0.1:${server.port}" }
  - { name: down, ssh: "root@127.0.0.1:${down}", timeout: 5s }
`;
  h = await startHarness(config, { stateDir });
  return { h, server, paths, stateDir };
}

const ask = async (h: Harness, user: typeof ADMIN, text: string) => {
  h.api.userSays(user.id, user, text);
  const first = await h.nextMessage(user.id, 20_000);
  // The fleet table is answered as servers reply: the message, once no server is pending.
  if (!first.text.includes("⏳")) return first.text;
  await h.api.waitFor(
    (e) =>
      e.type === "edit" &&
      e.message.chatId === user.id &&
      e.message.messageId === first.messageId &&
      !e.message.text.includes("⏳"),
    30_000,
  );
  return h.api.state.messages.get(`${user.id}:${first.messageId}`)?.text ?? first.text;
};

describe.skipIf(!canRunSshd())("a fleet over OpenSSH", () => {
  test("/servers, /status @web1 and @all for a viewer; an unreachable server is a line, not a wait", async () => {
    const { h } = await fleet();
    const servers = await ask(h, VIEWER, "/servers");
    expect(servers).toMatch(
      /^(🟢|⚠️|🔴) web1 · load \d+\.\d\d\/core · mem \d+% · web-root \d+%\n⚪ down · unreachable: /,
    );
    expect(await ask(h, VIEWER, "/status @web1")).toMatch(
      /^🖥 web1 \(\S+\)\n.+ load \d+\.\d\d\/core · CPU \d+%\n.+ memory \d+%\n.+ web-root \d+%$/,
    );
    expect((await ask(h, ADMIN, "/status @all")).split("\n")).toHaveLength(2);
    expect(await ask(h, ADMIN, "/status @nope")).toBe("No server nope. Servers: @web1, @down, @all");
    // The server's history (none yet); an unreachable server says so.
    expect(await ask(h, ADMIN, "/history @web1")).toBe("web1: no runs you may see.");
    expect(await ask(h, ADMIN, "/history @down")).toStartWith("⚪ down · unreachable: ");
  }, 60_000);

  test("/status @all answers as servers reply: a silent one shows as asking, the chat stays free, then it is marked", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "octopus-hub-"));
    const paths = fleetPaths(stateDir);
    mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
    const clientKey = keygen(paths.key);
    const server = await startSshd({ config: SERVER_CONFIG, clientKey });
    stops.push(server.stop);
    writeFileSync(paths.knownHosts, `${server.knownHostsLine}\n`);
    // Accepts the connection and never says a word: ssh waits for its banner until the timeout.
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    stops.push(async () => silent.stop(true));
    h = await startHarness(
      `
telegram:
  admins: [${ADMIN.id}]
servers:
  - { name: web1, ssh: "root@127.0.0.1:${server.port}" }
  - { name: silent, ssh: "root@127.0.0.1:${silent.port}", timeout: 4s }
`,
      { stateDir },
    );
    const t0 = Date.now();
    h.api.userSays(ADMIN.id, ADMIN, "/status @all");
    const first = await h.nextMessage(ADMIN.id, 20_000);
    expect(first.text).toContain("⏳ silent · asking…");
    // web1 answers first: the same message, edited, while silent is still pending.
    await h.api.waitFor(
      (e) =>
        e.type === "edit" &&
        e.message.messageId === first.messageId &&
        /web1 · load/.test(e.message.text) &&
        e.message.text.includes("⏳ silent"),
      20_000,
    );
    // The chat is not held: a command meanwhile is answered before silent's timeout ends.
    h.api.userSays(ADMIN.id, ADMIN, "/whoami");
    expect((await h.nextMessage(ADMIN.id, 3000)).text).toContain(String(ADMIN.id));
    expect(Date.now() - t0).toBeLessThan(4000);
    await h.api.waitFor(
      (e) =>
        e.type === "edit" &&
        e.message.chatId === ADMIN.id &&
        e.message.messageId === first.messageId &&
        !e.message.text.includes("⏳"),
      20_000,
    );
    const done = h.api.state.messages.get(`${ADMIN.id}:${first.messageId}`);
    expect(done?.text).toMatch(/web1 · load .*\n⚪ silent · unreachable: /);
    expect(done?.keyboard?.flat().map((b) => b.text)).toEqual(["🔄 Refresh"]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(3500);
  }, 60_000);

  test("the server answers only what it allows; a changed host key is refused, never trusted quietly", async () => {
    const { h, server, paths } = await fleet();
    const web1 = {
      name: "web1",
      ssh: `root@127.0.0.1:${server.port}`,
      timeout: 10_000,
      octopus: "/usr/local/bin/octopus",
    };
    mkdirSync(paths.controlDir, { recursive: true, mode: 0o700 });
    const refused = Bun.spawnSync(sshArgs(web1, paths, "run backup; rm -rf /"));
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr.toString()).toContain("octopus serve-ssh: not allowed: run backup; rm -rf /");
    const scripts = Bun.spawnSync(sshArgs(web1, paths, "scripts --json"));
    expect(JSON.parse(scripts.stdout.toString())).toEqual([
      {
        name: "backup",
        title: "backup",
        kind: "oneshot",
        role: "admin",
        confirm: false,
        description: null,
        approval: false,
        revision: expect.any(String),
        params: [],
      },
    ]);
    // Another host key where web1's was trusted: the hub says so and gets nothing.
    const other = keygen(join(mkdtempSync(join(tmpdir(), "octopus-key-")), "other"));
    writeFileSync(paths.knownHosts, `[127.0.0.1]:${server.port} ${other.split(" ").slice(0, 2).join(" ")}\n`);
    Bun.spawnSync([
      "ssh",
      "-O",
      "exit",
      "-o",
      `ControlPath=${paths.controlDir}/%C`,
      "-p",
      String(server.port),
      "root@127.0.0.1",
    ]);
    expect(await ask(h, ADMIN, "/status @web1")).toBe(
      "🔴 web1 · host key changed: the host key does not match the one trusted (octopus fleet trust NAME)",
    );
    // Not contacted again until the server is trusted anew: sshd sees no new connection.
    const { readFileSync } = await import("node:fs");
    const connections = () =>
      (readFileSync(join(server.dir, "sshd.log"), "utf8").match(/Connection (closed|reset)/g) ?? []).length;
    // sshd logs a closed connection a moment after the client has gone: counted once it settles.
    const settled = async () => {
      let n = connections();
      for (;;) {
        await Bun.sleep(300);
        const m = connections();
        if (m === n) return n;
        n = m;
      }
    };
    const before = await settled();
    expect(before).toBeGreaterThan(0); // the refused attempt above
    expect(await ask(h, ADMIN, "/status @web1")).toStartWith("🔴 web1 · host key changed");
    await Bun.sleep(300);
    expect(connections()).toBe(before);
  }, 60_000);
});

describe.skipIf(!canRunSshd())("fleet alerts", () => {
  test("each server's checks go through the alert engine with its own thresholds and its name; an unreachable server is an incident", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "octopus-hub-"));
    const paths = fleetPaths(stateDir);
    mkdirSync(join(stateDir, "fleet"), { recursive: true, mode: 0o700 });
    // This server's own config says its disk warns at 1 %: the hub's thresholds do not matter.
    const server = await startSshd({
      config:
        "monitored_devices:\n  - { name: web-root, path: /, alert_threshold: 1, critical_threshold: 100 }\n",
      clientKey: keygen(paths.key),
    });
    stops.push(server.stop);
    writeFileSync(paths.knownHosts, `${server.knownHostsLine}\n`);
    h = await startHarness(
      `telegram:\n  admins: [${ADMIN.id}]\n  alert_chats: [${ADMIN.id}]\nalerts:\n  check: "0 0 1 1 *"\n  for: 1\nservers:\n  - { name: web1, ssh: "root@127.0.0.1:${server.port}" }\n  - { name: down, ssh: "root@127.0.0.1:${freePort()}", timeout: 5s }\n`,
      { stateDir },
    );
    h.api.openChat(ADMIN.id, ADMIN);
    await h.app.fleet.check();
    const messages = async () => {
      await Bun.sleep(300);
      return h?.messagesIn(ADMIN.id).map((m) => m.text) ?? [];
    };
    let texts = await messages();
    for (let i = 0; i < 20 && texts.length < 2; i++) texts = await messages();
    expect(
      texts.some((t) => /^⚠️ WARN web1:disk:web-root \d+%\n\S+ · since \d\d:\d\d \(warn at 1%\)/.test(t)),
    ).toBe(true);
    expect(texts.some((t) => /^🔴 CRIT down:reachable unreachable: /.test(t))).toBe(true);
  }, 60_000);
});

describe.skipIf(!canRunSshd())("octopus fleet: setting up with OpenSSH's own tools", () => {
  test("key, authorize, trust: the hub's key, the server's line, the server's host key pinned", async () => {
    const { main } = await import("../../../src/main.ts");
    const dir = mkdtempSync(join(tmpdir(), "octopus-fleet-cli-"));
    const server = await startSshd({ config: SERVER_CONFIG, clientKey: keygen(join(dir, "unused")) });
    stops.push(server.stop);
    writeFileSync(
      join(dir, "config.yaml"),
      `servers:\n  - { name: web1, ssh: "root@127.0.0.1:${server.port}", octopus: /opt/octopus/bin/octopus }\n`,
    );
    const env = {
      PATH: process.env.PATH,
      CONFIG_FILE: join(dir, "config.yaml"),
      OCTOPUS_STATE_DIR: join(dir, "state"),
    };
    const run = async (...argv: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(argv, env, { out: (t) => out.push(t), err: (t) => err.push(t) });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    expect((await run("fleet", "authorize")).err).toBe(
      "octopus: no hub key yet: run octopus fleet key first",
    );
    expect((await run("fleet", "key")).out).toStartWith(
      `Created ${join(dir, "state", "fleet", "id_ed25519")}.`,
    );
    const line = (await run("fleet", "authorize")).out;
    expect(line).toMatch(
      /^restrict,command="\/usr\/local\/bin\/octopus serve-ssh" ssh-ed25519 \S+ octopus-hub$/,
    );
    // With a server's name: its own binary's path in the forced command.
    expect((await run("fleet", "authorize", "web1")).out).toStartWith(
      'restrict,command="/opt/octopus/bin/octopus serve-ssh" ssh-ed25519 ',
    );
    expect((await run("fleet", "authorize", "nope")).code).toBe(2);
    const trusted = await run("fleet", "trust", "web1");
    expect(trusted.out).toMatch(/^Trusted web1 \(127\.0\.0\.1:\d+\): 256 SHA256:\S+ /);
    const known = await Bun.file(join(dir, "state", "fleet", "known_hosts")).text();
    expect(known.trim()).toBe(server.knownHostsLine);
    expect((await run("fleet", "trust", "nope")).code).toBe(2);
  }, 30_000);
});
