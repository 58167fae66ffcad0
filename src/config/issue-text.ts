import type * as v from "valibot";

const shown = (value: unknown): string => {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null ? "nothing" : typeof value;
};

/**
 * A schema issue in an operator's words. Our own messages pass through; valibot's generic ones
 * ("Invalid value: Expected <=100 but received 120") become "must be at most 100 (it is 120)".
 */
export function plainIssueMessage(issue: v.BaseIssue<unknown>): string {
  if (issue.message.startsWith("Invalid type:")) return `expected ${issue.expected}, got ${issue.received}`;
  if (!issue.message.startsWith("Invalid ")) return issue.message;
  const requirement = (issue as { requirement?: unknown }).requirement;
  const got = ` (it is ${shown(issue.input)})`;
  switch (issue.type) {
    case "min_value":
      return `must be at least ${shown(requirement)}${got}`;
    case "max_value":
      return `must be at most ${shown(requirement)}${got}`;
    case "integer":
      return `expected a whole number${got}`;
    case "min_length":
      return requirement === 1 ? "cannot be empty" : `needs at least ${shown(requirement)} characters`;
    case "max_length": {
      const length = (issue.input as { length?: unknown } | null)?.length;
      return `has at most ${shown(requirement)} characters${typeof length === "number" ? ` (it has ${length})` : ""}`;
    }
    default:
      return `not a valid value${got}`;
  }
}
