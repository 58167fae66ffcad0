import fontPath from "@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf" with { type: "file" };
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import wasmPath from "@resvg/resvg-wasm/index_bg.wasm" with { type: "file" };

/**
 * SVG → PNG with resvg compiled to WebAssembly (no native addon: the single binary and its
 * arm64 build keep working), the Inter font embedded. Runs in a short-lived child process
 * (`octopus render-chart`): WebAssembly memory never shrinks, and a renderer failure must not
 * take the bot down.
 */
export async function renderPng(svg: string): Promise<Uint8Array> {
  await initWasm(await Bun.file(wasmPath).arrayBuffer());
  const font = new Uint8Array(await Bun.file(fontPath).arrayBuffer());
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: "Inter", sansSerifFamily: "Inter" },
    fitTo: { mode: "original" },
  });
  const png = resvg.render().asPng();
  resvg.free();
  return png;
}

/** The `render-chart` subcommand: reads the SVG from stdin, writes the PNG to stdout. */
export async function renderChartCommand(): Promise<number> {
  const svg = await Bun.stdin.text();
  const png = await renderPng(svg);
  await Bun.write(Bun.stdout, png);
  return 0;
}
