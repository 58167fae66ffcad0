import type { Logger } from "../shared/log.ts";
import type { StorageFailure } from "../storage/health.ts";
import type { PollHealth } from "../telegram/receive/poller.ts";

/**
 * The optional HTTP listener: `/metrics` (Prometheus text) and `/healthz`. The handler is a
 * plain `(Request) => Response` function (testable without a socket) and the error sink for
 * HTTP requests; `startHttpServer` only binds it.
 *
 * /healthz answers 503 only when polling has been failing (or a long poll has hung) for longer
 * than the poll timeout plus a margin, so a restart is not an outage. A failing state disk
 * does not make it 503: the bot still answers from memory; the body names the failing areas.
 */
export interface HttpHandlerOptions {
  metrics(): string;
  poll(): PollHealth;
  storage(): StorageFailure[];
  now(): number;
  log: Logger;
  /** More paths a feature serves (the Alertmanager webhook), each its own handler. */
  routes?: ReadonlyMap<string, Route>;
  /** Whole trees a feature serves (`/web` and below: the dashboard). */
  mounts?: ReadonlyMap<string, Route>;
}

/** Who sent a request, as the socket says, and the socket's own controls. */
export interface HttpClient {
  /** The peer's address ("" when unknown: a request made without a socket, in a test). */
  address: string;
  /** Keeps a long response (Server-Sent Events) open past the idle timeout. */
  keepOpen(): void;
}

export type Route = (req: Request, client: HttpClient) => Promise<Response>;

export type HttpHandler = (req: Request, client?: HttpClient) => Response | Promise<Response>;

const NO_CLIENT: HttpClient = { address: "", keepOpen: () => {} };

const mounted = (mounts: ReadonlyMap<string, Route> | undefined, path: string) => {
  if (!mounts) return undefined;
  for (const [prefix, route] of mounts) if (path === prefix || path.startsWith(`${prefix}/`)) return route;
  return undefined;
};

export function createHttpHandler(options: HttpHandlerOptions): HttpHandler {
  const routed = async (route: Route, req: Request, client: HttpClient) => {
    try {
      return await route(req, client);
    } catch (error) {
      options.log.error("http request failed", { error });
      return new Response("internal error\n", { status: 500 });
    }
  };
  return (req, client = NO_CLIENT) => {
    try {
      const path = new URL(req.url).pathname;
      const route = options.routes?.get(path) ?? mounted(options.mounts, path);
      if (route) return routed(route, req, client);
      if (path === "/metrics") {
        return new Response(options.metrics(), {
          headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
        });
      }
      if (path === "/healthz") {
        const poll = options.poll();
        const failing = options.storage();
        const now = options.now();
        return Response.json(
          {
            ok: poll.ok,
            polling: poll.reason,
            last_poll_seconds_ago:
              poll.lastAnswerAgoMs === undefined ? null : Math.round(poll.lastAnswerAgoMs / 1000),
            storage: failing.length
              ? {
                  ok: false,
                  failing: failing.map((f) => ({
                    area: f.area,
                    since_seconds: Math.round((now - f.since) / 1000),
                    error: f.error,
                  })),
                }
              : { ok: true },
          },
          { status: poll.ok ? 200 : 503 },
        );
      }
      return new Response("not found: try /metrics or /healthz\n", { status: 404 });
    } catch (error) {
      options.log.error("http request failed", { error });
      return new Response("internal error\n", { status: 500 });
    }
  };
}

/** Binds the handler to `listen` (`host:port`, `[v6]:port`). */
export function startHttpServer(
  listen: string,
  handler: HttpHandler,
  log: Logger,
): { url: string; stop(): Promise<void> } {
  const at = listen.lastIndexOf(":");
  const hostname = listen.slice(0, at).replace(/^\[|\]$/g, "");
  const server = Bun.serve({
    hostname,
    port: Number(listen.slice(at + 1)),
    fetch: (req, srv) =>
      handler(req, { address: srv.requestIP(req)?.address ?? "", keepOpen: () => srv.timeout(req, 0) }),
  });
  log.info("http listening", { url: `http://${listen}` });
  return {
    url: `http://${server.hostname}:${server.port}`,
    stop: async () => void (await server.stop(true)),
  };
}
