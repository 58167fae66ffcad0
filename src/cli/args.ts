import { UsageError } from "../shared/errors.ts";

export type Command =
  | { name: "run"; config?: string }
  | { name: "console"; config?: string }
  /** `service`: also say whether the unit could start with this env file (the installer asks). */
  | { name: "check-config"; file?: string; service?: string }
  | { name: "status"; json: boolean; config?: string }
  | { name: "example-config" }
  /** Hidden: the chart renderer the bot runs as a child (SVG on stdin, PNG on stdout). */
  | { name: "render-chart" }
  /** The forced command of a fleet hub's key: answers what SSH_ORIGINAL_COMMAND asks, if allowed. */
  | { name: "serve-ssh"; config?: string }
  | { name: "fleet"; action: "key" | "authorize" | "trust"; server?: string; config?: string }
  | { name: "version" }
  | { name: "help" };

export const USAGE = `Usage: octopus [command] [-c FILE]

Commands:
  run                  start the bot (default; with no TELEGRAM_TOKEN on a terminal: the console)
  console              chat with the bot in this terminal, through the built-in local Bot API
  check-config [FILE]  validate the config and say which file was used
    --service ENVFILE  also say whether the systemd unit can start with it and this env
                       file (a token, a real admin); exit 3 when it cannot yet
  status [--json]      print the server status; exit 1 if a disk is over its critical threshold
                       (works without a config: the root and every real mounted filesystem)
  example-config       print the commented reference config (octopus example-config > config.yaml)
  fleet key            create this hub's ssh key for its servers (state directory)
  fleet authorize [NAME]  print the authorized_keys line a server gives this hub's key
                       (with NAME: that server's \`octopus\` path from servers:)
  fleet trust NAME     record a server's host key after showing its fingerprint
  serve-ssh            the forced command of that line (on a server; not run by hand)
  --version            print the version and git commit
  --help               this text

Options:
  -c, --config FILE    the config file. Without it: $CONFIG_FILE, else the first of ./config.yaml,
                       ./config/config.yaml and /etc/octopus/config.yaml

Environment:
  CONFIG_FILE          config path (see -c)
  TELEGRAM_TOKEN       bot token (TELEGRAM_BOT_TOKEN is accepted too)
  TELEGRAM_API_URL     Bot API root (default https://api.telegram.org)
  OCTOPUS_STATE_DIR    state directory (else $STATE_DIRECTORY under systemd, else ./data)
  OCTOPUS_SECRET_KEY   base64 AES-256 key for secrets at rest (else <state>/secret.key)
  PLUME_SSO_URL        Plume SSO token URL, with PLUME_AUTH_HEADER (Basic …) and
  PLUME_AUTH_HEADER    PLUME_PARTNER_ID: the server's Plume credentials, used by every chat
  PLUME_PARTNER_ID     user who has not run /auth
  PLUME_API_BASE       Plume API base (default: plume.api_base, else the gamma cloud)
  CREDENTIALS_DIRECTORY  set by systemd (LoadCredential=): octopus.env there holds the
                       variables above, so they never sit in the process environment

Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error,
3 (check-config --service) a valid config the service cannot start with yet.`;

/** Takes `-c FILE`, `--config FILE` or `--config=FILE` out of the arguments. */
function takeConfig(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "-c" || a === "--config") {
      const file = args[i + 1];
      if (!file || file.startsWith("-")) throw new UsageError(`${a} needs a FILE`);
      args.splice(i, 2);
      return file;
    }
    if (a.startsWith("--config=")) {
      args.splice(i, 1);
      const file = a.slice("--config=".length);
      if (!file) throw new UsageError("--config= needs a FILE");
      return file;
    }
  }
  return undefined;
}

/** Parses argv (without the executable and script) into a command, or throws UsageError. */
export function parseArgs(argv: readonly string[]): Command {
  const args = [...argv];
  const config = takeConfig(args);
  const withConfig = config ? { config } : {};
  // `octopus -c FILE` alone runs the bot, as `octopus` does.
  const [first, ...rest] = args;
  const noMore = (name: string) => {
    if (rest.length) throw new UsageError(`${name} takes no arguments (got: ${rest.join(" ")})`);
  };
  switch (first) {
    case undefined:
    case "run":
      noMore("run");
      return { name: "run", ...withConfig };
    case "console":
      noMore("console");
      return { name: "console", ...withConfig };
    case "check-config": {
      const at = rest.indexOf("--service");
      let service: string | undefined;
      if (at >= 0) {
        service = rest[at + 1];
        if (!service || service.startsWith("-")) throw new UsageError("--service needs the env file");
        rest.splice(at, 2);
      }
      if (rest.length > 1) throw new UsageError("check-config takes at most one FILE");
      const file = rest[0];
      if (file?.startsWith("-")) throw new UsageError(`unknown option ${file}`);
      if (file && config) throw new UsageError("check-config takes FILE or -c FILE, not both");
      const chosen = file ?? config;
      return { name: "check-config", ...(chosen ? { file: chosen } : {}), ...(service ? { service } : {}) };
    }
    case "status": {
      const unknown = rest.filter((a) => a !== "--json");
      if (unknown.length) throw new UsageError(`status: unknown argument ${unknown[0]}`);
      return { name: "status", json: rest.includes("--json"), ...withConfig };
    }
    case "example-config":
      noMore("example-config");
      return { name: "example-config" };
    case "render-chart":
      noMore("render-chart");
      return { name: "render-chart" };
    case "serve-ssh":
      noMore("serve-ssh");
      return { name: "serve-ssh", ...withConfig };
    case "fleet": {
      const [action, server, ...more] = rest;
      if ((action === "trust" || action === "authorize") && server && !more.length)
        return { name: "fleet", action, server, ...withConfig };
      if ((action === "key" || action === "authorize") && !server)
        return { name: "fleet", action, ...withConfig };
      throw new UsageError("fleet: key | authorize [NAME] | trust NAME");
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
