import { describe, expect, test } from "bun:test";
import { choicesOf } from "../../../src/features/runs/choices.ts";
import { createFormStore } from "../../../src/features/runs/forms.ts";
import { applyAssignments, launchFor, parseAssignments } from "../../../src/features/runs/params.ts";
import { configOf } from "../../support/runner-kit.ts";

const [script] = configOf(`one_time_scripts:
  - name: restart
    path: exit-with.sh
    args: ["--unit={service}", "{count}", "-m", "note: {note}", "{X} stays"]
    params:
      - { name: service, type: choice, choices: [nginx, postgres] }
      - { name: count, type: integer, default: 2 }
      - { name: note, type: string, required: false }
      - { name: token, type: string, secret: true, required: false }
`).scripts;
const restart = script as NonNullable<typeof script>;

describe("parseAssignments", () => {
  test.each([
    [
      "service=nginx count=3",
      [
        ["service", "nginx"],
        ["count", "3"],
      ],
    ],
    [
      `note="two words" x='a "b"' y=`,
      [
        ["note", "two words"],
        ["x", 'a "b"'],
        ["y", ""],
      ],
    ],
    [
      "  a=1   b=2  ",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    ["v=$(rm;x)|y&&z", [["v", "$(rm;x)|y&&z"]]],
  ])("%p", (text, pairs) => {
    expect(parseAssignments(text)).toEqual({
      ok: true,
      value: pairs.map(([name, value]) => ({ name: name as string, value: value as string })),
    });
  });

  test.each([
    ["service", '"service" is not name=value'],
    ['note="open', "note: a quote is not closed"],
    ['a="b"c', '"a="b"…": put a value with spaces in quotes'],
  ])("%p is refused", (text, error) => {
    expect(parseAssignments(text)).toEqual({ ok: false, error });
  });
});

describe("launchFor", () => {
  test("a value fills its placeholder inside one element; an unset one drops its element; unknown braces stay", () => {
    const launch = launchFor(restart, { service: "nginx", count: "3", token: "s3cret" });
    expect(launch.args).toEqual(["--unit=nginx", "3", "-m", "{X} stays"]);
    expect(launch.env).toEqual({
      OCTOPUS_PARAM_SERVICE: "nginx",
      OCTOPUS_PARAM_COUNT: "3",
      OCTOPUS_PARAM_TOKEN: "s3cret",
    });
    expect(launch.secrets).toEqual(["s3cret"]);
    expect(launch.shown).toBe("service=nginx, count=3, token=••••");
  });

  test("shell metacharacters stay inside their one element", () => {
    expect(launchFor(restart, { service: "nginx", count: "1", note: "a; b | $(c) `d`" }).args).toEqual([
      "--unit=nginx",
      "1",
      "-m",
      "note: a; b | $(c) `d`",
      "{X} stays",
    ]);
  });
});

describe("applyAssignments", () => {
  test("good values pass canonical, bad ones name their rule and are kept out", () => {
    const words = [
      { name: "SERVICE", value: "NGINX" },
      { name: "count", value: "x" },
      { name: "token", value: "t" },
      { name: "colour", value: "red" },
    ];
    expect(applyAssignments(restart, words, (p) => p.choices)).toEqual({
      values: { service: "nginx", token: "t" },
      problems: [
        "count must be a whole number",
        'restart has no parameter "colour" (it has: service, count, note, token)',
      ],
      failed: ["count"],
      secretsGiven: true,
    });
  });
});

describe("choicesOf", () => {
  test("one choice per line: trimmed, no blanks, no repeats, no control characters, bounded", () => {
    expect(choicesOf(" a \n\nb\na\nc\u0007d\n")).toEqual({ choices: ["a", "b"], truncated: false });
    const many = choicesOf(Array.from({ length: 150 }, (_, i) => `u${i}`).join("\n"));
    expect(many.choices).toHaveLength(100);
    expect(many.truncated).toBe(true);
  });
});

describe("the form store", () => {
  test("one form per person and chat; it expires 15 minutes after its last answer", () => {
    let now = 0;
    const ids = ["f1", "f2", "f3"];
    const store = createFormStore({ now: () => now }, () => ids.shift() as string);
    const init = { script: "restart", revision: "r", userId: 1, chatId: 1, values: {} };
    const first = store.open(init);
    const second = store.open(init);
    expect(store.get(first.id)).toBeUndefined();
    expect(store.of(1, 1)?.id).toBe(second.id);
    store.open({ ...init, chatId: 2 });
    expect(store.size()).toBe(2);
    now = 14 * 60_000;
    store.touch(second);
    now = 28 * 60_000;
    expect(store.get(second.id)).toBe(second);
    now = 30 * 60_000;
    expect(store.get(second.id)).toBeUndefined();
  });
});
