import { dlopen, FFIType } from "bun:ffi";

/**
 * What Bun has no API for, through libc: waitpid(2) for re-parented orphans, and two process
 * settings through prctl(2):
 * - not dumpable: /proc/<pid>/environ, /mem and ptrace of the bot become unavailable to
 *   processes of the same user (its scripts), so a script cannot read the bot's secrets there;
 * - child subreaper: processes a script orphans (setsid, double fork) are re-parented to the
 *   bot instead of init, so Stop can still find and end them.
 * On a libc without prctl (not Linux/glibc-compatible) both report false and nothing changes.
 */
const PR_SET_DUMPABLE = 4;
const PR_GET_DUMPABLE = 3;
const PR_SET_CHILD_SUBREAPER = 36;

const WNOHANG = 1;

interface Libc {
  prctl(option: number, a: number, b: number, c: number, d: number): number;
  waitpid(pid: number, status: null, options: number): number;
}

let cached: Libc | null | undefined;

function libc(): Libc | null {
  if (cached !== undefined) return cached;
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      const lib = dlopen(name, {
        prctl: {
          args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
          returns: FFIType.i32,
        },
        waitpid: { args: [FFIType.i32, FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
      });
      cached = {
        prctl: (o, a, b, c, d) => lib.symbols.prctl(o, a, b, c, d) as number,
        waitpid: (pid, status, options) => lib.symbols.waitpid(pid, status, options) as number,
      };
      return cached;
    } catch {
      // try the next name
    }
  }
  cached = null;
  return cached;
}

const prctl = () => libc()?.prctl;

/**
 * Collects the exit status of a zombie child that Bun did not spawn (an orphan re-parented to
 * us). Never call it for a pid Bun.spawn started: Bun would lose that child's exit status.
 */
export function reap(pid: number): boolean {
  return (libc()?.waitpid(pid, null, WNOHANG) ?? 0) === pid;
}

export function setNotDumpable(): boolean {
  return prctl()?.(PR_SET_DUMPABLE, 0, 0, 0, 0) === 0;
}

export function isDumpable(): boolean | undefined {
  const r = prctl()?.(PR_GET_DUMPABLE, 0, 0, 0, 0);
  return r === undefined ? undefined : r === 1;
}

export function setChildSubreaper(): boolean {
  return prctl()?.(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
}
