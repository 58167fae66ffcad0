/** `make bench`: every benchmark, one after the other, on this machine. */
import { benchAlerts } from "./alerts.ts";
import { benchCharts } from "./charts.ts";
import { benchCli } from "./cli.ts";
import { benchFleet } from "./fleet.ts";
import { benchFloor } from "./floor.ts";
import { benchHistory } from "./history.ts";
import { benchPlume } from "./plume.ts";
import { benchQuickRun } from "./quick-run.ts";
import { benchReload } from "./reload.ts";
import { benchRunner } from "./runner.ts";
import { benchStartup } from "./startup.ts";
import { benchStatus } from "./status.ts";
import { benchTelegram } from "./telegram.ts";
import { benchWeb } from "./web.ts";

console.log(
  `octopus benchmarks — bun ${Bun.version}, ${navigator.hardwareConcurrency} CPUs, ${new Date().toISOString()}`,
);
await benchTelegram();
await benchFloor();
await benchStartup();
await benchReload();
await benchCli();
await benchStatus();
await benchAlerts();
await benchRunner();
await benchQuickRun();
await benchHistory();
await benchPlume();
await benchCharts();
await benchFleet();
await benchWeb();
