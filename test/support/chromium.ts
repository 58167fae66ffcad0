import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A real headless Chromium (Debian's `chromium`), driven over the DevTools protocol: pages
 * are opened, clicked and read as a person's browser would, dialogs (confirm) are answered
 * yes, screenshots are taken. No npm package: a WebSocket and a few protocol commands.
 */

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => Bun.file(p).size > 0);

interface Pending {
  resolve(v: Record<string, unknown>): void;
  reject(e: Error): void;
}

export interface Page {
  goto(url: string): Promise<void>;
  /** The value of a browser expression (awaited). */
  eval<T = unknown>(expression: string): Promise<T>;
  /** Until the expression is truthy; its value. */
  waitFor<T = unknown>(expression: string, timeoutMs?: number): Promise<T>;
  click(selector: string): Promise<void>;
  screenshot(path: string): Promise<void>;
  /** Texts of dialogs the page opened (each was answered OK). */
  dialogs: string[];
}

export async function launchChromium(options: { width?: number; height?: number } = {}) {
  if (!CHROMIUM) throw new Error("chromium is not installed (apt-get install chromium)");
  const profile = mkdtempSync(join(tmpdir(), "octopus-chromium-"));
  const proc = Bun.spawn(
    [
      CHROMIUM,
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--no-default-browser-check",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("chromium did not start")), 20_000);
    let seen = "";
    void (async () => {
      for await (const chunk of proc.stderr as ReadableStream<Uint8Array>) {
        seen += new TextDecoder().decode(chunk);
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
          return;
        }
      }
      reject(new Error(`chromium exited: ${seen.slice(-500)}`));
    })();
  });
  const ws = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("DevTools connection failed"));
  });
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Set<
    (m: { method: string; params: Record<string, unknown>; sessionId?: string }) => void
  >();
  ws.onmessage = (e) => {
    const m = JSON.parse(String(e.data));
    if (m.id && pending.has(m.id)) {
      const p = pending.get(m.id) as Pending;
      pending.delete(m.id);
      if (m.error) p.reject(new Error(`${m.error.message}`));
      else p.resolve(m.result ?? {});
    } else if (m.method) for (const l of listeners) l(m);
  };
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const waitEvent = (method: string, sessionId: string, timeoutMs = 15_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(on);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (m: { method: string; params: Record<string, unknown>; sessionId?: string }) => {
        if (m.method !== method || m.sessionId !== sessionId) return;
        clearTimeout(timer);
        listeners.delete(on);
        resolve(m.params);
      };
      listeners.add(on);
    });

  async function page(): Promise<Page> {
    const { targetId } = (await send("Target.createTarget", { url: "about:blank" })) as { targetId: string };
    const { sessionId } = (await send("Target.attachToTarget", { targetId, flatten: true })) as {
      sessionId: string;
    };
    const s = (method: string, params: Record<string, unknown> = {}) => send(method, params, sessionId);
    await s("Page.enable");
    await s("Runtime.enable");
    await s("Emulation.setDeviceMetricsOverride", {
      width: options.width ?? 412,
      height: options.height ?? 860,
      deviceScaleFactor: 1,
      mobile: false,
    });
    const dialogs: string[] = [];
    listeners.add((m) => {
      if (m.sessionId !== sessionId || m.method !== "Page.javascriptDialogOpening") return;
      dialogs.push(String(m.params.message));
      void s("Page.handleJavaScriptDialog", { accept: true });
    });
    const evaluate = async <T>(expression: string): Promise<T> => {
      const r = (await s("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true })) as {
        result: { value?: T };
        exceptionDetails?: { text: string; exception?: { description?: string } };
      };
      if (r.exceptionDetails)
        throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
      return r.result.value as T;
    };
    return {
      dialogs,
      async goto(url) {
        const loaded = waitEvent("Page.loadEventFired", sessionId);
        await s("Page.navigate", { url });
        await loaded;
      },
      eval: evaluate,
      async waitFor<T>(expression: string, timeoutMs = 10_000): Promise<T> {
        const end = Date.now() + timeoutMs;
        let last: unknown;
        while (Date.now() < end) {
          try {
            last = await evaluate<T>(expression);
            if (last) return last as T;
          } catch (error) {
            last = error;
          }
          await Bun.sleep(100);
        }
        throw new Error(`waited ${timeoutMs} ms for ${expression}: last ${String(last)}`);
      },
      async click(selector) {
        const found = await evaluate<boolean>(
          `(() => { const el = document.querySelector(${JSON.stringify(selector)}); if (!el) return false; el.click(); return true; })()`,
        );
        if (!found) throw new Error(`nothing matches ${selector}`);
      },
      async screenshot(path) {
        const { data } = (await s("Page.captureScreenshot", {
          format: "png",
          captureBeyondViewport: false,
        })) as {
          data: string;
        };
        await Bun.write(path, Buffer.from(data, "base64"));
      },
    };
  }

  return {
    page,
    async close() {
      try {
        await send("Browser.close");
      } catch {
        // already gone
      }
      ws.close();
      proc.kill("SIGKILL");
      await proc.exited;
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
