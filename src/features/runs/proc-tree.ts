import { readdirSync, readFileSync } from "node:fs";

/**
 * Finding every process a run started, from /proc. A process group is not enough: a script
 * can `setsid` or double-fork a child out of it. Three ways to belong to a run:
 * - a descendant of the run's process (by parent pid);
 * - a member of the run's process group;
 * - a process re-parented to the bot (it is a child subreaper, see cli/prctl.ts) whose
 *   environment carries the run's key (OCTOPUS_RUN_KEY, inherited unless a script clears
 *   it), and that process's descendants.
 * The selection is pure (`selectRunTree`); reading /proc is `listProcesses` and `environOf`.
 */

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** R, S, D, Z (zombie), T… */
  state: string;
}

/** Parses /proc/<pid>/stat (the command name may hold spaces and parentheses). */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(")");
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return undefined;
  const f = text.slice(close + 2).split(" ");
  const ppid = Number(f[1]);
  const pgid = Number(f[2]);
  if (!f[0] || !Number.isInteger(ppid) || !Number.isInteger(pgid)) return undefined;
  return { pid, ppid, pgid, state: f[0] };
}

export function listProcesses(procRoot = "/proc"): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const info = parseStat(readFileSync(`${procRoot}/${name}/stat`, "utf8"));
      if (info) out.push(info);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** The process's environment as `KEY=VALUE` strings; empty when it cannot be read. */
export function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/**
 * The live processes (zombies excluded) of one run. `attributed` says whether a process
 * re-parented to `self` belongs to this run (read from its environment).
 */
export function selectRunTree(
  procs: readonly ProcInfo[],
  run: { leader: number; self: number },
  attributed: (pid: number) => boolean,
): number[] {
  const children = new Map<number, ProcInfo[]>();
  for (const p of procs) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const found = new Set<number>();
  const walk = (root: ProcInfo) => {
    const stack = [root];
    while (stack.length) {
      const p = stack.pop() as ProcInfo;
      if (found.has(p.pid)) continue;
      found.add(p.pid);
      stack.push(...(children.get(p.pid) ?? []));
    }
  };
  for (const p of procs) {
    if (p.pid === run.self) continue;
    if (p.pid === run.leader || p.pgid === run.leader) walk(p);
    else if (p.ppid === run.self && attributed(p.pid)) walk(p);
  }
  found.delete(run.self);
  return procs.filter((p) => found.has(p.pid) && p.state !== "Z").map((p) => p.pid);
}

/** The run's live processes now, read from /proc. */
export function runTree(leader: number, runKey: string): number[] {
  const needle = `OCTOPUS_RUN_KEY=${runKey}`;
  return selectRunTree(listProcesses(), { leader, self: process.pid }, (pid) =>
    environOf(pid).includes(needle),
  );
}

/** Processes anywhere (a crashed bot's orphans) that carry the run's key. */
export function processesWithKey(runKey: string): number[] {
  const needle = `OCTOPUS_RUN_KEY=${runKey}`;
  return listProcesses()
    .filter((p) => p.pid !== process.pid && p.state !== "Z" && environOf(p.pid).includes(needle))
    .map((p) => p.pid);
}
