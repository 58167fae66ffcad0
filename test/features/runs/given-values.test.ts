import { describe, expect, test } from "bun:test";
import { checkGivenValues } from "../../../src/features/runs/given-values.ts";
import type { ParamSpec } from "../../../src/shared/param-rules.ts";
import { ok } from "../../../src/shared/result.ts";

const p = (over: Partial<ParamSpec> & Pick<ParamSpec, "name" | "type">): ParamSpec => ({
  required: false,
  secret: false,
  ...over,
});
const script = {
  name: "restart",
  params: [
    p({
      name: "unit",
      type: "choice",
      required: true,
      choices_from: { path: "/bin/true", args: [], timeout: 1000 },
    }),
    p({ name: "count", type: "integer", min: 1, max: 5, default: "1" }),
  ],
};
const lister = async () => ok({ choices: ["nginx", "postgres"], truncated: false });

describe("values given whole", () => {
  test("checked by the rules, the list made again, defaults filled", async () => {
    expect(await checkGivenValues(script, { unit: "NGINX" }, lister)).toEqual(
      ok({ unit: "nginx", count: "1" }),
    );
    expect(await checkGivenValues(script, {}, lister)).toEqual({ ok: false, error: "unit is required" });
    expect(await checkGivenValues(script, { unit: "redis" }, lister)).toEqual({
      ok: false,
      error: "unit must be one of: nginx, postgres",
    });
    expect(await checkGivenValues(script, { unit: "nginx", count: "9" }, lister)).toEqual({
      ok: false,
      error: "count must be at most 5",
    });
    expect(await checkGivenValues(script, { unit: "nginx", x: "1" }, lister)).toEqual({
      ok: false,
      error: "restart has no parameter x",
    });
  });
});
