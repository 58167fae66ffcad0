/** How a run's status shows in a list: the hub's /history and a fleet server's, alike. */
export const RUN_ICON = {
  running: "⏳",
  succeeded: "✅",
  failed: "⚠️",
  timed_out: "⏱",
  stopped: "⏹",
  interrupted: "💥",
} as const satisfies Record<string, string>;

/** The icon of a status that may come from elsewhere (another server's answer). */
export const runIcon = (status: string): string => (RUN_ICON as Record<string, string>)[status] ?? "•";
