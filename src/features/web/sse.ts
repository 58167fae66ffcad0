/**
 * Server-Sent Events, made once and written to every subscriber. The status stream ticks only
 * while someone watches; each tick composes one payload per role and writes the same bytes to
 * every open dashboard. A subscriber whose session ended gets `ended` and is closed.
 */

const encoder = new TextEncoder();

export const sseFrame = (event: string, data: unknown): Uint8Array =>
  encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

export const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-store",
  "x-accel-buffering": "no",
};

interface Subscriber<K> {
  key: K;
  controller: ReadableStreamDefaultController<Uint8Array>;
  valid(): boolean;
}

export function createBroadcast<K>(deps: {
  everyMs: number;
  /** One payload for all subscribers that share `key` (a role). */
  compose(key: K): Promise<unknown>;
  onError(error: unknown): void;
}) {
  const subscribers = new Set<Subscriber<K>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const close = (s: Subscriber<K>) => {
    subscribers.delete(s);
    try {
      s.controller.close();
    } catch {
      // already closed by the client
    }
  };

  async function tick() {
    timer = undefined;
    const frames = new Map<K, Uint8Array>();
    for (const s of [...subscribers]) {
      if (!s.valid()) {
        try {
          s.controller.enqueue(sseFrame("ended", { reason: "session ended" }));
        } catch {
          // gone
        }
        close(s);
        continue;
      }
      let frame = frames.get(s.key);
      if (!frame) {
        try {
          frame = sseFrame("status", await deps.compose(s.key));
        } catch (error) {
          deps.onError(error);
          frame = sseFrame("problem", { error: "status could not be read" });
        }
        frames.set(s.key, frame);
      }
      try {
        s.controller.enqueue(frame);
      } catch {
        subscribers.delete(s);
      }
    }
    schedule();
  }

  function schedule() {
    if (!timer && !stopped && subscribers.size) timer = setTimeout(tick, deps.everyMs);
  }

  return {
    subscribe(key: K, valid: () => boolean): ReadableStream<Uint8Array> {
      let me: Subscriber<K> | undefined;
      return new ReadableStream<Uint8Array>({
        start: async (controller) => {
          me = { key, controller, valid };
          subscribers.add(me);
          // The first frame at once: a page shows figures without waiting a tick.
          try {
            controller.enqueue(sseFrame("status", await deps.compose(key)));
          } catch (error) {
            deps.onError(error);
          }
          schedule();
        },
        cancel: () => {
          if (me) subscribers.delete(me);
        },
      });
    },
    size: () => subscribers.size,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      for (const s of [...subscribers]) close(s);
    },
  };
}
