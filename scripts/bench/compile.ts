/**
 * Compiles a floor program (a hello, the minimal gramio bot) with the flags `make build`
 * uses for dist/octopus, so a comparison measures the code, not the build.
 */
export function compileLikeDist(entry: string, outfile: string): void {
  const r = Bun.spawnSync(
    [
      process.execPath,
      "build",
      entry,
      "--compile",
      "--splitting",
      "--minify-syntax",
      "--minify-whitespace",
      "--sourcemap",
      "--format=esm",
      "--bytecode",
      "--outfile",
      outfile,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  if (r.exitCode !== 0) throw new Error(`building ${entry} failed: ${r.stderr.toString()}`);
}
