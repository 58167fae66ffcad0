import { describe, expect, test } from "bun:test";
import { dashboardWarnings, summarizeConfig } from "../../src/cli/check-config.ts";
import { parseConfig } from "../../src/config/parse.ts";

const config = (http: string) => {
  const r = parseConfig(`telegram:\n  admins: [1]\nhttp:\n${http}`, "/etc/octopus/config.yaml");
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.config;
};

describe("check-config and the dashboard", () => {
  test("on loopback, or behind an https public_url: no warning", () => {
    expect(dashboardWarnings(config("  listen: 127.0.0.1:9464\n  dashboard: true\n").http)).toEqual([]);
    expect(
      dashboardWarnings(
        config(
          "  listen: 10.0.0.5:9464\n  allow_remote: true\n  dashboard: true\n  public_url: https://ops.example.com\n",
        ).http,
      ),
    ).toEqual([]);
    // Off: nothing to warn about, wherever the listener is.
    expect(dashboardWarnings(config("  listen: 0.0.0.0:9464\n  allow_remote: true\n").http)).toEqual([]);
  });

  test("bound beyond loopback without TLS in front: warned, in the summary too", () => {
    const c = config("  listen: 0.0.0.0:9464\n  allow_remote: true\n  dashboard: true\n");
    const w = dashboardWarnings(c.http);
    expect(w[0]).toContain("beyond loopback, without TLS: put an https reverse proxy in front");
    expect(w[1]).toContain("no address a browser can open: set http.public_url");
    const summary = summarizeConfig(c, "/etc/octopus/config.yaml");
    expect(summary).toContain("http: 0.0.0.0:9464 with the dashboard");
    expect(summary).toContain("Warning: the dashboard is on 0.0.0.0:9464, beyond loopback, without TLS");
  });

  test("a plain-http public_url elsewhere than loopback: logins would fail, said so", () => {
    const c = config("  listen: 127.0.0.1:9464\n  dashboard: true\n  public_url: http://ops.example.com\n");
    expect(dashboardWarnings(c.http)).toEqual([
      "http.public_url http://ops.example.com is plain http: browsers keep the dashboard's Secure cookie only over https (or on loopback), so logins would fail",
    ]);
  });
});
