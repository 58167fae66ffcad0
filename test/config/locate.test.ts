import { describe, expect, test } from "bun:test";
import { locateConfig, noConfigText } from "../../src/config/locate.ts";

describe("locateConfig", () => {
  const only =
    (...present: string[]) =>
    (p: string) =>
      present.includes(p);
  test.each([
    [
      "-c wins over everything",
      "my.yaml",
      { CONFIG_FILE: "env.yaml" },
      only("./config.yaml"),
      { found: true, path: "my.yaml", source: "option" },
    ],
    [
      "then CONFIG_FILE",
      undefined,
      { CONFIG_FILE: "env.yaml" },
      only("./config.yaml"),
      { found: true, path: "env.yaml", source: "CONFIG_FILE" },
    ],
    [
      "then ./config.yaml beside the binary",
      undefined,
      {},
      only("./config.yaml", "/etc/octopus/config.yaml"),
      { found: true, path: "./config.yaml", source: "search" },
    ],
    [
      "then ./config/config.yaml",
      undefined,
      {},
      only("./config/config.yaml", "/etc/octopus/config.yaml"),
      { found: true, path: "./config/config.yaml", source: "search" },
    ],
    [
      "then /etc/octopus/config.yaml",
      undefined,
      {},
      only("/etc/octopus/config.yaml"),
      { found: true, path: "/etc/octopus/config.yaml", source: "search" },
    ],
    [
      "nothing found",
      undefined,
      {},
      only(),
      { found: false, tried: ["./config.yaml", "./config/config.yaml", "/etc/octopus/config.yaml"] },
    ],
  ] as const)("%s", (_, explicit, env, exists, expected) => {
    expect(locateConfig(explicit, env, exists)).toEqual(expected as never);
  });

  test("the no-config text says how to get one", () => {
    expect(noConfigText(["./config.yaml"])).toContain("octopus example-config > config.yaml");
  });
});
