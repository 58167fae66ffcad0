import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "./bot-process.ts";

/**
 * A throwaway OpenSSH server on a loopback port for the fleet tests: its own host key, and an
 * authorized_keys whose only line runs `octopus serve-ssh -c CONFIG` (this source tree) for
 * the given client key, as `octopus fleet authorize` tells an operator to.
 */

const ROOT = resolve(import.meta.dir, "../..");
export const SSHD = "/usr/sbin/sshd";
export const canRunSshd = () =>
  process.getuid?.() === 0 &&
  Bun.spawnSync(["sh", "-c", `test -x ${SSHD} && command -v ssh-keygen`]).exitCode === 0;

export function keygen(path: string): string {
  Bun.spawnSync(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path]);
  return readFileSync(`${path}.pub`, "utf8").trim();
}

/**
 * `disk`: the server runs in its own mount namespace with a tmpfs of `mib` MiB at `path`,
 * `fillMib` of it used, so it shows a disk no other server has. Every server's namespace
 * hides root's ~/.bashrc (bash reads it for each ssh command: ~110 ms here).
 */
export async function startSshd(options: {
  config: string;
  clientKey: string;
  disk?: { path: string; mib: number; fillMib: number };
  /** The octopus the forced command runs (default: this source tree under Bun). */
  octopus?: string;
  /** A whole forced command instead (a bench's fixed answer). */
  forced?: string;
}) {
  mkdirSync("/run/sshd", { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "octopus-sshd-"));
  const port = freePort();
  const hostKey = keygen(join(dir, "host_key"));
  // Its own state (runs, history) in its folder: never the machine's.
  writeFileSync(join(dir, "server.yaml"), `${options.config}\nstorage:\n  dir: ${join(dir, "state")}\n`);
  const octopus = options.octopus ?? `${process.execPath} ${join(ROOT, "src/main.ts")}`;
  const command = options.forced ?? `${octopus} serve-ssh -c ${join(dir, "server.yaml")}`;
  writeFileSync(join(dir, "authorized_keys"), `restrict,command="${command}" ${options.clientKey}\n`, {
    mode: 0o600,
  });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "",
    ].join("\n"),
  );
  const sshd = `exec ${SSHD} -D -f ${join(dir, "sshd_config")} -E ${join(dir, "sshd.log")}`;
  const d = options.disk;
  const prepare = [
    "[ -f /root/.bashrc ] && mount --bind /dev/null /root/.bashrc",
    ...(d
      ? [
          `mkdir -p ${d.path}`,
          `mount -t tmpfs -o size=${d.mib}m tmpfs ${d.path}`,
          `head -c ${d.fillMib}M /dev/zero > ${d.path}/fill`,
        ]
      : []),
  ].join("; ");
  // unshare execs sh, which execs sshd: the spawned pid is sshd's.
  const proc = Bun.spawn(["unshare", "-m", "--propagation", "private", "sh", "-c", `${prepare}; ${sshd}`], {
    stdout: "ignore",
    stderr: "ignore",
  });
  for (let i = 0; i < 100; i++) {
    const probe = Bun.spawnSync(["bash", "-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stderr: "ignore" });
    if (probe.exitCode === 0) break;
    await Bun.sleep(50);
  }
  return {
    port,
    dir,
    /** The server's host key line for a known_hosts file. */
    knownHostsLine: `[127.0.0.1]:${port} ${hostKey.split(" ").slice(0, 2).join(" ")}`,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
