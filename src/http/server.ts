import type { Logger } from "../shared/log.ts";

/**
 * The optional HTTP listener: `/metrics` (Prometheus text) and `/healthz` (200 while
 * polling worked in the last 90 s). This handler is the error sink for HTTP requests.
 */
export function startHttpServer(options: {
  listen: string;
  metrics(): string;
  /** ms since epoch of the last successful getUpdates (0: never). */
  lastPollAt(): number;
  now(): number;
  log: Logger;
}): { url: string; stop(): Promise<void> } {
  const at = options.listen.lastIndexOf(":");
  const hostname = options.listen.slice(0, at).replace(/^\[|\]$/g, "");
  const server = Bun.serve({
    hostname,
    port: Number(options.listen.slice(at + 1)),
    fetch(req) {
      try {
        const path = new URL(req.url).pathname;
        if (path === "/metrics") {
          return new Response(options.metrics(), {
            headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          });
        }
        if (path === "/healthz") {
          const age = options.now() - options.lastPollAt();
          const ok = options.lastPollAt() > 0 && age <= 90_000;
          return Response.json(
            { ok, last_poll_seconds_ago: options.lastPollAt() ? Math.round(age / 1000) : null },
            { status: ok ? 200 : 503 },
          );
        }
        return new Response("not found: try /metrics or /healthz\n", { status: 404 });
      } catch (error) {
        options.log.error("http request failed", { error });
        return new Response("internal error\n", { status: 500 });
      }
    },
  });
  options.log.info("http listening", { url: `http://${options.listen}` });
  return {
    url: `http://${server.hostname}:${server.port}`,
    stop: async () => void (await server.stop(true)),
  };
}
