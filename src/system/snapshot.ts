import type { DeviceConfig } from "../config/schema.ts";
import type { Clock } from "../shared/clock.ts";
import { createDiskReader, type DiskUsage } from "./disk.ts";
import {
  type CpuTimes,
  type CpuUsage,
  cpuUsage,
  type LoadAvg,
  type Memory,
  parseCpuList,
  parseCpuMax,
  parseCpuTimes,
  parseLoadAvg,
  parseMemInfo,
  parseUptime,
} from "./proc.ts";
import { createProcReader } from "./proc-reader.ts";

/** One device in a snapshot: its usage, or why it could not be read. */
export interface DeviceStatus {
  name: string;
  path: string;
  alertThreshold: number;
  criticalThreshold: number;
  usage?: DiskUsage;
  error?: string;
}

/** Everything /status shows, read in one go. Bytes, percents 0-100, seconds. */
export interface Snapshot {
  /** ms since epoch. */
  at: number;
  host: string;
  kernel: string;
  uptimeSeconds: number;
  load: LoadAvg;
  /** Online CPUs. */
  cpus: number;
  /** CPUs the cgroup allows (cpu.max), when limited. */
  cpuLimit?: number;
  cpu: CpuUsage;
  memory: Memory;
  devices: DeviceStatus[];
}

/** Where the kernel's files are; tests point these at fixtures. */
export interface ProcFiles {
  loadavg: string;
  stat: string;
  meminfo: string;
  uptime: string;
  online: string;
  cpuMax: string;
  hostname: string;
  osrelease: string;
}

export const REAL_PROC_FILES: ProcFiles = {
  loadavg: "/proc/loadavg",
  stat: "/proc/stat",
  meminfo: "/proc/meminfo",
  uptime: "/proc/uptime",
  online: "/sys/devices/system/cpu/online",
  cpuMax: "/sys/fs/cgroup/cpu.max",
  hostname: "/proc/sys/kernel/hostname",
  osrelease: "/proc/sys/kernel/osrelease",
};

export interface Snapshotter {
  /** A fresh snapshot. CPU use covers the time since the previous one (the first waits `firstSampleMs`). */
  take(devices: readonly DeviceConfig[]): Promise<Snapshot>;
  /** Closes the kept file descriptors. */
  close(): void;
}

/** Host name, kernel, CPU count and cgroup limit change rarely: re-read them once a minute. */
const STATIC_TTL_MS = 60_000;

export function createSnapshotter(options: {
  clock: Clock;
  sleep: (ms: number) => Promise<void>;
  files?: ProcFiles;
  /** Used when the online CPU list cannot be read. */
  fallbackCpus?: number;
  firstSampleMs?: number;
}): Snapshotter {
  const files = options.files ?? REAL_PROC_FILES;
  const reader = createProcReader();
  const readDisk = createDiskReader();
  const read = reader.read;
  let fixed:
    | { at: number; host: string; kernel: string; cpus: number; cpuLimit: number | undefined }
    | undefined;
  const staticInfo = () => {
    const now = options.clock.now();
    if (!fixed || now - fixed.at >= STATIC_TTL_MS) {
      fixed = {
        at: now,
        host: (read(files.hostname) ?? "unknown").trim(),
        kernel: (read(files.osrelease) ?? "").trim(),
        cpus: parseCpuList(read(files.online) ?? "") ?? options.fallbackCpus ?? 1,
        cpuLimit: parseCpuMax(read(files.cpuMax) ?? ""),
      };
    }
    return fixed;
  };
  let previous: { times: CpuTimes; at: number } | undefined;
  let lastUsage: CpuUsage | undefined;

  const sampleCpu = (): CpuTimes => {
    const times = parseCpuTimes(read(files.stat) ?? "");
    if (!times) throw new Error(`cannot parse ${files.stat}`);
    return times;
  };

  async function cpu(): Promise<CpuUsage> {
    if (!previous) {
      previous = { times: sampleCpu(), at: options.clock.now() };
      await options.sleep(options.firstSampleMs ?? 100);
    }
    const now = options.clock.now();
    // Two calls within 50 ms would measure noise: show the last figure instead.
    if (lastUsage && now - previous.at < 50) return lastUsage;
    const times = sampleCpu();
    lastUsage = cpuUsage(previous.times, times);
    previous = { times, at: now };
    return lastUsage;
  }

  return {
    close: reader.close,
    async take(devices) {
      const usage = await cpu();
      const load = parseLoadAvg(read(files.loadavg) ?? "");
      const memory = parseMemInfo(read(files.meminfo) ?? "");
      if (!load || !memory) throw new Error("cannot parse /proc/loadavg or /proc/meminfo");
      const { host, kernel, cpus, cpuLimit } = staticInfo();
      return {
        at: options.clock.now(),
        host,
        kernel,
        uptimeSeconds: parseUptime(read(files.uptime) ?? "") ?? 0,
        load,
        cpus,
        ...(cpuLimit !== undefined ? { cpuLimit } : {}),
        cpu: usage,
        memory,
        devices: devices.map((d) => {
          const disk = readDisk(d.path);
          const base = {
            name: d.name,
            path: d.path,
            alertThreshold: d.alert_threshold,
            criticalThreshold: d.critical_threshold,
          };
          return disk.ok ? { ...base, usage: disk.value } : { ...base, error: disk.error };
        }),
      };
    },
  };
}
