import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { statusButton } from "../../../src/features/status/buttons.ts";
import { ADMIN, BASE_CONFIG, type Harness, startHarness, VIEWER } from "../../support/harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe("/status through the local Bot API", () => {
  test("a viewer gets the snapshot; Refresh edits the same message", async () => {
    h = await startHarness(`${BASE_CONFIG}  - { name: gone, path: /no/such/disk }\n`);
    h.api.userSays(VIEWER.id, VIEWER, "/status");
    const msg = await h.nextMessage(VIEWER.id);
    expect(msg.text).toMatch(/^🖥 \S+ · up /);
    expect(msg.text).toMatch(/\nroot +[▓░]{10} +\d+% /);
    expect(msg.text).toContain("gone ✖ no such path 🔴");
    expect(msg.keyboard?.[0]?.[0]).toEqual({
      text: "🔄 Refresh",
      callback_data: statusButton.pack({ mode: "refresh" }),
    });
    expect(msg.keyboard?.[0]?.[1]?.text).toBe("📈 Chart");
    h.api.press(VIEWER.id, msg.messageId, statusButton.pack({ mode: "refresh" }), VIEWER);
    const toast = await h.api.waitFor((e) => e.type === "answer");
    expect(toast).toMatchObject({ text: expect.stringMatching(/Refreshed|No change/) });
    expect(h.messagesIn(VIEWER.id)).toHaveLength(1);
  });

  test("200 devices (one path under 200 names): one complete message, and Refresh shows the same content", async () => {
    const devices = Array.from(
      { length: 200 },
      (_, i) =>
        `  - { name: dev${String(i).padStart(3, "0")}, path: /, alert_threshold: ${i === 150 ? 1 : 99}, critical_threshold: 100 }`,
    ).join("\n");
    h = await startHarness(`telegram:\n  admins: [${ADMIN.id}]\nmonitored_devices:\n${devices}\n`);
    h.api.userSays(ADMIN.id, ADMIN, "/status");
    const msg = await h.nextMessage(ADMIN.id);
    expect(msg.text.length).toBeLessThanOrEqual(4096);
    expect(msg.text).toMatch(/\ndev150 +[▓░]{10} +\d+% /);
    expect(msg.text).toMatch(/\+ 199 more under their thresholds, highest \d+% \(dev\d{3}\)/);
    h.api.press(ADMIN.id, msg.messageId, statusButton.pack({ mode: "refresh" }), ADMIN);
    await h.api.waitFor((e) => e.type === "answer");
    const after = h.messagesIn(ADMIN.id);
    expect(after).toHaveLength(1);
    const strip = (t: string) =>
      t
        .split("\n")
        .filter((l) => /^dev|^\+/.test(l))
        .map((l) => l.replace(/\d+%.*/, ""));
    expect(strip(after[0]?.text ?? "")).toEqual(strip(msg.text));
  });

  test("arguments route to the Plume location status (which says how to set Plume up)", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/status 5f0c8e2a9d3b4c1a2b3c4d5e 5f0c8e2a9d3b4c1a2b3c4d5f");
    expect((await h.nextMessage(ADMIN.id)).text).toContain("Plume is not set up: use /auth");
  });

  test("the Status button under /start sends a fresh status message", async () => {
    h = await startHarness();
    h.api.userSays(ADMIN.id, ADMIN, "/start");
    const start = await h.nextMessage(ADMIN.id);
    h.api.press(ADMIN.id, start.messageId, statusButton.pack({ mode: "new" }), ADMIN);
    expect((await h.nextMessage(ADMIN.id)).text).toMatch(/^🖥 /);
  });
});

describe("octopus status", () => {
  const ROOT = resolve(import.meta.dir, "../../..");
  const run = (args: string[], config: string) => {
    const dir = mkdtempSync(join(tmpdir(), "octopus-status-"));
    writeFileSync(join(dir, "config.yaml"), config);
    return Bun.spawnSync([process.execPath, "src/main.ts", "status", ...args], {
      cwd: ROOT,
      env: { ...process.env, CONFIG_FILE: join(dir, "config.yaml") },
    });
  };

  test("prints the snapshot and exits 0 when no disk is critical", () => {
    const r = run(
      [],
      "monitored_devices:\n  - { name: root, path: /, alert_threshold: 99, critical_threshold: 100 }\n",
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toMatch(/^🖥 .*\nLoad /);
  });

  test("--json prints stable JSON and exits 1 when a disk is over its critical threshold", () => {
    const r = run(
      ["--json"],
      "monitored_devices:\n  - { name: root, path: /, alert_threshold: 0, critical_threshold: 0 }\n",
    );
    expect(r.exitCode).toBe(1);
    const json = JSON.parse(r.stdout.toString());
    expect(json.devices[0]).toMatchObject({ name: "root", ok: true, level: "crit" });
  });
});
