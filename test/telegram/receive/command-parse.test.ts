import { expect, test } from "bun:test";
import { parseCommand } from "../../../src/telegram/receive/command-parse.ts";

test.each([
  ["/help", { name: "help", args: "" }],
  ["/run backup", { name: "run", args: "backup" }],
  ["/run@octopus_bot  backup now ", { name: "run", mention: "octopus_bot", args: "backup now" }],
  ["/RUN x", { name: "run", args: "x" }],
  ["/status 5f0c 5f0d", { name: "status", args: "5f0c 5f0d" }],
  ["hello", undefined],
  ["/ help", undefined],
] as const)("parseCommand(%p)", (text, expected) => {
  expect(parseCommand(text)).toEqual(expected);
});
