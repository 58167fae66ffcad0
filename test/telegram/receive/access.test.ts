import { describe, expect, test } from "bun:test";
import { createManualClock } from "../../../src/shared/clock.ts";
import { allows, type Role } from "../../../src/telegram/feature.ts";
import { createAccess } from "../../../src/telegram/receive/access.ts";

describe("allows: the one role check", () => {
  test.each([
    ["admin", "admin", true],
    ["admin", "viewer", true],
    ["viewer", "viewer", true],
    ["viewer", "admin", false],
  ] as const)("%s may use what needs %s: %p", (have, need, expected) => {
    expect(allows(have as Role, need as Role)).toBe(expected);
  });
});

describe("createAccess", () => {
  const lists = { admins: [1], viewers: [2, 1] };
  test.each([
    ["a listed admin", 1, "admin"],
    ["a listed viewer", 2, "viewer"],
    ["someone on no list: denied by default", 3, undefined],
    ["the console user, an extra admin", 99, "admin"],
    ["id 0 is nobody", 0, undefined],
  ] as const)("%s", (_, id, role) => {
    expect(createAccess(lists, createManualClock(), [99]).roleOf(id)).toBe(role);
  });

  test("a denied user is told once an hour, each user on their own clock", () => {
    const clock = createManualClock(1_000_000);
    const access = createAccess(lists, clock);
    expect([access.shouldTellDenied(3), access.shouldTellDenied(3), access.shouldTellDenied(4)]).toEqual([
      true,
      false,
      true,
    ]);
    clock.advance(3_599_999);
    expect(access.shouldTellDenied(3)).toBe(false);
    clock.advance(1);
    expect(access.shouldTellDenied(3)).toBe(true);
  });
});
