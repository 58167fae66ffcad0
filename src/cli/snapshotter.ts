import { systemClock } from "../shared/clock.ts";
import { createSnapshotter } from "../system/snapshot.ts";

/** The snapshotter on this machine's /proc and statfs. */
export function createRealSnapshotter() {
  return createSnapshotter({
    clock: systemClock,
    sleep: Bun.sleep,
    fallbackCpus: navigator.hardwareConcurrency,
  });
}
