import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createProcReader } from "../../src/system/proc-reader.ts";

test("a kept descriptor sees new contents, survives the file going away, and reopens", () => {
  const dir = mkdtempSync(join(tmpdir(), "octopus-reader-"));
  const file = join(dir, "loadavg");
  const reader = createProcReader();
  writeFileSync(file, "0.10 0.20 0.30 1/10 5\n");
  expect(reader.read(file)).toBe("0.10 0.20 0.30 1/10 5\n");
  writeFileSync(file, "9.99 0.20 0.30 1/10 5\n");
  expect(reader.read(file)).toBe("9.99 0.20 0.30 1/10 5\n");
  expect(reader.read(join(dir, "missing"))).toBeUndefined();
  rmSync(file);
  writeFileSync(file, "1.00 1.00 1.00 1/10 5\n");
  // The old descriptor still reads the removed inode; re-reading /proc never hits this, but a
  // reader must not crash on it either.
  expect(typeof reader.read(file)).toBe("string");
  reader.close();
  expect(reader.read(file)).toBe("1.00 1.00 1.00 1/10 5\n");
});

test("reads /proc/loadavg on this machine, twice through one descriptor", () => {
  const reader = createProcReader();
  expect(reader.read("/proc/loadavg")).toMatch(/^\d+\.\d+ /);
  expect(reader.read("/proc/loadavg")).toMatch(/^\d+\.\d+ /);
  reader.close();
});
