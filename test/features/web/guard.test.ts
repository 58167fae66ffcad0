import { describe, expect, test } from "bun:test";
import { clientInfo, sameOrigin } from "../../../src/features/web/guard.ts";
import { browserOf } from "../../../src/features/web/user-agent.ts";

const req = (headers: Record<string, string>, url = "http://127.0.0.1:9464/web/api/runs") =>
  new Request(url, { method: "POST", headers });
const socket = (address: string) => ({ address, keepOpen: () => {} });

describe("same origin", () => {
  test("the listener's own origin, or public_url's; never another, null or none", () => {
    expect(sameOrigin(req({ origin: "http://127.0.0.1:9464" }), undefined)).toBe(true);
    expect(sameOrigin(req({ origin: "https://ops.example.com" }), "https://ops.example.com")).toBe(true);
    expect(sameOrigin(req({ origin: "https://evil.example" }), "https://ops.example.com")).toBe(false);
    expect(sameOrigin(req({ origin: "null" }), undefined)).toBe(false);
    expect(sameOrigin(req({}), undefined)).toBe(false);
    expect(
      sameOrigin(req({ origin: "http://127.0.0.1:9464", "sec-fetch-site": "same-site" }), undefined),
    ).toBe(false);
  });
});

describe("who is asking", () => {
  test("the socket's address; a loopback proxy's forwarded address; junk forwarded is ignored", () => {
    expect(clientInfo(req({}), socket("203.0.113.7")).address).toBe("203.0.113.7");
    expect(
      clientInfo(req({ "x-forwarded-for": "198.51.100.1, 203.0.113.9" }), socket("127.0.0.1")).address,
    ).toBe("203.0.113.9");
    expect(clientInfo(req({ "x-forwarded-for": "1.2.3.4" }), socket("203.0.113.7")).address).toBe(
      "203.0.113.7",
    );
    expect(clientInfo(req({ "x-forwarded-for": "<b>" }), socket("::ffff:127.0.0.1")).address).toBe(
      "127.0.0.1",
    );
  });

  test("browsers named in a few words", () => {
    expect(
      browserOf(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
      ),
    ).toBe("Chrome 131 on Android");
    expect(
      browserOf(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari 17 on iOS");
    expect(
      browserOf("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"),
    ).toBe("Firefox 133 on Windows");
    expect(
      browserOf("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36 Edg/130.0"),
    ).toBe("Edge 130 on Linux");
    expect(browserOf("curl/8.5.0")).toBe("curl 8");
    expect(browserOf(null)).toBe("an unnamed browser");
    expect(browserOf("<script>alert(1)</script>")).toBe("scriptalert1");
  });
});
