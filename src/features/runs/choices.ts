import { dirname } from "node:path";
import { executableProblem } from "../../config/executable.ts";
import { type ChoicesFrom, MAX_CHOICES } from "../../shared/param-rules.ts";
import { err, ok, type Result } from "../../shared/result.ts";
import { childEnv } from "./child-env.ts";
import { startProcess } from "./process.ts";

/**
 * The choices a `choices_from` command prints: one per line, run by argv like a script (its
 * own process group, its own timeout, the bot's secrets kept from it), at most 64 KiB read.
 */

const MAX_OUTPUT = 64 * 1024;

export interface ChoiceList {
  choices: string[];
  /** It printed more than a question can offer: the first MAX_CHOICES are kept. */
  truncated: boolean;
}

/** Pure: printed lines to choices (trimmed, no blanks, no repeats, at most 64 characters each). */
export function choicesOf(text: string): ChoiceList {
  const seen = new Set<string>();
  for (const line of text.split("\n")) {
    const choice = line.trim();
    if (choice && [...choice].length <= 64 && !/\p{Cc}/u.test(choice)) seen.add(choice);
  }
  const all = [...seen];
  return { choices: all.slice(0, MAX_CHOICES), truncated: all.length > MAX_CHOICES };
}

export type ListChoices = (from: ChoicesFrom) => Promise<Result<ChoiceList, string>>;

export function createChoiceLister(deps: {
  env: Record<string, string | undefined>;
  secrets: () => readonly string[];
}): ListChoices {
  return async (from) => {
    const problem = executableProblem(from.path);
    if (problem) return err(problem);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const started = startProcess(
      {
        argv: [from.path, ...from.args],
        cwd: dirname(from.path),
        env: childEnv(deps.env, deps.secrets(), {}),
        timeoutMs: from.timeout,
        graceMs: 1000,
        drainMs: 500,
      },
      (chunk, stream) => {
        if (stream !== "stdout" || size >= MAX_OUTPUT) return;
        chunks.push(chunk.subarray(0, MAX_OUTPUT - size));
        size += chunk.byteLength;
      },
    );
    if (!started.ok) return err(started.error);
    const exit = await started.value.exited;
    if (exit.timedOut) return err(`the list of choices took longer than ${from.timeout / 1000}s`);
    if (exit.exitCode !== 0)
      return err(`the list of choices failed (${exit.signal ?? `exit code ${exit.exitCode}`})`);
    const list = choicesOf(new TextDecoder().decode(Buffer.concat(chunks)));
    if (!list.choices.length) return err("the list of choices came back empty");
    return ok(list);
  };
}
