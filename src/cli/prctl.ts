import { dlopen, FFIType } from "bun:ffi";

/**
 * Two process settings Bun has no API for, through libc's prctl(2):
 * - not dumpable: /proc/<pid>/environ, /mem and ptrace of the bot become unavailable to
 *   processes of the same user (its scripts), so a script cannot read the bot's secrets there;
 * - child subreaper: processes a script orphans (setsid, double fork) are re-parented to the
 *   bot instead of init, so Stop can still find and end them.
 * On a libc without prctl (not Linux/glibc-compatible) both report false and nothing changes.
 */
const PR_SET_DUMPABLE = 4;
const PR_GET_DUMPABLE = 3;
const PR_SET_CHILD_SUBREAPER = 36;

type Prctl = (option: number, a: number, b: number, c: number, d: number) => number;

let cached: Prctl | null | undefined;

function prctl(): Prctl | null {
  if (cached !== undefined) return cached;
  for (const name of ["libc.so.6", "libc.so"]) {
    try {
      const lib = dlopen(name, {
        prctl: {
          args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
          returns: FFIType.i32,
        },
      });
      cached = (o, a, b, c, d) => lib.symbols.prctl(o, a, b, c, d) as number;
      return cached;
    } catch {
      // try the next name
    }
  }
  cached = null;
  return cached;
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
