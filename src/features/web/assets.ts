import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import appCss from "./assets/app.css" with { type: "text" };
import appJs from "./assets/app.js" with { type: "text" };
import indexBundle from "./assets/index.html" with { type: "text" };

/**
 * The dashboard's files, in the binary (imported as text: no file is read at run time, no
 * CDN). Each is served at `/web/assets/<hash>/<name>`, so a browser keeps it until the
 * binary changes; gzip is made once, on first use, for clients that accept it.
 */

// Bun types an .html import as a bundle; imported as text it is the file's text.
const indexHtml = indexBundle as unknown as string;

interface Asset {
  type: string;
  body: Uint8Array<ArrayBuffer>;
  gzip?: Uint8Array<ArrayBuffer>;
  path: string;
}

const SOURCES: [string, string, string][] = [
  ["app.js", appJs, "text/javascript; charset=utf-8"],
  ["app.css", appCss, "text/css; charset=utf-8"],
  ["uPlot.iife.min.js", uplotJs, "text/javascript; charset=utf-8"],
  ["uPlot.min.css", uplotCss, "text/css; charset=utf-8"],
];

interface Built {
  byPath: Map<string, Asset>;
  /** app.css's path: the server-made pages link to it. */
  css: string;
  index: Uint8Array<ArrayBuffer>;
  indexGzip?: Uint8Array<ArrayBuffer>;
}

export function createAssets() {
  let built: Built | undefined;
  const encoder = new TextEncoder();

  function build(): Built {
    if (built) return built;
    const byPath = new Map<string, Asset>();
    let html = indexHtml;
    for (const [name, text, type] of SOURCES) {
      const body = encoder.encode(text);
      const path = `/web/assets/${Bun.hash(body).toString(36)}/${name}`;
      byPath.set(path, { type, body, path });
      html = html.replace(`{{${name}}}`, path);
    }
    const css = [...byPath.keys()].find((path) => path.endsWith("/app.css")) ?? "";
    built = { byPath, css, index: encoder.encode(html) };
    return built;
  }

  const gzipOk = (req: Request) => /\bgzip\b/.test(req.headers.get("accept-encoding") ?? "");

  return {
    /** The page every tab lives in (its asset paths filled in). */
    index(req: Request, headers: Record<string, string>): Response {
      const b = build();
      if (gzipOk(req)) {
        b.indexGzip ??= Bun.gzipSync(b.index);
        return new Response(b.indexGzip, {
          headers: {
            ...headers,
            "content-type": "text/html; charset=utf-8",
            "content-encoding": "gzip",
            vary: "accept-encoding",
          },
        });
      }
      return new Response(b.index, { headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
    },
    /** A file under /web/assets/, or undefined. */
    file(req: Request, path: string): Response | undefined {
      const a = build().byPath.get(path);
      if (!a) return undefined;
      const headers: Record<string, string> = {
        "content-type": a.type,
        "cache-control": "public, max-age=31536000, immutable",
        "x-content-type-options": "nosniff",
        vary: "accept-encoding",
      };
      if (gzipOk(req)) {
        a.gzip ??= Bun.gzipSync(a.body);
        return new Response(a.gzip, { headers: { ...headers, "content-encoding": "gzip" } });
      }
      return new Response(a.body, { headers });
    },
    /** The stylesheet the server-made pages link to (login, refusals). */
    cssPath: () => build().css,
  };
}

export type Assets = ReturnType<typeof createAssets>;
