import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { ServerConfig } from "../../config/schema.ts";
import type {
  RemoteRunEnd,
  RemoteRunHandle,
  RemoteRunStart,
  RemoteRuns,
  RemoteValues,
} from "../../shared/remote-runs.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { formatBytes } from "../../system/format.ts";
import { createFrameReader, FRAME, type FrameEvent } from "./frames.ts";
import { parseRemoteChoices, parseRemoteRuns, parseRemoteScripts, serverLine } from "./remote.ts";
import type { FleetFailure, SshClient } from "./ssh.ts";

/**
 * The fleet's side of a run on a server: `run NAME` streamed over the server's multiplexed
 * connection, `stop RUN_ID` over the same, `log RUN_ID` into a file. The server decides what
 * exists and refuses anything its config does not list.
 */

/** The script named by a `log` answer's first line (a frame), if it is one. */
function scriptOf(line: string): string | undefined {
  if (!line.startsWith(FRAME)) return undefined;
  try {
    const script = (JSON.parse(line.slice(FRAME.length)) as { script?: unknown }).script;
    return typeof script === "string" ? script : undefined;
  } catch {
    return undefined;
  }
}

const failureText = (server: string, error: FleetFailure) => serverLine(server, { ok: false, error });

export function createRemoteRuns(ssh: SshClient, servers: () => readonly ServerConfig[]): RemoteRuns {
  const find = (name: string) => servers().find((s) => s.name === name);
  const missing = (name: string) => err(`No server ${name}.`);

  function start(
    name: string,
    script: string,
    open: (start: RemoteRunStart) => (text: string) => void,
    given?: RemoteValues,
  ): Promise<Result<RemoteRunHandle, string>> {
    const server = find(name);
    if (!server) return Promise.resolve(missing(name));
    const reader = createFrameReader();
    let sink: ((text: string) => void) | undefined;
    let end: RemoteRunEnd | undefined;
    let detached = false;
    let oversize: string | undefined;
    let settle: (r: Result<RemoteRunHandle, string>) => void = () => {};
    const started = new Promise<Result<RemoteRunHandle, string>>((resolve) => (settle = resolve));
    const handleEvents = (events: FrameEvent[]) => {
      for (const e of events) {
        if (e.kind === "start" && !sink) {
          sink = open(e.start);
          settle(ok(handleOf(e.start)));
        } else if (e.kind === "text") sink?.(e.text);
        else if (e.kind === "end") end = e.end;
        else if (e.kind === "refused") settle(err(`${name}: ${e.text}.`));
        else if (e.kind === "oversize" && !oversize) {
          oversize = `answer too large: a frame of more than ${formatBytes(e.bytes)}`;
          call.kill();
          settle(err(`${name}: ${oversize}.`));
        }
      }
    };
    // Values go on stdin, one JSON line: a command line would show them to `ps` on both ends.
    const call = ssh.stream(
      server,
      given ? `run ${script} --values` : `run ${script}`,
      (text) => handleEvents(reader.feed(text)),
      given ? `${JSON.stringify(given)}\n` : undefined,
    );
    // No start frame within the server's timeout: it is not answering.
    const timer = setTimeout(() => {
      if (sink) return;
      call.kill();
      settle(err(`${name}: no answer within ${server.timeout / 1000} s.`));
    }, server.timeout);
    const ended = call.exited.then((r): Result<RemoteRunEnd, string> => {
      clearTimeout(timer);
      handleEvents(reader.close());
      if (!sink) settle(err(r.ok ? `${name}: its answer could not be read.` : failureText(name, r.error)));
      if (end) return ok(end);
      if (oversize) return err(oversize);
      if (detached) return err("the hub stopped following it");
      return err(r.ok ? "the connection closed before the run ended" : r.error.detail);
    });
    const handleOf = (s: RemoteRunStart): RemoteRunHandle => ({
      start: s,
      ended,
      async stop() {
        const r = await ssh.call(server, `stop ${s.run}`);
        return r.ok ? `${name}: ${r.value.trim()}` : failureText(name, r.error);
      },
      detach() {
        detached = true;
        call.kill();
      },
    });
    return started;
  }

  return {
    names: () => servers().map((s) => s.name),
    async scripts(name) {
      const server = find(name);
      if (!server) return missing(name);
      const r = await ssh.call(server, "scripts --json");
      if (!r.ok) return err(failureText(name, r.error));
      const scripts = parseRemoteScripts(r.value);
      if (scripts) return ok(scripts);
      return err(`${name}: its list of scripts could not be read (a different octopus version?)`);
    },
    start,
    async choices(name, script, param) {
      const server = find(name);
      if (!server) return missing(name);
      const r = await ssh.call(server, `choices ${script} ${param}`);
      if (!r.ok) return err(failureText(name, r.error));
      const answer = parseRemoteChoices(r.value);
      if (!answer) return err(`${name}: its list of choices could not be read`);
      return "error" in answer ? err(`${name}: ${answer.error}`) : ok(answer);
    },
    async runScript(name, id) {
      const server = find(name);
      if (!server) return missing(name);
      const r = await ssh.call(server, "history --json");
      if (!r.ok) return err(failureText(name, r.error));
      const runs = parseRemoteRuns(r.value);
      if (!runs) return err(`${name}: its list of runs could not be read (a different octopus version?)`);
      return ok(runs.find((run) => run.id === id)?.script);
    },
    async log(name, id, path) {
      const server = find(name);
      if (!server) return missing(name);
      const raw = `${path}.part`;
      try {
        const r = await ssh.toFile(server, `log ${id}`, raw);
        if (!r.ok) return err(failureText(name, r.error));
        // The first line names the run's script; the rest is its text, copied without it in
        // a stream (Bun 1.4.5's Bun.write and .stream() of a file slice ignore its start).
        const file = Bun.file(raw);
        const head = await file.slice(0, 4096).text();
        const first = head.split("\n")[0] ?? "";
        const script = r.value === 0 ? scriptOf(first) : undefined;
        if (script === undefined)
          return err(`${name}: ${first.replace(FRAME, "").slice(0, 200) || "no such run"}.`);
        await pipeline(
          createReadStream(raw, { start: Buffer.byteLength(first) + 1 }),
          createWriteStream(path, { mode: 0o600 }),
        );
        return ok({ script });
      } finally {
        rmSync(raw, { force: true });
      }
    },
  };
}
