import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on a loopback port, its
 * one receiver the bot's webhook with a bearer token; groups flush every second so a test
 * sees fire, update and resolve in seconds.
 */

export const ALERTMANAGER = "/usr/bin/prometheus-alertmanager";
export const canRunAlertmanager = () => existsSync(ALERTMANAGER);

/** A port nothing listens on now. */
export function freePort(): number {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port as number;
  s.stop(true);
  return port;
}

/** Waits (at most 15 s) for `/-/ready`, which both answer once they serve; their stderr if they die. */
async function untilReady(url: string, child: Bun.Subprocess<"ignore", "ignore", "pipe">, name: string) {
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    if (i > 150 || child.exitCode !== null)
      throw new Error(`${name} did not start: ${await new Response(child.stderr).text()}`);
    await Bun.sleep(100);
  }
}

export interface RealAlertmanager {
  url: string;
  /** Posts alerts to its API (v2), as Prometheus does. */
  post(alerts: AlertIn[]): Promise<void>;
  silences(): Promise<{ id: string; status: { state: string }; createdBy: string; matchers: unknown[] }[]>;
  stop(): Promise<void>;
}

export interface AlertIn {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set to now to resolve it. */
  endsAt?: string;
}

/**
 * `yaml`: Alertmanager's config as written elsewhere (the docs' snippet); without it, one
 * receiver (the webhook, with the token) and groups flushed every second.
 */
export async function startAlertmanager(options: {
  webhook: string;
  token: string;
  yaml?: string;
  port?: number;
}): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "octopus-am-"));
  const port = options.port ?? freePort();
  writeFileSync(
    join(dir, "alertmanager.yml"),
    options.yaml ??
      `route:
  receiver: octopus
  group_by: [alertname, job]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: octopus
    webhook_configs:
      - url: ${options.webhook}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${options.token}
`,
  );
  const child = Bun.spawn(
    [
      ALERTMANAGER,
      `--config.file=${join(dir, "alertmanager.yml")}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = `http://127.0.0.1:${port}`;
  await untilReady(url, child, "alertmanager");
  return {
    url,
    async post(alerts) {
      const r = await fetch(`${url}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
      });
      if (!r.ok) throw new Error(`alertmanager refused the alerts: ${r.status} ${await r.text()}`);
    },
    async silences() {
      return (await (await fetch(`${url}/api/v2/silences`)).json()) as Awaited<
        ReturnType<RealAlertmanager["silences"]>
      >;
    },
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

/** A real Prometheus evaluating `rules` every second, sending to Alertmanager as `yaml` says. */
export async function startPrometheus(
  yaml: string,
  rules: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "octopus-prom-"));
  const port = freePort();
  writeFileSync(join(dir, "rules.yml"), rules);
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:\n  evaluation_interval: 1s\nrule_files: [${join(dir, "rules.yml")}]\n${yaml}`,
  );
  const child = Bun.spawn(
    [
      PROMETHEUS,
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Alerts sent before it has found its Alertmanagers (a few seconds) are dropped, and
      // sent again only after this delay (1m by default).
      "--rules.alert.resend-delay=1s",
      "--log.level=warn",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  await untilReady(`http://127.0.0.1:${port}`, child, "prometheus");
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill("SIGTERM");
      await child.exited;
    },
  };
}

export const PROMETHEUS = "/usr/bin/prometheus";
