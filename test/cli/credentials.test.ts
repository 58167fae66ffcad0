import { describe, expect, test } from "bun:test";
import { parseEnvFile } from "../../src/cli/credentials.ts";

describe("parseEnvFile", () => {
  test("KEY=VALUE lines, comments, quotes, export, empty values left out", () => {
    expect(
      parseEnvFile(
        [
          "# Secrets for octopus",
          "TELEGRAM_TOKEN=123:abc",
          'OCTOPUS_SECRET_KEY="a b=="',
          "export PLUME_PARTNER_ID='p1'",
          "PLUME_API_BASE=https://x.plume.com # trailing comment",
          "EMPTY=",
          "# PLUME_SSO_URL=",
          "not a line",
        ].join("\n"),
      ),
    ).toEqual({
      TELEGRAM_TOKEN: "123:abc",
      OCTOPUS_SECRET_KEY: "a b==",
      PLUME_PARTNER_ID: "p1",
      PLUME_API_BASE: "https://x.plume.com",
    });
  });
});
