import type { WebRuns } from "../../features/runs/web-runs.ts";
import type { Clock } from "../../shared/clock.ts";
import type { Logger } from "../../shared/log.ts";
import type { Point } from "../../storage/history-repo.ts";
import type { CallbackSpec, CommandContext, Role } from "../../telegram/feature.ts";
import type { InlineKeyboardRows } from "../../telegram/send/outbox.ts";
import type { Assets } from "./assets.ts";
import type { Login, WebAuth, WebUser } from "./auth.ts";
import type { StatusJson } from "./status-json.ts";

/** What the dashboard's routes are given: its doors (auth, files) and what the bot shows and does. */
export interface WebDeps {
  auth: WebAuth;
  assets: Assets;
  log: Logger;
  clock: Clock;
  publicOrigin: string | undefined;
  statusEveryMs: number;
  status(): Promise<StatusJson>;
  history?:
    | {
        series(): string[];
        points(series: string, from: number, to: number): { points: Point[]; tier: string };
      }
    | undefined;
  runs: WebRuns;
  alerts(role: Role): { text: string; rows: InlineKeyboardRows };
  /** The bot's button routes an action on the page may press (alerts, Alertmanager groups). */
  press: readonly CallbackSpec[];
  fleet: {
    latest(): { name: string; at?: number; line?: string; ok?: boolean; detail?: string }[];
    refresh(): Promise<unknown>;
  };
  /** The user's private chat as a context: answers and runs started here are told there. */
  ctxFor(user: WebUser): CommandContext;
  /** A login happened: the chat is told (time, address, browser). */
  loggedIn(login: Login): void;
}
