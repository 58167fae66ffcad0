import { describe, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitsSocket, prepareControlDir } from "../../../src/features/fleet/control-dir.ts";
import { serverLine } from "../../../src/features/fleet/remote.ts";
import { createSshClient, fleetPaths } from "../../../src/features/fleet/ssh.ts";

const uid = process.getuid?.() ?? 0;
const stateDir = () => mkdtempSync(join(tmpdir(), "octopus-ctl-"));
const server = { name: "web1", ssh: "root@127.0.0.1:1", timeout: 5_000, octopus: "/usr/local/bin/octopus" };

describe("the ssh control folder", () => {
  test("made under the state dir, 0700, and kept", () => {
    const { controlDir } = fleetPaths(stateDir());
    const r = prepareControlDir(controlDir);
    expect(r).toEqual({ ok: true, value: controlDir });
    expect(statSync(controlDir).mode & 0o777).toBe(0o700);
    expect(prepareControlDir(controlDir)).toEqual({ ok: true, value: controlDir });
  });

  test("one owned by someone else is refused", () => {
    const { controlDir } = fleetPaths(stateDir());
    mkdirSync(controlDir, { recursive: true, mode: 0o700 });
    chownSync(controlDir, 65534, 65534);
    const r = prepareControlDir(controlDir, uid === 65534 ? 0 : uid);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(
      `refusing the ssh control folder ${controlDir}: it belongs to uid 65534`,
    );
  });

  test("one others can write to, or a symlink, is refused", () => {
    const open = fleetPaths(stateDir()).controlDir;
    mkdirSync(open, { recursive: true });
    chmodSync(open, 0o777);
    const r = prepareControlDir(open);
    expect(!r.ok && r.error).toContain("its mode is 0777: others could reach it (chmod 700)");

    const linked = fleetPaths(stateDir()).controlDir;
    mkdirSync(join(linked, ".."), { recursive: true });
    const elsewhere = mkdtempSync(join(tmpdir(), "octopus-elsewhere-"));
    symlinkSync(elsewhere, linked);
    const s = prepareControlDir(linked);
    expect(!s.ok && s.error).toContain("it is a symlink");
  });

  test("a state dir too deep for a socket path: a fresh private folder, a new name each time", () => {
    const deep = join(stateDir(), "d".repeat(80));
    const { controlDir } = fleetPaths(deep);
    expect(fitsSocket(controlDir)).toBe(false);
    const a = prepareControlDir(controlDir);
    const b = prepareControlDir(controlDir);
    if (!a.ok || !b.ok) throw new Error("not made");
    expect(a.value).not.toBe(b.value);
    for (const dir of [a.value, b.value]) {
      expect(fitsSocket(dir)).toBe(true);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      expect(statSync(dir).uid).toBe(uid);
    }
  });

  test("the hub refuses to call through a folder taken over after it started; the server line says why", async () => {
    const paths = fleetPaths(stateDir());
    const ssh = createSshClient(paths);
    // First call: the folder is made and used (the server itself is not there).
    const first = await ssh.call(server, "status --json");
    expect(!first.ok && first.error.kind).toBe("unreachable");
    expect(readdirSync(paths.controlDir)).toEqual([]);
    chownSync(paths.controlDir, 65534, 65534);
    const second = await ssh.call(server, "status --json");
    if (second.ok) throw new Error("called");
    expect(second.error.kind).toBe("local");
    expect(serverLine("web1", second)).toBe(
      `⚪ web1 · not contacted: refusing the ssh control folder ${paths.controlDir}: it belongs to uid 65534, not to this user (uid ${uid})`,
    );
    const run = ssh.stream(server, "run backup", () => {});
    const ended = await run.exited;
    expect(!ended.ok && ended.error.kind).toBe("local");
  });
});
