import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDiskReader, diskUsageFrom, readDisk } from "../../src/system/disk.ts";

describe("diskUsageFrom", () => {
  test.each([
    // bsize, blocks, bfree, bavail → used%, as df: used / (used + avail), rounded up
    [{ bsize: 4096, blocks: 1000, bfree: 500, bavail: 450, files: 100, ffree: 90 }, 53, 10],
    [{ bsize: 4096, blocks: 1000, bfree: 0, bavail: 0, files: 100, ffree: 0 }, 100, 100],
    [{ bsize: 4096, blocks: 1000, bfree: 1000, bavail: 950, files: 0, ffree: 0 }, 0, undefined],
    [{ bsize: 1024, blocks: 1000, bfree: 9, bavail: 9, files: 1000, ffree: 999 }, 100, 1],
  ])("%o", (s, percent, inodes) => {
    const u = diskUsageFrom(s);
    expect(u.usedPercent).toBe(percent);
    expect(u.inodesPercent).toBe(inodes);
    expect(u.size).toBe(s.blocks * s.bsize);
  });
});

describe("readDisk", () => {
  test("used percent equals df -P for the same path", async () => {
    for (const path of ["/", "/tmp"]) {
      const df = Bun.spawnSync(["df", "-P", path]).stdout.toString().trim().split("\n")[1] ?? "";
      const [, blocks, used, avail, capacity] = df.split(/\s+/);
      const ours = readDisk(path);
      if (!ours.ok) throw new Error(ours.error);
      expect(`${ours.value.usedPercent}%`).toBe(capacity as string);
      // df -P reports 1024-byte blocks.
      expect(Math.round(ours.value.size / 1024)).toBe(Number(blocks));
      expect(Math.abs(ours.value.used / 1024 - Number(used))).toBeLessThan(256 * 1024); // other writers between reads
      expect(Number(avail)).toBeGreaterThan(0);
    }
  });

  test.each([
    ["/does/not/exist", "no such path"],
    [join(mkdtempSync(join(tmpdir(), "octopus-disk-")), "file"), "not a directory (expected a mount point)"],
  ])("%s is an error value, not an exception", (path, error) => {
    if (path.endsWith("file")) writeFileSync(path, "x");
    expect(readDisk(path)).toEqual({ ok: false, error });
  });
});

describe("createDiskReader", () => {
  test("a directory is stat'ed once, then only statfs'ed; a path that fails is checked again", () => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-disk-"));
    const read = createDiskReader();
    expect(read(dir).ok).toBe(true);
    // Replaced by a file: statfs alone still answers, so the known directory keeps reading;
    // once it fails (gone), the next read checks again and sees what it is.
    rmSync(dir, { recursive: true });
    expect(read(dir)).toEqual({ ok: false, error: "no such path" });
    writeFileSync(dir, "x");
    expect(read(dir)).toEqual({ ok: false, error: "not a directory (expected a mount point)" });
  });
});
