import { describe, expect, test } from "bun:test";
import { checkUserEndpoint, looksLikeAuthHeader } from "../../../src/features/plume/endpoints.ts";

const none = { allowedHosts: [], allowHttp: false };
const local = { allowedHosts: ["127.0.0.1:8443", "*.corp.example"], allowHttp: true };

describe("checkUserEndpoint", () => {
  test.each([
    ["https://gamma.sso.plume.com/oauth2/x/v1/token", "sso", none, true],
    ["https://a.b.sso.plume.com/token", "sso", none, true],
    ["https://sso.plume.com/token", "sso", none, false],
    ["https://evil.com/token", "sso", none, false],
    ["https://gamma.sso.plume.com.evil.com/token", "sso", none, false],
    ["https://piranha-gamma.prod.us-west-2.aws.plumenet.io/api", "api", none, true],
    ["https://x.plume.com/api", "api", none, true],
    ["https://x.plume.com/api", "sso", none, false],
    ["https://x.plume.com:8443/api", "api", none, false],
    ["http://x.plume.com/api", "api", none, false],
    ["https://user:pw@x.plume.com/api", "api", none, false],
    ["http://127.0.0.1:8443/token", "sso", none, false],
    ["http://127.0.0.1:8443/token", "sso", local, true],
    ["http://127.0.0.1:9999/token", "sso", local, false],
    ["http://127.0.0.1/token", "sso", local, false],
    ["https://api.corp.example/x", "api", local, true],
    ["ftp://x.plume.com", "api", local, false],
    ["not a url", "api", none, false],
  ] as const)("%s as %s → %p", (url, kind, policy, allowed) => {
    expect(checkUserEndpoint(url, kind, policy).ok).toBe(allowed);
  });

  test("the reason names the host and how to allow it", () => {
    expect(checkUserEndpoint("https://10.0.0.1:8080/x", "api", none)).toEqual({
      ok: false,
      error:
        "10.0.0.1:8080 is not a Plume API host (*.plumenet.io, *.plume.com; an admin can add hosts with plume.allowed_hosts).",
    });
  });
});

describe("looksLikeAuthHeader", () => {
  const pair = Buffer.from("client-id:se cret").toString("base64");
  test.each([
    [`Basic ${pair}`, true],
    [`basic ${pair}`, true],
    [pair, true],
    ["Basic d3Jvbmc6d3Jvbmc=", true],
    ["my password", false],
    ["Basic bm9jb2xvbg==", false],
    ["Bearer abc.def.ghi", false],
    ["", false],
  ])("%s → %p", (text, ok) => {
    expect(looksLikeAuthHeader(text)).toBe(ok);
  });
});
