import { describe, expect, test } from "bun:test";
import { createRedactor, derivedForms } from "../../src/shared/redact.ts";
import { maskRich } from "../../src/shared/text.ts";

const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij";
const CLIENT = "octo-client-id";
const SECRET = "s3cr3t/pa+ss=word";
const BASIC = `Basic ${Buffer.from(`${CLIENT}:${SECRET}`).toString("base64")}`;
const b64 = (s: string) => Buffer.from(s).toString("base64");

describe("the one redactor", () => {
  const r = createRedactor([TOKEN, BASIC, "k".repeat(44)]);

  test.each([
    ["the token", `bot ${TOKEN} here`],
    ["the token URL-encoded", `url ${encodeURIComponent(TOKEN)} here`],
    ["the token in base64", `b64 ${b64(TOKEN)} here`],
    [
      "the token in unpadded base64url",
      `b64 ${b64(TOKEN).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")} here`,
    ],
    ["the Plume header", `header ${BASIC} here`],
    ["the header without Basic", `header ${BASIC.slice(6)} here`],
    ["the decoded client:secret", `pair ${CLIENT}:${SECRET} here`],
    ["the secret alone", `secret ${SECRET} here`],
    ["the secret URL-encoded", `secret ${encodeURIComponent(SECRET)} here`],
    ["the client id alone", `client ${CLIENT} here`],
    ["an unregistered Bearer", "Authorization: Bearer abcdefghijkl.mnop here"],
    ["an unregistered access_token", '{"access_token":"zzzzzzzzzz"} here'],
  ])("%s is masked", (_, text) => {
    const out = r.redact(text);
    expect(out).toContain("[redacted]");
    for (const secret of [TOKEN, SECRET, CLIENT, BASIC.slice(6), "zzzzzzzzzz", "abcdefghijkl"])
      expect(out).not.toContain(secret);
    expect(out.endsWith("here")).toBe(true);
  });

  test("a Bearer keeps its word, an access_token its key", () => {
    expect(r.redact("Authorization: Bearer abcdefghijkl")).toBe("Authorization: Bearer [redacted]");
    expect(r.redact("access_token=zzzzzzzzzz&x=1")).toBe("access_token=[redacted]&x=1");
  });

  test("random base64 is not taken for a Basic header: no decoded forms", () => {
    const forms = derivedForms("Basic AAAAAAAAAAAA");
    expect(forms).toContain("Basic AAAAAAAAAAAA");
    expect(forms).not.toContain("AAAAAAAAAAAA");
  });

  test("short values are not secrets; with() adds per-run secrets (≥ 4) and patterns on top", () => {
    const base = createRedactor(["abc"]);
    expect(base.redact("abc")).toBe("abc");
    const run = base.with({ secrets: ["abcd", "abcdefgh"], patterns: [/token=\w+/g] });
    expect(run.redact("token=xyz abcdefgh abcd ab")).toBe("[redacted] [redacted] [redacted] ab");
    // A secret registered later still applies to a redactor made earlier.
    base.add("later-secret");
    expect(run.redact("a later-secret")).toBe("a [redacted]");
    expect(run.values()).toEqual(["later-secret", "abcd", "abcdefgh"]);
  });

  test("masking a message keeps its entities on the same text", () => {
    const text = `AAA ${TOKEN} BBB`;
    const masked = maskRich(
      {
        text,
        entities: [
          { type: "bold", offset: 0, length: 3 },
          { type: "bold", offset: text.length - 3, length: 3 },
          { type: "pre", offset: 0, length: text.length },
        ],
      },
      r.ranges(text),
      "[redacted]",
    );
    expect(masked.text).toBe("AAA [redacted] BBB");
    expect(masked.entities).toEqual([
      { type: "bold", offset: 0, length: 3 },
      { type: "bold", offset: 15, length: 3 },
      { type: "pre", offset: 0, length: 18 },
    ]);
  });
});
