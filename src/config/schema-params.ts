import * as v from "valibot";
import { MAX_CHOICES, PARAM_NAME, PARAM_TYPES, type ParamSpec, paramProblem } from "../shared/param-rules.ts";
import { Duration, UserId } from "./schema-values.ts";

/** The schema of a script's `params:` and `approval:` (typed runbooks, the two-person rule). */

const Scalar = v.pipe(
  v.union([v.string(), v.number(), v.boolean()], "expected a string, a number or true/false"),
  v.transform(String),
);

const Bound = v.pipe(v.number("expected a number"), v.integer("expected a whole number"));

const ChoicesFromSchema = v.strictObject({
  path: v.pipe(v.string("expected a path to an executable"), v.minLength(1, "the path is empty")),
  args: v.optional(
    v.array(v.pipe(v.union([v.string(), v.number()], "expected a string"), v.transform(String))),
    [],
  ),
  timeout: v.optional(
    v.pipe(Duration, v.maxValue(60_000, "a list of choices is waited for at most 60s")),
    "10s",
  ),
});

const ParamObject = v.strictObject({
  name: v.pipe(
    v.string("expected a parameter name"),
    v.regex(
      PARAM_NAME,
      "a parameter name is lowercase letters, digits and _ (at most 32, starting with a letter)",
    ),
  ),
  type: v.picklist(PARAM_TYPES, `expected ${PARAM_TYPES.join(", ")}`),
  description: v.optional(v.pipe(v.string("expected text"), v.maxLength(200))),
  required: v.optional(v.boolean("expected true or false"), true),
  default: v.optional(Scalar),
  choices: v.optional(
    v.pipe(
      v.array(v.pipe(Scalar, v.minLength(1, "a choice cannot be empty"), v.maxLength(64)), "expected a list"),
      v.maxLength(MAX_CHOICES, `at most ${MAX_CHOICES} choices`),
    ),
  ),
  choices_from: v.optional(ChoicesFromSchema),
  regex: v.optional(
    v.pipe(
      v.string("expected a regular expression"),
      v.check((s) => {
        try {
          new RegExp(s, "u");
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression"),
    ),
  ),
  min: v.optional(Bound),
  max: v.optional(Bound),
  secret: v.optional(v.boolean("expected true or false"), false),
});

export const ParamSchema = v.pipe(
  ParamObject,
  v.check(
    (p) => paramProblem(p as ParamSpec) === undefined,
    (issue) => paramProblem(issue.input as ParamSpec) ?? "not a valid parameter",
  ),
);

/** Approvals a request can need at most: a two- or three-person rule, not a committee. */
export const MAX_APPROVERS = 5;

export const ApprovalSchema = v.strictObject({
  approvers: v.optional(
    v.pipe(
      v.number("expected a whole number"),
      v.integer("expected a whole number"),
      v.minValue(1, "at least 1 approver"),
      v.maxValue(MAX_APPROVERS, `at most ${MAX_APPROVERS} approvers`),
    ),
    1,
  ),
  from: v.optional(
    v.union(
      [v.literal("admins"), v.pipe(v.array(UserId), v.minLength(1, "name at least one approver"))],
      "expected admins or a list of admin user ids",
    ),
    "admins",
  ),
  expires: v.optional(
    v.pipe(
      Duration,
      v.minValue(60_000, "a request lasts at least 1m"),
      v.maxValue(7 * 86_400_000, "a request lasts at most 7d"),
    ),
    "30m",
  ),
});
