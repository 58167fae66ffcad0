import type { Feature } from "../../telegram/feature.ts";
import { statusButton } from "./buttons.ts";
import { createStatusCommands, type StatusDeps } from "./commands.ts";

/** /status: the server at a glance, with a Refresh button; the Status button under /start. */
export function createStatusFeature(deps: StatusDeps): Feature {
  return {
    name: "status",
    ...createStatusCommands(deps),
    startButtons: () => [{ text: "🖥 Status", callback_data: statusButton.pack({ mode: "new" }) }],
  };
}
