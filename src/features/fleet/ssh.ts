import { statSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../../config/schema.ts";
import { copyBounded, readBounded, readTail } from "../../shared/bounded.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { formatBytes } from "../../system/format.ts";
import { checkControlDir, prepareControlDir } from "./control-dir.ts";

/**
 * The hub's calls to its servers: OpenSSH itself, with the host key pinned in the hub's own
 * known_hosts (StrictHostKeyChecking=yes), one multiplexed connection per server reused for
 * every call (ControlMaster), a connect timeout and a per-call timeout. No shell on either
 * side: the server's forced command answers only what it allows. The ssh child gets no
 * environment but PATH: no secret of the hub reaches it.
 */

export type FleetFailure =
  | { kind: "unreachable"; detail: string }
  | { kind: "host-key"; detail: string }
  | { kind: "refused"; detail: string }
  | { kind: "timeout"; detail: string }
  /** More than the bound for that answer: reading stopped there and the call was ended. */
  | { kind: "too-large"; detail: string }
  /** The hub itself cannot call safely (its ssh control folder is not private): nothing sent. */
  | { kind: "local"; detail: string };

/**
 * What the hub reads from a server at most: an answer (status, scripts, history: a few KiB
 * normally), a fetched log (Telegram sends no larger document), ssh's stderr (its end is kept).
 */
export const BOUNDS = { answer: 1024 * 1024, log: 50 * 1024 * 1024, stderr: 16 * 1024 };

export const tooLarge = (bytes: number): FleetFailure => ({
  kind: "too-large",
  detail: `more than ${formatBytes(bytes)}: not read further`,
});

export interface FleetPaths {
  key: string;
  knownHosts: string;
  /**
   * Where the multiplexing sockets live: private to this user, under the state dir (where that
   * path is too long for a socket, a fresh private folder instead: control-dir.ts).
   */
  controlDir: string;
}

export function fleetPaths(stateDir: string): FleetPaths {
  const dir = join(stateDir, "fleet");
  return {
    key: join(dir, "id_ed25519"),
    knownHosts: join(dir, "known_hosts"),
    controlDir: join(dir, "ctl"),
  };
}

/** `user@host[:port]` → ssh's destination and port (pure). */
export function destinationOf(ssh: string): { destination: string; port: string } {
  const m = /^(.+@[^:]+)(?::(\d+))?$/.exec(ssh);
  return { destination: m?.[1] ?? ssh, port: m?.[2] ?? "22" };
}

const HOST_KEY_CHANGED: FleetFailure = {
  kind: "host-key",
  detail: "the host key does not match the one trusted (octopus fleet trust NAME)",
};

/** What an ssh failure means, from its exit code and stderr (pure). */
export function failureOf(code: number | null, stderr: string): FleetFailure {
  const line = stderr.trim().split("\n").filter(Boolean).at(-1) ?? "";
  if (
    /host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED|no .* host key is known/i.test(
      stderr,
    )
  )
    return HOST_KEY_CHANGED;
  if (code === 255) return { kind: "unreachable", detail: line.replace(/^ssh: /, "") || "ssh failed" };
  return { kind: "refused", detail: line || `exit ${code}` };
}

export function sshArgs(server: ServerConfig, paths: FleetPaths, command: string): string[] {
  const { destination, port } = destinationOf(server.ssh);
  const opt = (o: string) => ["-o", o];
  return [
    "ssh",
    "-F",
    "/dev/null",
    ...opt("BatchMode=yes"),
    ...opt("StrictHostKeyChecking=yes"),
    ...opt(`UserKnownHostsFile=${paths.knownHosts}`),
    ...opt("GlobalKnownHostsFile=/dev/null"),
    ...opt("IdentitiesOnly=yes"),
    "-i",
    server.identity_file ?? paths.key,
    ...opt("ControlMaster=auto"),
    ...opt(`ControlPath=${paths.controlDir}/%C`),
    ...opt("ControlPersist=120"),
    ...opt("ConnectTimeout=5"),
    ...opt("ServerAliveInterval=10"),
    ...opt("KexAlgorithms=curve25519-sha256,curve25519-sha256@libssh.org"),
    "-p",
    port,
    destination,
    "--",
    command,
  ];
}

export function createSshClient(paths: FleetPaths, bounds = BOUNDS) {
  /** Servers whose host key did not match, with the known_hosts version that refused them. */
  const blocked = new Map<string, number>();
  const knownHostsVersion = () => {
    try {
      return statSync(paths.knownHosts).mtimeMs;
    } catch {
      return 0;
    }
  };
  /** The control folder in use, once made; checked again before every call. */
  let controlDir: string | undefined;
  const ready = (): Result<FleetPaths, FleetFailure> => {
    const dir = controlDir === undefined ? prepareControlDir(paths.controlDir) : checkControlDir(controlDir);
    if (!dir.ok) return err({ kind: "local", detail: dir.error });
    controlDir = dir.value;
    return ok({ ...paths, controlDir });
  };
  const spawn = (argv: string[], timeout?: number, input?: string) =>
    Bun.spawn(argv, {
      stdin: input === undefined ? "ignore" : Buffer.from(input),
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      ...(timeout === undefined ? {} : { timeout, killSignal: "SIGKILL" as const }),
    });
  const isBlocked = (server: ServerConfig) => {
    if (blocked.get(server.name) === knownHostsVersion()) return true;
    blocked.delete(server.name);
    return false;
  };
  const failed = (server: ServerConfig, code: number | null, stderr: string) => {
    const failure = failureOf(code, stderr);
    if (failure.kind === "host-key") blocked.set(server.name, knownHostsVersion());
    return failure;
  };
  return {
    /**
     * A long call (a run): stdout as it arrives, no timeout but the connection's own
     * (ServerAliveInterval); `exited` is the exit code, or why ssh failed.
     */
    stream(server: ServerConfig, command: string, onText: (text: string) => void, input?: string) {
      if (isBlocked(server)) return { exited: Promise.resolve(err(HOST_KEY_CHANGED)), kill() {} };
      const using = ready();
      if (!using.ok) return { exited: Promise.resolve(err(using.error)), kill() {} };
      const child = spawn(sshArgs(server, using.value, command), undefined, input);
      const reading = (async () => {
        const decoder = new TextDecoder();
        for await (const chunk of child.stdout as ReadableStream<Uint8Array>)
          onText(decoder.decode(chunk, { stream: true }));
        onText(decoder.decode());
      })();
      const exited = (async (): Promise<Result<number, FleetFailure>> => {
        const [errText, code] = await Promise.all([
          readTail(child.stderr as ReadableStream<Uint8Array>, bounds.stderr),
          child.exited,
          reading,
        ]);
        if (code === 255 || child.signalCode) return err(failed(server, code, errText));
        return ok(code);
      })();
      return { exited, kill: () => child.kill("SIGKILL") };
    },
    /** Stdout to a file (a run's log): never held whole in memory, at most `bounds.log` on disk. */
    async toFile(server: ServerConfig, command: string, path: string): Promise<Result<number, FleetFailure>> {
      if (isBlocked(server)) return err(HOST_KEY_CHANGED);
      const using = ready();
      if (!using.ok) return using;
      const child = spawn(sshArgs(server, using.value, command));
      const timer = setTimeout(() => child.kill("SIGKILL"), Math.max(server.timeout, 60_000));
      const copied = copyBounded(child.stdout as ReadableStream<Uint8Array>, path, bounds.log).then(
        (fits) => {
          if (!fits) child.kill("SIGKILL");
          return fits;
        },
      );
      const [fits, errText, code] = await Promise.all([
        copied,
        readTail(child.stderr as ReadableStream<Uint8Array>, bounds.stderr),
        child.exited,
      ]);
      clearTimeout(timer);
      if (!fits) return err(tooLarge(bounds.log));
      if (child.signalCode) return err({ kind: "timeout", detail: "the transfer took too long" });
      if (code === 255) return err(failed(server, code, errText));
      return ok(code);
    },
    /**
     * Runs one allowed command on a server; its stdout, or why not. Exit 1 with output is an
     * answer (a critical disk). A server whose host key changed is not contacted again until
     * the trusted keys change (`octopus fleet trust`).
     */
    async call(server: ServerConfig, command: string): Promise<Result<string, FleetFailure>> {
      if (isBlocked(server)) return err(HOST_KEY_CHANGED);
      const using = ready();
      if (!using.ok) return using;
      const child = spawn(sshArgs(server, using.value, command), server.timeout);
      // Bounded while it is read: past the bound the call ends there (an endless answer costs
      // the hub at most the bound).
      const reading = readBounded(child.stdout, bounds.answer).then((text) => {
        if (text === undefined) child.kill("SIGKILL");
        return text;
      });
      const [out, errText, code] = await Promise.all([
        reading,
        readTail(child.stderr, bounds.stderr),
        child.exited,
      ]);
      if (out === undefined) return err(tooLarge(bounds.answer));
      if (child.signalCode)
        return err({ kind: "timeout", detail: `no answer within ${server.timeout / 1000} s` });
      if ((code === 0 || code === 1) && out.trim()) return ok(out);
      return err(failed(server, code, errText));
    },
  };
}

export type SshClient = ReturnType<typeof createSshClient>;
