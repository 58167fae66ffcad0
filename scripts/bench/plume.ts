/** /health's calls against the fake Plume cloud answering in 200 ms: parallel vs sequential, cached repeat. */
import { createPlumeService } from "../../src/features/plume/service.ts";
import { systemClock } from "../../src/shared/clock.ts";
import { silentLogger } from "../../src/shared/log.ts";
import { createSecretBox } from "../../src/storage/crypto.ts";
import { openMemoryDb } from "../../src/storage/db.ts";
import { createPlumeRepo } from "../../src/storage/plume-repo.ts";
import { AUTH, CUSTOMER, LOC, PARTNER, startFakePlume } from "../../test/support/fake-plume.ts";
import { ms, report } from "./stats.ts";

export async function benchPlume(): Promise<void> {
  const cloud = startFakePlume();
  const plume = createPlumeService({
    server: { ssoUrl: cloud.ssoUrl, authHeader: AUTH, partnerId: PARTNER, apiBase: cloud.apiBase },
    repo: createPlumeRepo(openMemoryDb(), await createSecretBox(crypto.getRandomValues(new Uint8Array(32)))),
    clock: systemClock,
    log: silentLogger,
    timeoutMs: 10_000,
    cacheTtlMs: 60_000,
    onSecret: () => {},
    sleep: Bun.sleep,
    random: Math.random,
  });
  const client = plume.serverClient();
  if (!client) throw new Error("no client");
  await client.qoe(CUSTOMER, LOC.healthy); // the token, outside the measurement
  await Bun.sleep(1100); // let that call leave the limiter's 1-second window
  cloud.delayMs = 200;

  let t0 = performance.now();
  const before = cloud.calls.length;
  const parallel = await plume.health("server", client, CUSTOMER, LOC.healthy, true);
  const parallelMs = performance.now() - t0;
  const calls = cloud.calls.length - before;

  await Bun.sleep(1100);
  t0 = performance.now();
  for (const call of [client.location, client.nodes, client.devices, client.qoe])
    await call(CUSTOMER, LOC.healthy);
  const sequentialMs = performance.now() - t0;

  t0 = performance.now();
  const n = 1000;
  for (let i = 0; i < n; i++) await plume.health("server", client, CUSTOMER, LOC.healthy, false);
  const cachedMs = (performance.now() - t0) / n;
  await cloud.stop();

  if (!parallel.ok) throw parallel.error;
  report("/health, 200 ms per Plume call, parallel", ms(parallelMs));
  report(
    "the same 4 calls one after another",
    `${ms(sequentialMs)} (${(sequentialMs / parallelMs).toFixed(1)}x slower)`,
  );
  report("/health repeated within plume.cache_ttl (mean of 1000)", ms(cachedMs));
  report("Plume API calls per /health report", String(calls));
}

if (import.meta.main) await benchPlume();
