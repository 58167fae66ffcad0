import { UsageError } from "../shared/errors.ts";

export type Command =
  | { name: "run" }
  | { name: "console" }
  | { name: "check-config"; file?: string }
  | { name: "status"; json: boolean }
  | { name: "version" }
  | { name: "help" };

export const USAGE = `Usage: octopus [command]

Commands:
  run                  start the bot (default; with no TELEGRAM_TOKEN on a terminal: the console)
  console              chat with the bot in this terminal, through the built-in local Bot API
  check-config [FILE]  validate the config (default: $CONFIG_FILE or config/config.yaml)
  status [--json]      print the server status snapshot; exit 1 if a disk is over its critical threshold
  --version            print the version and git commit
  --help               this text

Environment:
  CONFIG_FILE          config path (default config/config.yaml)
  TELEGRAM_TOKEN       bot token (TELEGRAM_BOT_TOKEN is accepted too)
  TELEGRAM_API_URL     Bot API root (default https://api.telegram.org)
  OCTOPUS_STATE_DIR    state directory (else $STATE_DIRECTORY under systemd, else ./data)
  OCTOPUS_SECRET_KEY   base64 AES-256 key for secrets at rest (else <state>/secret.key)

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.`;

/** Parses argv (without the executable and script) into a command, or throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  const noMore = (name: string) => {
    if (rest.length) throw new UsageError(`${name} takes no arguments (got: ${rest.join(" ")})`);
  };
  switch (first) {
    case undefined:
    case "run":
      noMore("run");
      return { name: "run" };
    case "console":
      noMore("console");
      return { name: "console" };
    case "check-config": {
      if (rest.length > 1) throw new UsageError("check-config takes at most one FILE");
      const file = rest[0];
      if (file?.startsWith("-")) throw new UsageError(`unknown option ${file}`);
      return file ? { name: "check-config", file } : { name: "check-config" };
    }
    case "status": {
      const unknown = rest.filter((a) => a !== "--json");
      if (unknown.length) throw new UsageError(`status: unknown argument ${unknown[0]}`);
      return { name: "status", json: rest.includes("--json") };
    }
    case "--version":
    case "-v":
    case "version":
      return { name: "version" };
    case "--help":
    case "-h":
    case "help":
      return { name: "help" };
    default:
      throw new UsageError(`unknown command: ${first}`);
  }
}
