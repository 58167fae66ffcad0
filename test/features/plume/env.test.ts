import { describe, expect, test } from "bun:test";
import { plumeFromEnv } from "../../../src/features/plume/env.ts";

const SSO = "https://sso.example.com/oauth2/abc/v1/token";
const HEADER = "Basic dGVzdDp0ZXN0";
const PARTNER = "partner-id-of-20-chars";
const all = { PLUME_SSO_URL: SSO, PLUME_AUTH_HEADER: HEADER, PLUME_PARTNER_ID: PARTNER };

describe("plumeFromEnv", () => {
  test.each([
    ["none set: no server credentials", {}, { ok: true, value: undefined }],
    [
      "blank values count as unset",
      { PLUME_SSO_URL: " ", PLUME_AUTH_HEADER: "", PLUME_PARTNER_ID: "" },
      { ok: true, value: undefined },
    ],
    ["all three", all, { ok: true, value: { ssoUrl: SSO, authHeader: HEADER, partnerId: PARTNER } }],
    [
      "with an API base (trailing slashes dropped)",
      { ...all, PLUME_API_BASE: "https://api.example.com/api/" },
      {
        ok: true,
        value: {
          ssoUrl: SSO,
          authHeader: HEADER,
          partnerId: PARTNER,
          apiBase: "https://api.example.com/api",
        },
      },
    ],
    [
      "plain http on loopback is allowed (a local fake cloud)",
      { ...all, PLUME_SSO_URL: "http://127.0.0.1:8080/token" },
      { ok: true, value: { ssoUrl: "http://127.0.0.1:8080/token", authHeader: HEADER, partnerId: PARTNER } },
    ],
    [
      "one missing",
      { PLUME_SSO_URL: SSO, PLUME_AUTH_HEADER: HEADER },
      { ok: false, error: "Plume: PLUME_PARTNER_ID missing (set all three, or none)" },
    ],
    [
      "two missing",
      { PLUME_SSO_URL: SSO },
      { ok: false, error: "Plume: PLUME_AUTH_HEADER, PLUME_PARTNER_ID missing (set all three, or none)" },
    ],
    [
      "plain http to another host",
      { ...all, PLUME_SSO_URL: "http://sso.example.com/token" },
      { ok: false, error: "Plume: PLUME_SSO_URL must be an https:// URL (plain http only for loopback)" },
    ],
    [
      "an API base that is not a URL",
      { ...all, PLUME_API_BASE: "api.example.com" },
      { ok: false, error: "Plume: PLUME_API_BASE must be an https:// URL (plain http only for loopback)" },
    ],
    [
      "a short partner id",
      { ...all, PLUME_PARTNER_ID: "short" },
      { ok: false, error: "Plume: PLUME_PARTNER_ID must have at least 20 characters" },
    ],
  ] as const)("%s", (_, env, expected) => {
    expect(plumeFromEnv(env)).toEqual(expected);
  });
});
