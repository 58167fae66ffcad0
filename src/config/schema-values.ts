import { Cron } from "croner";
import * as v from "valibot";
import { parseDuration } from "../shared/duration.ts";

/** The value types of the configuration schema: durations, cron patterns, ids, percentages, regexes. */

const DURATION_HINT = "expected a duration such as 30s, 5m or 1h";

export const Duration = v.pipe(
  v.string(DURATION_HINT),
  v.check((s) => parseDuration(s) !== undefined, DURATION_HINT),
  v.transform((s) => parseDuration(s) as number),
);

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true });
    return true;
  } catch {
    return false;
  }
}

export const CronPattern = v.pipe(
  v.string('expected a cron pattern such as "*/5 * * * *"'),
  v.check(isCronPattern, 'not a valid cron pattern (5 or 6 fields, e.g. "*/5 * * * *")'),
);

export const Percent = (what: string) =>
  v.pipe(
    v.number(`expected a number from 0 to 100 (${what})`),
    v.minValue(0, `must be from 0 to 100 (${what})`),
    v.maxValue(100, `must be from 0 to 100 (${what})`),
  );

export const UserId = v.pipe(
  v.number("expected a numeric Telegram user id"),
  v.integer("expected a numeric Telegram user id"),
  v.minValue(1, "a Telegram user id is a positive number"),
  v.maxValue(Number.MAX_SAFE_INTEGER, "not a Telegram user id"),
);

export const ChatId = v.pipe(
  v.number("expected a numeric Telegram chat id"),
  v.integer("expected a numeric Telegram chat id"),
  v.check((n) => n !== 0, "a chat id is never 0"),
);

export const PlumeId = v.pipe(
  v.string("expected a 24-character hex id"),
  v.regex(/^[0-9a-f]{24}$/i, "expected a 24-character hex id"),
);

export const EnvValue = v.pipe(
  v.union([v.string(), v.number(), v.boolean()], "env values must be strings, numbers or booleans"),
  v.transform(String),
);

export const Regex = v.pipe(
  v.string("expected a regular expression"),
  v.check((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, "not a valid regular expression"),
);
