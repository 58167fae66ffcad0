/**
 * `make test-systemd`: the release tarball installed and run under a real systemd, in a
 * booted Debian container (systemd-nspawn), driven from the host: the local Bot API plays
 * Telegram on the host's loopback (the container shares the host's network) and commands run
 * inside the container through nsenter. Every check prints one line; the last line is
 * "N passed, M failed". Needs root, systemd-nspawn, debootstrap and cgroups: otherwise it
 * says why in one line and exits 0 (skipped, never passed in silence).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../src/console/local-api/server.ts";
import type { BotEvent, LocalUser } from "../../src/console/local-api/state.ts";

const REPO = resolve(import.meta.dir, "../..");
const CACHE = join(REPO, ".cache/systemd");
const BASE = join(CACHE, "bookworm");
const RUN = join(CACHE, "run");
const MIRROR = process.env.DEBIAN_MIRROR ?? "http://deb.debian.org/debian";
const ADMIN: LocalUser = { id: 1001, first_name: "Ada" };
const STRANGER: LocalUser = { id: 6666, first_name: "Eve" };
const SECRET_KEY = Buffer.from(new Uint8Array(32).fill(9)).toString("base64");

const has = (cmd: string) => Bun.spawnSync(["sh", "-c", `command -v ${cmd}`]).exitCode === 0;
function skip(reason: string): never {
  console.log(`test-systemd: skipped: ${reason}`);
  process.exit(0);
}

if (process.getuid?.() !== 0) skip("needs root (systemd-nspawn boots a container)");
for (const cmd of ["systemd-nspawn", "debootstrap", "nsenter"])
  if (!has(cmd)) skip(`${cmd} is not installed (Debian packages systemd-container, debootstrap, util-linux)`);
// systemd in the container needs a cgroup hierarchy: v2, or v1 with the name=systemd one (hybrid).
if (!existsSync("/sys/fs/cgroup/cgroup.controllers") && !existsSync("/sys/fs/cgroup/systemd"))
  skip("no cgroup hierarchy systemd can use at /sys/fs/cgroup");

const tarball = readdirSync(join(REPO, "dist"))
  .filter((f) => /^octopus-.*-linux-x64\.tar\.gz$/.test(f))
  .map((f) => join(REPO, "dist", f))[0];
if (!tarball) throw new Error("no dist/octopus-*-linux-x64.tar.gz: run make dist first");

/** The Debian root, made once and kept under .cache/ (about a minute the first time). */
function ensureBase() {
  if (existsSync(join(BASE, "usr/lib/systemd/systemd"))) return;
  const tmp = `${BASE}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(CACHE, { recursive: true });
  console.log(`test-systemd: building the Debian root with debootstrap (${MIRROR}), once`);
  const r = Bun.spawnSync(
    ["debootstrap", "--variant=minbase", "--include=systemd,systemd-sysv,dbus", "bookworm", tmp, MIRROR],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`debootstrap failed: ${r.stderr.toString().slice(-500)}`);
  renameSync(tmp, BASE);
}

const results: { name: string; ok: boolean; detail: string }[] = [];
async function check(name: string, fn: () => Promise<string | undefined> | string | undefined) {
  try {
    const problem = await fn();
    results.push({ name, ok: problem === undefined, detail: problem ?? "" });
  } catch (error) {
    results.push({ name, ok: false, detail: (error as Error).message });
  }
  const last = results.at(-1);
  console.log(`${last?.ok ? "ok  " : "FAIL"} ${name}${last?.ok ? "" : `: ${last?.detail}`}`);
}

/** Each release tarball unpacks and its binary prints --version (arm64 under qemu, when present). */
const QEMU = "/usr/bin/qemu-aarch64-static";
const ARM64_ROOT = "/usr/aarch64-linux-gnu";
for (const target of ["x64", "x64-baseline", "arm64"]) {
  const file = readdirSync(join(REPO, "dist")).find((f) => f.endsWith(`-linux-${target}.tar.gz`));
  if (!file) {
    console.log(`skip the ${target} tarball: not built (make dist builds every target)`);
    continue;
  }
  if (target === "arm64" && !(existsSync(QEMU) && existsSync(ARM64_ROOT))) {
    console.log("skip the arm64 tarball: needs Debian's qemu-user-static and libc6-arm64-cross");
    continue;
  }
  await check(
    `the ${target} tarball unpacks and prints --version${target === "arm64" ? " (qemu)" : ""}`,
    () => {
      const dir = join(CACHE, `unpack-${target}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const un = Bun.spawnSync(["tar", "-xzf", join(REPO, "dist", file), "-C", dir, "--strip-components=1"]);
      if (un.exitCode !== 0) return `tar: ${un.stderr.toString()}`;
      for (const f of [
        "octopus",
        "install.sh",
        "uninstall.sh",
        "INSTALL.txt",
        "config.example.yaml",
        "octopus.service.in",
      ])
        if (!existsSync(join(dir, f))) return `${f} is missing from the tarball`;
      const argv =
        target === "arm64" ? [QEMU, "-L", ARM64_ROOT, join(dir, "octopus")] : [join(dir, "octopus")];
      const r = Bun.spawnSync([...argv, "--version"]);
      const out = r.stdout.toString().trim();
      return r.exitCode === 0 && /^octopus \S+ \(commit /.test(out)
        ? undefined
        : `exit ${r.exitCode}: ${out}`;
    },
  );
}

ensureBase();
rmSync(RUN, { recursive: true, force: true });
// cp -a keeps device nodes, owners and links (fs.cpSync cannot copy /dev entries).
const copy = Bun.spawnSync(["cp", "-a", BASE, RUN]);
if (copy.exitCode !== 0) throw new Error(`cp -a failed: ${copy.stderr.toString()}`);
mkdirSync(join(RUN, "root/dist"), { recursive: true });
const untar = Bun.spawnSync(["tar", "-xzf", tarball, "-C", join(RUN, "root/dist"), "--strip-components=1"]);
if (untar.exitCode !== 0) throw new Error(untar.stderr.toString());
// No serial getty or other noise: the container only needs to reach multi-user.
writeFileSync(join(RUN, "etc/hostname"), "octopus-test\n");

const api = startLocalBotApi();
api.openChat(ADMIN.id, ADMIN);
const metricsPort = 20000 + Math.floor(Math.random() * 20000);
const consoleLog = join(CACHE, "console.log");
const nspawn = Bun.spawn(
  ["systemd-nspawn", "-q", "-D", RUN, "--boot", "--register=no", "--keep-unit", "--console=pipe"],
  { stdin: "ignore", stdout: Bun.file(consoleLog), stderr: Bun.file(`${consoleLog}.err`) },
);

/** The container's PID 1 as the host sees it: the "systemd" process below nspawn. */
async function containerInit(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (comm === "systemd" && (ppid === nspawn.pid || isChildOf(ppid, nspawn.pid))) return Number(name);
      } catch {
        // gone meanwhile
      }
    }
    await Bun.sleep(50);
  }
  throw new Error("the container did not start systemd");
}
function isChildOf(pid: number, parent: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent;
  } catch {
    return false;
  }
}

const init = await containerInit();
/** A command inside the container (its mounts, pids, network, hostname), as root. */
function inside(cmd: string): { code: number; out: string } {
  const r = Bun.spawnSync(
    ["nsenter", "-t", String(init), "-m", "-u", "-i", "-n", "-p", "--", "sh", "-c", cmd],
    {
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    },
  );
  return { code: r.exitCode ?? -1, out: r.stdout.toString() + r.stderr.toString() };
}

/**
 * The same, without blocking this process: the local Bot API lives here, and a command that
 * waits for the bot to reach it (install.sh waits for "connected") must not freeze it.
 */
async function insideAsync(cmd: string): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(["nsenter", "-t", String(init), "-m", "-u", "-i", "-n", "-p", "--", "sh", "-c", cmd], {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, errText, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out: out + errText };
}

const textOf = (e: BotEvent) => (e.type === "message" || e.type === "edit" ? e.message.text : "");
const said = (pattern: RegExp, timeoutMs = 20_000, since = api.state.events.length) =>
  api.waitFor((e) => pattern.test(textOf(e)), timeoutMs, since).then(textOf);
const seq = () => api.state.events.at(-1)?.seq ?? 0;

const CONFIG = (extra = "") => `telegram:
  admins: [${ADMIN.id}]
monitored_devices:
  - { name: root, path: / }
one_time_scripts:
  - { name: probe, path: /etc/octopus/scripts/probe.sh }
  - { name: peek, path: /etc/octopus/scripts/peek.sh }
long_running_scripts:
  - { name: sleeper, path: /etc/octopus/scripts/sleeper.sh }
http:
  listen: 127.0.0.1:${metricsPort}
${extra}`;

const SCRIPTS: Record<string, string> = {
  "sleeper.sh": "#!/bin/sh\necho sleeping\nexec sleep 300\n",
  // What the unit's hardening leaves a script: each line "what: result".
  "probe.sh": [
    "#!/bin/sh",
    'try() { if sh -c "$2" >/dev/null 2>&1; then echo "$1: allowed"; else echo "$1: denied"; fi; }',
    "try usr 'touch /usr/octopus-probe'",
    "try etc 'touch /etc/octopus-probe'",
    "try home 'mkdir -p /home/x && touch /home/x/probe'",
    "try root-home 'touch /root/probe'",
    "try run 'touch /run/octopus-probe'",
    "try run-lock 'touch /run/lock/octopus-probe'",
    "try state 'touch /var/lib/octopus/probe && rm /var/lib/octopus/probe'",
    'echo "tmp-files: $(ls -A /tmp | wc -l)"',
    'echo "nnp: $(grep NoNewPrivs /proc/self/status | tr -d "\\t ")"',
    "try setuid 'su -c true root </dev/null'",
    "",
  ].join("\n"),
  "peek.sh": [
    "#!/bin/sh",
    "echo own env:",
    "env | sort",
    "echo parent environ:",
    'tr "\\0" "\\n" < /proc/$PPID/environ 2>/dev/null || echo "parent environ unreadable"',
    'ls "$CREDENTIALS_DIRECTORY" 2>/dev/null || echo "no credentials directory"',
    "",
  ].join("\n"),
};

function writeSetup(config: string) {
  writeFileSync(join(RUN, "etc/octopus/config.yaml"), config);
  writeFileSync(
    join(RUN, "etc/octopus/octopus.env"),
    `TELEGRAM_TOKEN=${api.token}\nTELEGRAM_API_URL=${api.url}\nOCTOPUS_SECRET_KEY=${SECRET_KEY}\n`,
    { mode: 0o600 },
  );
  for (const [name, body] of Object.entries(SCRIPTS))
    writeFileSync(join(RUN, "etc/octopus/scripts", name), body, { mode: 0o755 });
  inside(
    "chgrp -R octopus /etc/octopus && chmod 0640 /etc/octopus/config.yaml && chmod 0600 /etc/octopus/octopus.env",
  );
}

async function botReady(since: number) {
  for (let i = 0; i < 300; i++) {
    if (api.state.calls.slice(since).some((c) => c.method === "setMyCommands")) return;
    await Bun.sleep(50);
  }
  throw new Error("the bot did not register its menus (not polling)");
}

try {
  let booted = inside("systemctl is-system-running --wait");
  for (let i = 0; i < 100 && !/running|degraded/.test(booted.out); i++) {
    await Bun.sleep(100);
    booted = inside("systemctl is-system-running --wait");
  }
  console.log(
    `test-systemd: container up (${booted.out.trim()}), systemd ${inside("systemctl --version | head -1").out.trim()}`,
  );

  await check("install without a token or with the example admin: installed, enabled, not started", () => {
    const r = inside("sh /root/dist/install.sh");
    if (r.code !== 0) return `install.sh exit ${r.code}: ${r.out.slice(-300)}`;
    if (!r.out.includes("NOT started")) return `no next steps printed: ${r.out.slice(-300)}`;
    const enabled = inside("systemctl is-enabled octopus").out.trim();
    const active = inside("systemctl is-active octopus").out.trim();
    return enabled === "enabled" && active === "inactive" ? undefined : `enabled=${enabled} active=${active}`;
  });

  let calls = api.state.calls.length;
  await check("with a token and an admin, install starts it and the bot answers /status", async () => {
    writeSetup(CONFIG());
    const r = await insideAsync("sh /root/dist/install.sh");
    if (r.code !== 0) return `install.sh exit ${r.code}: ${r.out.slice(-300)}`;
    await botReady(calls);
    const active = inside("systemctl is-active octopus").out.trim();
    if (active !== "active") return `is-active: ${active}`;
    if (!/started: octopus \S+ .*runs as PID \d+, connected to Telegram/.test(r.out))
      return `the installer did not wait for the bot to say it is up: ${r.out.slice(-600)}`;
    const since = seq();
    api.userSays(ADMIN.id, ADMIN, "/status");
    await said(/^🖥 octopus-test · up /, 10_000, since);
    return undefined;
  });

  const mainPid = () => inside("systemctl show -p MainPID --value octopus").out.trim();
  await check("an upgrade (install.sh again) restarts the running bot and says so", async () => {
    const before = mainPid();
    calls = api.state.calls.length;
    const r = await insideAsync("sh /root/dist/install.sh");
    if (r.code !== 0) return `install.sh exit ${r.code}: ${r.out.slice(-300)}`;
    await botReady(calls);
    const after = mainPid();
    if (after === before) return `still PID ${before} after the upgrade`;
    return r.out.includes(`now runs as PID ${after} (was PID ${before})`)
      ? undefined
      : `the restart was not said: ${r.out.slice(-300)}`;
  });

  await check("an upgrade onto a config the new binary rejects: not restarted, and said so", async () => {
    const before = mainPid();
    try {
      writeFileSync(join(RUN, "etc/octopus/config.yaml"), `${CONFIG()}alerts:\n  for: many\n`);
      const r = inside("sh /root/dist/install.sh");
      if (r.code !== 0) return `install.sh exit ${r.code}: ${r.out.slice(-300)}`;
      if (mainPid() !== before) return `restarted anyway: PID ${before} → ${mainPid()}`;
      if (!r.out.includes("alerts.for")) return `the config problem was not shown: ${r.out.slice(-300)}`;
      return r.out.includes(`NOT restarted: octopus is still running the previous binary (PID ${before})`)
        ? undefined
        : `not said: ${r.out.slice(-300)}`;
    } finally {
      writeFileSync(join(RUN, "etc/octopus/config.yaml"), CONFIG());
    }
  });

  await check("journald keeps priorities: a warning shows at -p warning, an info line does not", async () => {
    const since = seq();
    api.userSays(STRANGER.id, STRANGER, "/status");
    await said(/^Not authorized/, 10_000, since);
    await Bun.sleep(500);
    const warnings = inside("journalctl -u octopus -p warning --no-pager -o cat").out;
    if (!warnings.includes("access denied"))
      return `no "access denied" at -p warning: ${warnings.slice(-300)}`;
    if (warnings.includes("connected to the Bot API")) return "an info line shows at -p warning";
    return undefined;
  });

  await check(
    "secrets come from LoadCredential: not in the bot's environment, not visible to a script",
    async () => {
      const pid = inside("systemctl show -p MainPID --value octopus").out.trim();
      const environ = inside(`tr '\\0' '\\n' < /proc/${pid}/environ`).out;
      if (environ.includes(api.token) || environ.includes("TELEGRAM_TOKEN"))
        return "the token is in the bot's environment";
      const since = seq();
      api.userSays(ADMIN.id, ADMIN, "/run peek");
      const out = await said(/no credentials directory|parent environ/, 15_000, since);
      const text = await said(/no credentials directory/, 15_000, since).catch(() => out);
      for (const leak of [api.token, SECRET_KEY, "CREDENTIALS_DIRECTORY="])
        if (text.includes(leak)) return `a script saw ${leak.slice(0, 12)}…`;
      if (!text.includes("parent environ unreadable"))
        return `the bot's /proc/PID/environ was readable: ${text.slice(0, 300)}`;
      return undefined;
    },
  );

  await check(
    "hardening is real: no writes to /usr, /etc, homes or /run; private /tmp; no setuid; state dir by StateDirectory=",
    async () => {
      const since = seq();
      api.userSays(ADMIN.id, ADMIN, "/run probe");
      const text = await said(/setuid: /, 15_000, since);
      const want = [
        "usr: denied",
        "etc: denied",
        "home: denied",
        "root-home: denied",
        "run: denied",
        "run-lock: denied",
        "state: allowed",
        "tmp-files: 0",
        "nnp: NoNewPrivs:1",
        "setuid: denied",
      ];
      const missing = want.filter((w) => !text.includes(w));
      if (missing.length) return `expected ${missing.join(", ")} in: ${text.replace(/\n/g, " | ")}`;
      const state = inside("stat -c '%U %G %a' /var/lib/octopus").out.trim();
      if (state !== "octopus octopus 700") return `state dir: ${state}`;
      const score = /Overall exposure level for octopus\.service: ([\d.]+)/.exec(
        inside("systemd-analyze security octopus --no-pager").out,
      )?.[1];
      return Number(score) <= 2.5 ? undefined : `systemd-analyze security: ${score}`;
    },
  );

  await check("the ReadWritePaths= drop-in of OPERATIONS.md lets a script write where it names", async () => {
    mkdirSync(join(RUN, "srv/cache"), { recursive: true });
    inside("chown octopus /srv/cache");
    SCRIPTS["probe.sh"] = `${SCRIPTS["probe.sh"]}try srv 'touch /srv/cache/probe'\n`;
    writeSetup(CONFIG());
    const run = async () => {
      const since = seq();
      api.userSays(ADMIN.id, ADMIN, "/run probe");
      return said(/srv: /, 15_000, since);
    };
    if (!(await run()).includes("srv: denied")) return "a script could write /srv/cache without the drop-in";
    const dropIns = join(RUN, "etc/systemd/system/octopus.service.d");
    mkdirSync(dropIns, { recursive: true });
    writeFileSync(join(dropIns, "cache.conf"), "[Service]\nReadWritePaths=/srv/cache\n");
    calls = api.state.calls.length;
    inside("systemctl daemon-reload && systemctl restart octopus");
    await botReady(calls);
    const after = await run();
    rmSync(dropIns, { recursive: true, force: true });
    calls = api.state.calls.length;
    inside("systemctl daemon-reload && systemctl restart octopus");
    await botReady(calls);
    return after.includes("srv: allowed") ? undefined : `with the drop-in: ${after.replace(/\n/g, " | ")}`;
  });

  await check(
    "systemctl reload: a broken config is kept out and the admin told; a good one is applied",
    async () => {
      try {
        let since = seq();
        writeFileSync(join(RUN, "etc/octopus/config.yaml"), `${CONFIG()}alerts:\n  for: many\n`);
        const r = inside("systemctl reload octopus");
        if (r.code !== 0) return `reload exit ${r.code}: ${r.out}`;
        await said(/^⚠️ Config reload failed/, 15_000, since);
        since = seq();
        writeFileSync(join(RUN, "etc/octopus/config.yaml"), CONFIG());
        inside("systemctl reload octopus");
        await said(/^🔄 Config reloaded/, 15_000, since);
        return inside("systemctl is-active octopus").out.trim() === "active"
          ? undefined
          : "not active after reload";
      } finally {
        writeFileSync(join(RUN, "etc/octopus/config.yaml"), CONFIG());
      }
    },
  );

  await check(
    "systemctl stop ends within TimeoutStopSec; a running script is stopped for shutdown, its chat told",
    async () => {
      const since = seq();
      api.userSays(ADMIN.id, ADMIN, "/run sleeper");
      await said(/sleeping/, 15_000, since);
      const t0 = Date.now();
      const r = inside("systemctl stop octopus");
      const took = Date.now() - t0;
      if (r.code !== 0) return `stop exit ${r.code}`;
      await said(/stopped by shutdown/, 5000, since);
      return took < 20_000 ? undefined : `stop took ${took} ms`;
    },
  );

  await check(
    "systemctl kill -s KILL: systemd restarts it, the run is marked interrupted, no script survives",
    async () => {
      calls = api.state.calls.length;
      inside("systemctl start octopus");
      await botReady(calls);
      let since = seq();
      api.userSays(ADMIN.id, ADMIN, "/run sleeper");
      await said(/sleeping/, 15_000, since);
      const sleeping = () =>
        inside(
          "for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < $f 2>/dev/null | grep -q '^sleep 300' && echo x; done | wc -l",
        ).out.trim();
      // The probe must see the script first, or "0 survivors" would prove nothing.
      if (sleeping() !== "1") return `before the kill, ${sleeping()} sleeping scripts were seen (expected 1)`;
      since = seq();
      inside("systemctl kill -s KILL octopus");
      await said(/^💥 Run #\d+ \(sleeper\) was interrupted/, 30_000, since);
      const survivors = sleeping();
      const restarts = inside("systemctl show -p NRestarts --value octopus").out.trim();
      if (survivors !== "0") return `${survivors} script processes survived`;
      return Number(restarts) >= 1 ? undefined : `NRestarts=${restarts}`;
    },
  );

  await check(
    "a configuration error (exit 2) does not restart-loop, and its reason is at -p err",
    async () => {
      writeFileSync(join(RUN, "etc/octopus/config.yaml"), `${CONFIG()}alerts:\n  for: many\n`);
      inside("systemctl reset-failed octopus; systemctl restart octopus");
      await Bun.sleep(12_000);
      const prop = (name: string) => inside(`systemctl show -p ${name} --value octopus`).out.trim();
      const [restarts, state, status] = [prop("NRestarts"), prop("ActiveState"), prop("ExecMainStatus")];
      const errors = inside("journalctl -u octopus -p err --no-pager -o cat").out;
      writeFileSync(join(RUN, "etc/octopus/config.yaml"), CONFIG());
      if (restarts !== "0") return `NRestarts=${restarts} (state ${state}, status ${status})`;
      if (status !== "2") return `exit status ${status} (state ${state})`;
      return errors.includes("alerts.for: expected a whole number")
        ? undefined
        : `the config error is not at -p err: ${errors.slice(-300)}`;
    },
  );

  await check("make uninstall (uninstall.sh) removes the unit and the binary, keeps config and state", () => {
    const r = inside("sh /root/dist/uninstall.sh");
    if (r.code !== 0) return `uninstall.sh exit ${r.code}: ${r.out}`;
    const gone =
      !existsSync(join(RUN, "etc/systemd/system/octopus.service")) &&
      !existsSync(join(RUN, "usr/local/bin/octopus"));
    const kept =
      existsSync(join(RUN, "etc/octopus/config.yaml")) && existsSync(join(RUN, "var/lib/octopus/octopus.db"));
    return gone && kept ? undefined : `unit/binary gone: ${gone}, config/state kept: ${kept}`;
  });
} finally {
  inside("systemctl poweroff");
  const stopped = await Promise.race([nspawn.exited.then(() => true), Bun.sleep(30_000).then(() => false)]);
  if (!stopped) nspawn.kill("SIGKILL");
  await api.stop();
}

const failed = results.filter((r) => !r.ok).length;
console.log(`test-systemd: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
