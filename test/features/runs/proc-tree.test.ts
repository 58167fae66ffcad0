import { describe, expect, test } from "bun:test";
import { type ProcInfo, parseStat, selectRunTree } from "../../../src/features/runs/proc-tree.ts";

const p = (pid: number, ppid: number, pgid: number, state = "S"): ProcInfo => ({ pid, ppid, pgid, state });

describe("parseStat", () => {
  test("a command name with spaces and parentheses", () => {
    expect(parseStat("4242 (my (odd) name) S 1 4242 4242 0 -1 4194560")).toEqual({
      pid: 4242,
      ppid: 1,
      pgid: 4242,
      state: "S",
    });
  });
  test("garbage is undefined", () => {
    expect(parseStat("nonsense")).toBeUndefined();
  });
});

describe("selectRunTree", () => {
  const SELF = 100;
  const procs = [
    p(SELF, 1, SELF),
    p(200, SELF, 200), // the run's leader (its own group)
    p(201, 200, 200), // a child in the group
    p(202, 201, 202), // a grandchild that called setsid: out of the group, still a descendant
    p(203, 202, 202), // its child
    p(300, SELF, 300), // an orphan re-parented to the bot, carrying this run's key
    p(301, 300, 300), // its child
    p(400, SELF, 400), // another run's orphan
    p(500, SELF, 500), // another run's leader
    p(204, 200, 200, "Z"), // a zombie: not alive
    p(600, 1, 200), // in the run's group but re-parented to init
  ];
  test("descendants, group members and attributed orphans; not other runs, not zombies, not the bot", () => {
    const tree = selectRunTree(procs, { leader: 200, self: SELF }, (pid) => pid === 300);
    expect(tree.sort((a, b) => a - b)).toEqual([200, 201, 202, 203, 300, 301, 600]);
  });
  test("an empty tree once everything is gone", () => {
    expect(selectRunTree([p(SELF, 1, SELF)], { leader: 200, self: SELF }, () => true)).toEqual([]);
  });
});
