import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startLocalBotApi } from "../../../src/console/local-api/server.ts";
import type { BotEvent, BotMessage } from "../../../src/console/local-api/state.ts";
import {
  canRunAlertmanager,
  freePort,
  PROMETHEUS,
  type RealAlertmanager,
  startAlertmanager,
  startPrometheus,
} from "../../support/alertmanager.ts";
import { ADMIN, type Harness, startHarness } from "../../support/harness.ts";

/**
 * docs/OPERATIONS.md's three snippets, as written (only the ports, the token file's path and
 * Alertmanager's group timings differ): a real Prometheus with an always-firing rule sends to
 * a real Alertmanager, which posts to the bot; the alert reaches the chat.
 */

const DOC = readFileSync(resolve(import.meta.dir, "../../../docs/OPERATIONS.md"), "utf8");
const snippet = (name: string) => {
  const m = new RegExp(`<!-- snippet: ${name} -->\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(DOC);
  if (!m?.[1]) throw new Error(`no snippet ${name} in docs/OPERATIONS.md`);
  return m[1];
};

let h: Harness | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await h?.stop();
  h = undefined;
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe.skipIf(!canRunAlertmanager() || !existsSync(PROMETHEUS))(
  "the docs' Prometheus → Alertmanager → Octopus snippets",
  () => {
    test("as written, they connect: a rule firing in Prometheus is a message in the alert chat", async () => {
      const token = "doc-token-5b1e";
      const [botPort, amPort] = [freePort(), freePort()];
      const tokenFile = join(mkdtempSync(join(tmpdir(), "octopus-am-token-")), "octopus.token");
      writeFileSync(tokenFile, token, { mode: 0o600 });
      const amYaml = snippet("alertmanager")
        .replace("127.0.0.1:9464", `127.0.0.1:${botPort}`)
        .replace("/etc/alertmanager/octopus.token", tokenFile)
        .replace(/group_wait: \S+/, "group_wait: 1s")
        .replace(/group_interval: \S+/, "group_interval: 1s");
      const am: RealAlertmanager = await startAlertmanager({
        webhook: "",
        token,
        yaml: amYaml,
        port: amPort,
      });
      stops.push(am.stop);
      const api = startLocalBotApi();
      stops.push(() => api.stop());
      api.openChat(ADMIN.id, ADMIN);
      const octopusYaml = snippet("octopus")
        .replace("127.0.0.1:9464", `127.0.0.1:${botPort}`)
        .replace("http://127.0.0.1:9093", am.url);
      h = await startHarness(`telegram:\n  admins: [${ADMIN.id}]\n${octopusYaml}`, {
        api,
        app: { alertmanagerToken: token },
      });
      const prometheus = await startPrometheus(
        snippet("prometheus").replace("127.0.0.1:9093", `127.0.0.1:${amPort}`),
        `groups:
  - name: test
    rules:
      - alert: DocsSnippetWorks
        expr: vector(1)
        labels: { severity: critical, job: node }
        annotations: { summary: "Prometheus reached the chat" }
`,
      );
      stops.push(prometheus.stop);
      const e = (await h.api
        .waitFor(
          (x: BotEvent) =>
            x.type === "message" &&
            x.message.chatId === ADMIN.id &&
            /^🔥 DocsSnippetWorks/.test(x.message.text),
          45_000,
        )
        .catch(async (error) => {
          const [a, b, c] = await Promise.all(
            [
              `${am.url}/api/v2/alerts`,
              `${prometheus.url}/api/v1/alerts`,
              `${prometheus.url}/api/v1/alertmanagers`,
            ].map(async (u) => (await fetch(u)).text()),
          );
          console.error(h?.lines.join("\n"), a, b, c, amPort, botPort);
          throw error;
        })) as { message: BotMessage };
      expect(e.message.text).toContain("Prometheus reached the chat");
      expect(e.message.keyboard?.flat().map((b) => b.text)).toEqual(["🔕 1h", "🔕 8h", "🔕 24h"]);
    }, 90_000);
  },
);
