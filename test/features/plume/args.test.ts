import { describe, expect, test } from "bun:test";
import { locationUsage, parseLocationArgs } from "../../../src/features/plume/args.ts";

const C = "0123456789abcdef01234567";
const L = "fedcba9876543210fedcba98";
const saved = [{ name: "office", customer_id: C, location_id: L, watch: false }];

describe("parseLocationArgs", () => {
  test.each([
    ["two ids", `${C} ${L}`, { customerId: C, locationId: L }],
    [
      "ids in upper case are lower-cased",
      `${C.toUpperCase()} ${L.toUpperCase()}`,
      { customerId: C, locationId: L },
    ],
    ["extra spaces and a newline", `  ${C}\n  ${L}  `, { customerId: C, locationId: L }],
    ["a saved name", "office", { customerId: C, locationId: L, name: "office" }],
    ["a saved name in any case", "OFFICE", { customerId: C, locationId: L, name: "office" }],
    ["nothing", "", undefined],
    ["one id alone", C, undefined],
    ["an unknown name", "warehouse", undefined],
    ["an id one character short", `${C.slice(1)} ${L}`, undefined],
    ["a non-hex id", `${C.replace("a", "g")} ${L}`, undefined],
    ["ids with other words around them", `${C} ${L} x`, { customerId: C, locationId: L }],
    [
      "ids in a URL",
      `https://tools.example/customers/${C}/locations/${L}?tab=1`,
      { customerId: C, locationId: L },
    ],
    ["ids separated by a comma or a slash", `${C},${L}`, { customerId: C, locationId: L }],
    ["three ids: which two is not clear", `${C} ${L} ${C}`, undefined],
    ["an id inside a longer hex run is not an id", `${C}ab ${L}`, undefined],
    ["a saved name with more words", "office now", undefined],
  ] as const)("%s", (_, args, expected) => {
    expect(parseLocationArgs(args, saved)).toEqual(expected);
  });
});

describe("locationUsage", () => {
  test("names the saved locations when there are any", () => {
    expect(locationUsage("health", saved)).toEndWith("\nSaved: office");
    expect(locationUsage("health", [])).toBe(
      "Usage: /health CUSTOMER_ID LOCATION_ID (24 hex characters each) or /health SAVED_NAME",
    );
  });
});
