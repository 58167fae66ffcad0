import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { signInitData, verifyInitData } from "../../../src/features/web/init-data.ts";

const TOKEN = "123456:ABC-test-token";
const NOW = 1_800_000_000_000;
const fields = (over: Record<string, string> = {}) => ({
  auth_date: String(NOW / 1000 - 30),
  query_id: "AAHdF6IQAAAAAN0XohDhrOrc",
  user: JSON.stringify({ id: 1001, first_name: "Ada", last_name: "L", username: "ada" }),
  ...over,
});
const signed = (f: Record<string, string>, token = TOKEN) =>
  new URLSearchParams({ ...f, hash: signInitData(f, token) }).toString();

describe("Mini App initData", () => {
  test('the signature is the Bot API\'s: HMAC-SHA256 keyed by HMAC("WebAppData", token) over the sorted fields', () => {
    const f = fields();
    const key = createHmac("sha256", "WebAppData").update(TOKEN).digest();
    const check = `auth_date=${f.auth_date}\nquery_id=${f.query_id}\nuser=${f.user}`;
    expect(signInitData(f, TOKEN)).toBe(createHmac("sha256", key).update(check).digest("hex"));
  });

  test("signed data names its user", () => {
    const r = verifyInitData(signed(fields()), TOKEN, NOW, 600_000);
    expect(r).toEqual({ ok: true, value: { id: 1001, name: "Ada L", authDate: NOW / 1000 - 30 } });
  });

  test("refused: another token, a changed field, no hash, too old, from the future, no user, too long", () => {
    const refused = (data: string) => {
      const r = verifyInitData(data, TOKEN, NOW, 600_000);
      return r.ok ? "accepted" : r.error;
    };
    expect(refused(signed(fields(), "999:other"))).toContain("signature does not match");
    expect(refused(signed(fields()).replace("Ada", "Eve"))).toContain("signature does not match");
    expect(refused(new URLSearchParams(fields()).toString())).toBe("initData has no hash");
    expect(refused(signed(fields({ auth_date: String(NOW / 1000 - 601) })))).toContain("too old");
    expect(refused(signed(fields({ auth_date: String(NOW / 1000 + 3600) })))).toContain("future");
    expect(refused(signed(fields({ user: "not json" })))).toBe("initData has no user");
    expect(refused(signed(fields({ user: JSON.stringify({ first_name: "x" }) })))).toBe(
      "initData has no user",
    );
    expect(refused(signed(fields({ auth_date: "soon" })))).toBe("initData has no auth_date");
    expect(refused("a=".repeat(3000))).toBe("initData is too long");
  });
});
