import { readFileSync } from "node:fs";

/** Small helpers shared by the benchmarks: percentiles, a fixed-width report line, a process's memory. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function summarize(samples: number[]): { p50: number; p99: number; max: number; n: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  };
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;

export function report(name: string, value: string): void {
  console.log(`${name.padEnd(58)} ${value}`);
}

/** A memory figure of a running process from /proc/PID/status, in MiB (VmRSS now, VmHWM its peak). */
export function procMiB(pid: number, key: "VmRSS" | "VmHWM" = "VmRSS"): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}
