import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/parse.ts";
import { checkValue, type ParamSpec } from "../../src/shared/param-rules.ts";

const messages = (yaml: string) => {
  const r = parseConfig(yaml, "/tmp/octopus-test/config.yaml");
  // In the order of the file (line, column), as check-config prints them.
  return r.ok ? [] : r.error.map((i) => `${i.path}: ${i.message}`).sort();
};

const script = (body: string, telegram = "telegram: { admins: [1, 2, 3], viewers: [9] }") => `
${telegram}
one_time_scripts:
  - name: restart
    path: /bin/echo
${body}`;

describe("params: in the config", () => {
  test("an old config's args with braces load unchanged (no params: braces are text)", () => {
    expect(messages(script('    args: ["{service}", "{{x}}", "a{b}c"]'))).toEqual([]);
  });

  test("every rule a parameter can break is named at its key", () => {
    expect(
      messages(
        script(`    args: ["--unit={service}", "{pw}", "{nope}"]
    params:
      - { name: service, type: choice, choices: [nginx, postgres] }
      - { name: count, type: integer, min: 1, max: 5, default: 9 }
      - { name: pw, type: string, secret: true }
      - { name: when, type: date, default: "2026-02-30" }
      - { name: flag, type: boolean, regex: "x" }
      - { name: pick, type: choice }
      - { name: Bad-Name, type: string }
      - { name: service, type: string }
      - { name: open, type: string, secret: true, default: hunter2 }`),
      ),
    ).toEqual([
      "one_time_scripts[0].args[1]: {pw} is secret: it reaches the script as OCTOPUS_PARAM_PW, never in args (ps shows args)",
      "one_time_scripts[0].args[2]: {nope} is not one of this script's params",
      'one_time_scripts[0].params[1]: the default "9" must be at most 5',
      'one_time_scripts[0].params[3]: the default "2026-02-30" is not a day of the calendar',
      "one_time_scripts[0].params[4]: regex is for type string, not boolean",
      "one_time_scripts[0].params[5]: a choice needs choices: [...] or choices_from",
      "one_time_scripts[0].params[6].name: a parameter name is lowercase letters, digits and _ (at most 32, starting with a letter)",
      'one_time_scripts[0].params[7].name: duplicate parameter "service"',
      "one_time_scripts[0].params[8]: a secret has no default (it would sit in the config)",
    ]);
  });

  test("a scheduled script needs a default for every required value, and never approval", () => {
    expect(
      messages(
        script(`    schedule: "0 3 * * *"
    params: [{ name: db, type: string }]
    approval: { approvers: 1 }`),
      ),
    ).toEqual([
      "one_time_scripts[0].approval: a scheduled script cannot need approval: remove schedule or approval",
      'one_time_scripts[0].params: a scheduled script needs a default for "db" (a schedule has nobody to ask)',
    ]);
  });

  test("approvers are admins, and enough remain besides the one asking", () => {
    expect(messages(script("    approval: { approvers: 2, from: [1, 9] }"))).toEqual([
      "one_time_scripts[0].approval.approvers: 2 approvals needed, but only 1 eligible admin (the one asking cannot approve)",
      "one_time_scripts[0].approval.from[1]: 9 is not in telegram.admins: only admins approve",
    ]);
    expect(messages(script("    approval: { approvers: 3 }"))).toEqual([
      "one_time_scripts[0].approval.approvers: 3 approvals needed, but only 3 eligible admins (the one asking cannot approve)",
    ]);
    // A viewer's script: every admin may approve, none of them is the one asking.
    expect(messages(script("    role: viewer\n    approval: { approvers: 3 }"))).toEqual([]);
    expect(messages(script("    approval: { approvers: 2, expires: 10s }"))).toEqual([
      "one_time_scripts[0].approval.expires: a request lasts at least 1m",
    ]);
  });

  test("a valid runbook loads with its defaults filled in", () => {
    const r = parseConfig(
      script(`    args: ["{service}"]
    params:
      - { name: service, type: choice, choices_from: { path: ./list.sh } }
    approval: { approvers: 2 }`),
      "/tmp/octopus-test/config.yaml",
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [s] = r.value.config.scripts;
    expect(s?.params[0]?.choices_from).toEqual({
      path: "/tmp/octopus-test/list.sh",
      args: [],
      timeout: 10_000,
    });
    expect(s?.params[0]?.required).toBe(true);
    expect(s?.approval).toEqual({ approvers: 2, from: "admins", expires: 30 * 60_000 });
  });
});

describe("checkValue", () => {
  const spec = (over: Partial<ParamSpec>): ParamSpec => ({
    name: "x",
    type: "string",
    required: true,
    secret: false,
    ...over,
  });
  test.each([
    [{ type: "integer", min: 1, max: 5 }, " 007 ", { ok: false, error: "must be at most 5" }],
    [{ type: "integer", min: 1, max: 10 }, "+7", { ok: true, value: "7" }],
    [{ type: "integer" }, "1e3", { ok: false, error: "must be a whole number" }],
    [{ type: "boolean" }, "Yes", { ok: true, value: "true" }],
    [{ type: "boolean" }, "maybe", { ok: false, error: "must be yes or no" }],
    [{ type: "date" }, "2028-02-29", { ok: true, value: "2028-02-29" }],
    [{ type: "date" }, "2027-02-29", { ok: false, error: "is not a day of the calendar" }],
    [{ type: "string", regex: "[a-z]+" }, "abc; rm", { ok: false, error: "must match [a-z]+" }],
    [
      { type: "string" },
      "a\nb",
      { ok: false, error: "must be one line of text, without control characters" },
    ],
    [{ type: "string" }, "   ", { ok: false, error: "needs a value" }],
    [{ type: "string", max: 3 }, "abcd", { ok: false, error: "has at most 3 characters" }],
    [{ type: "choice", choices: ["nginx", "postgres"] }, "NGINX", { ok: true, value: "nginx" }],
    [{ type: "choice", choices: ["nginx"] }, "apache", { ok: false, error: "must be one of: nginx" }],
  ] as const)("%o %p", (over, raw, expected) => {
    expect(checkValue(spec(over as Partial<ParamSpec>), raw)).toEqual(expected as never);
  });
});
