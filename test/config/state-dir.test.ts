import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/parse.ts";
import { serverStateDir } from "../../src/config/state-dir.ts";

const config = (yaml: string) => {
  const parsed = parseConfig(yaml, "/etc/octopus/config.yaml");
  if (!parsed.ok) throw new Error("bad config");
  return parsed.value.config;
};

describe("serve-ssh's state: the same as the installed bot's", () => {
  const installed = mkdtempSync(join(tmpdir(), "octopus-installed-"));
  test("the installed state directory when nothing else says", () => {
    expect(serverStateDir(config("{}"), {}, installed)).toBe(installed);
  });
  test("storage.dir and the environment win", () => {
    expect(serverStateDir(config("storage: { dir: state }"), {}, installed)).toBe("/etc/octopus/state");
    expect(serverStateDir(config("{}"), { OCTOPUS_STATE_DIR: "/srv/o" }, installed)).toBe("/srv/o");
  });
  test("no installed bot: ./data as everywhere else", () => {
    expect(serverStateDir(config("{}"), {}, join(installed, "none"))).toBe(join(process.cwd(), "data"));
  });
});
