import { readFileSync } from "node:fs";
import type { Clock } from "../../shared/clock.ts";
import { MESSAGE_LIMIT } from "../../shared/text.ts";
import type { InlineKeyboardRows, Outbox } from "../../telegram/send/outbox.ts";
import { stopButtonData } from "./buttons.ts";
import { uploadName } from "./files.ts";
import { lastLines, outcomeLine, type RunOutcome, renderLive, withOutput } from "./messages.ts";
import type { FinishedRun, PresentedRun, RunListener } from "./run-types.ts";

/**
 * How a run looks in the chat that started it: one message, edited in place. A long-running
 * script's message shows the last lines live (never faster than the chat's budget) with a
 * Stop button; at the end it shows the outcome, and the output goes as a .txt document when
 * it did not fit.
 */

export const stopButton = (runId: number): InlineKeyboardRows => [
  [{ text: "⏹ Stop", callback_data: stopButtonData.pack({ run: runId }) }],
];

/** Room for the outcome line in a message that also carries output. */
const FITS_ONE = MESSAGE_LIMIT - 300;

export function createRunPresenter(deps: {
  outbox: Outbox;
  clock: Clock;
  maxMessages: number;
  /** Remembers the run's message (for the interrupted notice after a crash). */
  onMessage(runId: number, messageId: number): void;
  /** A run that ends within this long gets one message, its result (default 1 s). */
  quietMs?: number;
}) {
  const { outbox, clock } = deps;

  /** `stopFor`: the Stop button of a run (a fleet run's Stop goes to its server). */
  return function listenerFor(
    chatId: number,
    stopFor: (run: PresentedRun) => InlineKeyboardRows = (run) => stopButton(run.id),
  ): RunListener<PresentedRun> {
    let messageId: Promise<number | undefined> = Promise.resolve(undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let announce: ReturnType<typeof setTimeout> | undefined;
    let finished = false;
    // Groups allow 20 messages a minute, edits included: refresh a live view less often there.
    const everyMs = chatId < 0 ? 3000 : 1000;

    const live = (run: PresentedRun) =>
      renderLive({
        script: run.script.name,
        elapsedMs: clock.now() - run.startedAt,
        lines: run.output.lines(),
        tail: run.output.tail(),
      });

    const refresh = async (run: PresentedRun) => {
      timer = undefined;
      const id = await messageId;
      if (id && !finished)
        await outbox.edit(chatId, id, live(run), { keyboard: stopFor(run), priority: "bulk" });
    };

    return {
      started(run) {
        // A quick run gets one message, its result; "running" with Stop only for longer ones
        // (and no waiting for the chat's send budget between the two).
        announce = setTimeout(() => {
          announce = undefined;
          const first =
            run.script.kind === "long"
              ? live(run)
              : { text: `⏳ ${run.script.name} running (started by ${run.requester.name})`, entities: [] };
          messageId = outbox.send(chatId, first, { keyboard: stopFor(run) }).then((r) => {
            const id = r.ok ? r.value.messageIds[0] : undefined;
            if (id) deps.onMessage(run.id, id);
            return id;
          });
        }, deps.quietMs ?? 1000);
      },
      output(run) {
        if (run.script.kind !== "long" || timer || finished) return;
        timer = setTimeout(() => void refresh(run), everyMs);
      },
      async finished(result: FinishedRun<PresentedRun>) {
        finished = true;
        if (timer) clearTimeout(timer);
        if (announce) clearTimeout(announce);
        const { run } = result;
        let header = outcomeLine(run.script.name, result.outcome as RunOutcome, result.durationMs);
        if (result.leftoversKilled) header += "\n(background processes it left running were ended)";
        if (result.survivors > 0)
          header += `\n⚠️ ${result.survivors} of its processes ${result.survivors === 1 ? "is" : "are"} still running after SIGKILL`;
        const size = run.output.textLength();
        let id = await messageId;
        // The live message becomes the result; a quick run's result is its first message.
        const show = async (text: ReturnType<typeof withOutput>) => {
          if (id) return outbox.edit(chatId, id, text);
          const sent = await outbox.send(chatId, text);
          if (sent.ok) id = sent.value.messageIds[0];
          return sent;
        };
        if (result.saveError) {
          // No file to read or attach: the tail kept in memory is all the chat can get.
          await show(
            withOutput(
              `${header}\n⚠️ The log could not be saved (${result.saveError}); the last lines follow.`,
              lastLines(run.output.tail(), 2500, 25),
            ),
          );
          return;
        }
        if (size <= FITS_ONE) {
          await show(withOutput(header, run.output.tail()));
          return;
        }
        if (size <= deps.maxMessages * MESSAGE_LIMIT - 300) {
          await show({ text: header, entities: [] });
          await outbox.send(
            chatId,
            withOutput("Output:", readFileSync(run.textPath, "utf8")),
            id ? { replyTo: id } : {},
          );
          return;
        }
        const note = run.output.truncated() ? " (cut at runner.max_log_bytes)" : "";
        await show(
          withOutput(
            `${header}\nLast lines below; the full output is attached${note}.`,
            lastLines(run.output.tail(), 2500, 25),
          ),
        );
        await outbox.document(
          chatId,
          uploadName(run.textPath),
          { path: run.textPath },
          `${run.script.name} run #${run.id}`,
          id ? { replyTo: id } : {},
        );
      },
    };
  };
}
