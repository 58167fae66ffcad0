import { basename, join } from "node:path";

/**
 * The one naming rule for a run's files in `<state>/runs/`: `<id>.log` holds the raw bytes
 * and `<id>-<script>.txt` the filtered text sent by /log. The database keeps the .log path;
 * everything else is derived here, so pruning, /log and the presenter cannot disagree.
 */

export interface RunFiles {
  logPath: string;
  textPath: string;
}

export function runFiles(runsDir: string, id: number, script: string): RunFiles {
  return { logPath: join(runsDir, `${id}.log`), textPath: join(runsDir, `${id}-${script}.txt`) };
}

/** The text file that goes with a stored .log path. */
export function textPathOf(logPath: string, script: string): string {
  return logPath.replace(/\.log$/, `-${script}.txt`);
}

/** What the chat sees as the document's name: never a server path. */
export function uploadName(textPath: string): string {
  return `octopus-run-${basename(textPath)}`;
}
