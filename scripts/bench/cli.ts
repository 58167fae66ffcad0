/**
 * The one-shot subcommands as whole processes, interleaved against the floor: a Bun "hello"
 * compiled with the same flags as dist/octopus (what no Bun program can beat), and, when
 * Debian's python3-psutil is installed, a python3 + psutil script printing the same status
 * fields (what an operator would use instead). Wall time (measured here), CPU time (user +
 * system, from Bun's resourceUsage of the process tree) and peak RSS (from /usr/bin/time) per
 * run; medians of interleaved rounds and their ratio.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compileLikeDist } from "./compile.ts";
import { report } from "./stats.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BINARY = join(ROOT, "dist/octopus");
const ROUNDS = 15;

interface Run {
  ms: number;
  cpu: number;
  mib: number;
}

/** One run: wall ms, CPU ms (user + system) and peak RSS MiB. */
function run(argv: string[]): Run {
  const t0 = performance.now();
  const r = Bun.spawnSync(["/usr/bin/time", "-f", "%M", ...argv], { stdout: "ignore", stderr: "pipe" });
  const ms = performance.now() - t0;
  const kib = Number(r.stderr.toString().trim().split("\n").at(-1));
  const cpu = Number(r.resourceUsage?.cpuTime.total ?? Number.NaN) / 1000;
  return { ms, cpu, mib: kib / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

function compare(name: string, a: string[], b: string[], bName: string) {
  const ra: Run[] = [];
  const rb: Run[] = [];
  run(a);
  run(b); // warm-up, not counted
  for (let i = 0; i < ROUNDS; i++) {
    ra.push(run(a));
    rb.push(run(b));
  }
  const ms = (r: typeof ra) => median(r.map((x) => x.ms));
  const mib = (r: typeof ra) => median(r.map((x) => x.mib));
  const cpu = (r: typeof ra) => median(r.map((x) => x.cpu));
  report(
    `${name} vs ${bName}, wall`,
    `${ms(ra).toFixed(1)} ms vs ${ms(rb).toFixed(1)} ms (${(ms(ra) / ms(rb)).toFixed(2)}x)`,
  );
  report(
    `${name} vs ${bName}, CPU`,
    `${cpu(ra).toFixed(1)} ms vs ${cpu(rb).toFixed(1)} ms (${(cpu(ra) / cpu(rb)).toFixed(2)}x)`,
  );
  report(
    `${name} vs ${bName}, peak RSS`,
    `${mib(ra).toFixed(1)} MiB vs ${mib(rb).toFixed(1)} MiB (${(mib(ra) / mib(rb)).toFixed(2)}x)`,
  );
}

export async function benchCli(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "octopus-bench-cli-"));
  writeFileSync(join(dir, "hello.ts"), 'console.log("hello");\n');
  const hello = join(dir, "hello");
  compileLikeDist(join(dir, "hello.ts"), hello);
  compare("octopus --version", [BINARY, "--version"], [hello], "Bun hello");
  compare("octopus status --json (no config)", [BINARY, "status", "--json"], [hello], "Bun hello");
  // Debian's python3 (where python3-psutil installs), not whatever python3 PATH finds first.
  const python = (await Bun.file("/usr/bin/python3").exists()) ? "/usr/bin/python3" : "python3";
  const psutil = Bun.spawnSync([python, "-c", "import psutil"], { stdout: "ignore", stderr: "ignore" });
  if (psutil.exitCode !== 0) {
    report("python3 + psutil peer", "not run: install python3-psutil (Debian) to compare");
    return;
  }
  const script = join(dir, "status.py");
  writeFileSync(
    script,
    [
      "import json, os, psutil",
      "cpu = psutil.cpu_percent(interval=0.1)",
      "m = psutil.virtual_memory()",
      "disks = [{'path': p.mountpoint, 'used_percent': psutil.disk_usage(p.mountpoint).percent} for p in psutil.disk_partitions()]",
      "print(json.dumps({'load': os.getloadavg(), 'cpu': cpu, 'memory': m.percent, 'disks': disks}))",
    ].join("\n"),
  );
  compare(
    "octopus status --json (no config)",
    [BINARY, "status", "--json"],
    [python, script],
    "python3 + psutil",
  );
}

if (import.meta.main) await benchCli();
