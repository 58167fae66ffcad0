import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Config } from "../config/parse.ts";
import { resolveStateDir } from "../config/state-dir.ts";
import { destinationOf, fleetPaths } from "../features/fleet/ssh.ts";
import type { Env } from "./config-io.ts";
import type { CliIo } from "./io.ts";

/**
 * `octopus fleet key|authorize|trust NAME`: the hub's side of setting up a fleet, with
 * OpenSSH's own tools (ssh-keygen, ssh-keyscan); nothing of ours on the wire.
 */
export async function fleetCommand(
  config: Config,
  env: Env,
  action: "key" | "authorize" | "trust",
  name: string | undefined,
  io: CliIo,
): Promise<number> {
  const paths = fleetPaths(resolveStateDir(config, env));
  mkdirSync(dirname(paths.key), { recursive: true, mode: 0o700 });
  const fail = (text: string, code: number) => {
    io.err(text);
    return code;
  };
  const run = (argv: string[]) =>
    Bun.spawnSync(argv, { stdin: "ignore", env: { PATH: env.PATH ?? "/usr/bin:/bin" } });
  if (action === "key") {
    if (existsSync(paths.key)) {
      io.out(`${paths.key} exists already.`);
      return 0;
    }
    const r = run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "octopus-hub", "-f", paths.key]);
    if (r.exitCode !== 0) return fail(`octopus: ssh-keygen failed: ${r.stderr.toString().trim()}`, 1);
    io.out(
      `Created ${paths.key}. On each server: octopus fleet authorize (from this hub) shows the line to add.`,
    );
    return 0;
  }
  const server = name === undefined ? undefined : config.servers.find((s) => s.name === name);
  if (name !== undefined && !server) {
    const known = config.servers.map((s) => s.name).join(", ") || "(none)";
    return fail(`octopus: no server named ${name} in servers: ${known}`, 2);
  }
  if (action === "authorize") {
    const pub = Bun.file(`${paths.key}.pub`);
    if (!(await pub.exists())) return fail("octopus: no hub key yet: run octopus fleet key first", 1);
    const key = (await pub.text()).trim();
    io.out(`restrict,command="${server?.octopus ?? "/usr/local/bin/octopus"} serve-ssh" ${key}`);
    return 0;
  }
  if (!server) return fail("octopus: fleet trust NAME: which server?", 2);
  const { destination, port } = destinationOf(server.ssh);
  const host = destination.split("@")[1] as string;
  const scan = run(["ssh-keyscan", "-T", "5", "-t", "ed25519", "-p", port, host]);
  const line = scan.stdout
    .toString()
    .split("\n")
    .find((l) => l.trim() && !l.startsWith("#"));
  if (!line) return fail(`octopus: no host key from ${host}:${port}: ${scan.stderr.toString().trim()}`, 1);
  const fingerprint = Bun.spawnSync(["ssh-keygen", "-l", "-f", "-"], { stdin: new Blob([`${line}\n`]) });
  const known = Bun.file(paths.knownHosts);
  const kept = (await known.exists())
    ? (await known.text()).split("\n").filter((l) => l && !l.startsWith(line.split(" ")[0] as string))
    : [];
  await Bun.write(paths.knownHosts, `${[...kept, line].join("\n")}\n`);
  io.out(
    `Trusted ${name} (${host}:${port}): ${fingerprint.stdout.toString().trim()}\nCompare it with the server's own: ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub`,
  );
  return 0;
}
