import { statfsSync, statSync } from "node:fs";
import type { Result } from "../shared/result.ts";

/** One filesystem's use, in bytes and percent, the way `df -P` computes it. */
export interface DiskUsage {
  size: number;
  used: number;
  /** Available to unprivileged users (root's reserve excluded). */
  available: number;
  /** used / (used + available), rounded up, as df does (0-100). */
  usedPercent: number;
  /** Inodes used percent (0-100); undefined on filesystems without inode counts (btrfs). */
  inodesPercent: number | undefined;
}

export interface StatFsNumbers {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** Pure: statfs numbers to usage. df rounds the percent up so 99.1% full never shows 99%. */
export function diskUsageFrom(s: StatFsNumbers): DiskUsage {
  const size = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const available = s.bavail * s.bsize;
  const usable = used + available;
  const inodesUsed = s.files - s.ffree;
  return {
    size,
    used,
    available,
    usedPercent: usable > 0 ? Math.ceil((used * 100) / usable) : 0,
    inodesPercent: s.files > 0 ? Math.ceil((inodesUsed * 100) / s.files) : undefined,
  };
}

/**
 * statfs on a monitored path. A path that does not exist, cannot be read or is not a
 * directory is an expected outcome (a disk can be unmounted), not an exception.
 */
export function readDisk(path: string, knownDirectory = false): Result<DiskUsage, string> {
  try {
    if (!knownDirectory && !statSync(path).isDirectory())
      return { ok: false, error: "not a directory (expected a mount point)" };
    return { ok: true, value: diskUsageFrom(statfsSync(path)) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such path"
        : code === "EACCES"
          ? "permission denied"
          : `cannot read (${code ?? "error"})`;
    return { ok: false, error: reason };
  }
}

/**
 * readDisk for a snapshotter: a path found to be a directory is not stat'ed again, so a
 * snapshot makes one system call per device (statfs); a path that fails is checked again.
 */
export function createDiskReader(): (path: string) => Result<DiskUsage, string> {
  const directories = new Set<string>();
  return (path) => {
    const r = readDisk(path, directories.has(path));
    if (r.ok) directories.add(path);
    else directories.delete(path);
    return r;
  };
}
