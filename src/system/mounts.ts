import { readFileSync } from "node:fs";

/**
 * The filesystems worth watching when no config names any (pure parser + a reader): the root,
 * and every mount of a real filesystem (backed by a device, or a network filesystem), once
 * per device, never the pseudo ones (proc, sysfs, tmpfs, cgroup, overlay layers…).
 */

const REAL_TYPES = new Set([
  "ext2",
  "ext3",
  "ext4",
  "xfs",
  "btrfs",
  "zfs",
  "f2fs",
  "jfs",
  "reiserfs",
  "vfat",
  "exfat",
  "ntfs",
  "ntfs3",
  "nfs",
  "nfs4",
  "cifs",
  "smb3",
  "fuseblk",
]);

/** `/proc/self/mounts` escapes spaces and such as octal (`\040`). */
const decodeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

export function realMounts(mountsText: string): { name: string; path: string }[] {
  const out: { name: string; path: string }[] = [];
  const seenDevices = new Set<string>();
  for (const line of mountsText.split("\n")) {
    const [source, target, type] = line.split(" ");
    if (!source || !target || !type) continue;
    const path = decodeOctal(target);
    const real = REAL_TYPES.has(type);
    if (!(real || path === "/")) continue;
    if (path !== "/" && seenDevices.has(source)) continue;
    seenDevices.add(source);
    if (out.some((m) => m.path === path)) continue;
    out.push({ name: path === "/" ? "root" : path, path });
  }
  if (!out.some((m) => m.path === "/")) out.unshift({ name: "root", path: "/" });
  // The root first, then by path.
  return [
    out.find((m) => m.path === "/") as { name: string; path: string },
    ...out.filter((m) => m.path !== "/").sort((a, b) => a.path.localeCompare(b.path)),
  ];
}

export function readRealMounts(): { name: string; path: string }[] {
  try {
    return realMounts(readFileSync("/proc/self/mounts", "utf8"));
  } catch {
    return [{ name: "root", path: "/" }];
  }
}
