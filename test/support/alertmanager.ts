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

export async function startAlertmanager(options: {
  webhook: string;
  token: string;
}): Promise<RealAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), "octopus-am-"));
  const port = freePort();
  writeFileSync(
    join(dir, "alertmanager.yml"),
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
  for (let i = 0; ; i++) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (i > 100 || child.exitCode !== null)
      throw new Error(`alertmanager did not start: ${await new Response(child.stderr).text()}`);
    await Bun.sleep(100);
  }
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
