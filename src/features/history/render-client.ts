import { join } from "node:path";
import { err, ok, type Result } from "../../shared/result.ts";

/**
 * Renders a chart in a child process of this same program (`octopus render-chart`): the bot's
 * memory stays flat (WebAssembly memory never shrinks), and a renderer that fails or hangs
 * costs one chart, never the bot. The child gets no environment: no secret reaches it.
 */

const PNG = [0x89, 0x50, 0x4e, 0x47];

/** How to run this program again: the compiled binary runs itself; from source, bun runs main.ts. */
export function selfArgv(): string[] {
  const compiled = import.meta.path.startsWith("/$bunfs/") || import.meta.path.startsWith("B:/~BUN/");
  return compiled ? [process.execPath] : [process.execPath, join(import.meta.dir, "../../main.ts")];
}

export async function renderChart(svg: string, timeoutMs = 15_000): Promise<Result<Uint8Array, string>> {
  const child = Bun.spawn([...selfArgv(), "render-chart"], {
    stdin: new Blob([svg]),
    stdout: "pipe",
    stderr: "ignore",
    env: {},
    timeout: timeoutMs,
    killSignal: "SIGKILL",
  });
  const [png, code] = await Promise.all([new Response(child.stdout).bytes(), child.exited]);
  if (code !== 0)
    return err(
      code === null || child.signalCode
        ? "the chart renderer took too long"
        : `the chart renderer failed (exit ${code})`,
    );
  if (png.length < 8 || !PNG.every((b, i) => png[i] === b)) return err("the chart renderer gave no picture");
  return ok(png);
}
