/**
 * The floor for `make bench`: the smallest gramio bot (long polling, one command answering a
 * fixed text), compiled with the same flags as dist/octopus. Octopus is measured against it.
 */
import { Bot } from "gramio";

const bot = new Bot(process.env.TELEGRAM_TOKEN ?? "", {
  api: { baseURL: `${process.env.TELEGRAM_API_URL}/bot` },
});
bot.command("status", (ctx) => ctx.send("ok"));
await bot.start();
