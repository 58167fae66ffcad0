import type { Database } from "bun:sqlite";
import type { Config } from "../config/parse.ts";
import { resolveStateDir } from "../config/state-dir.ts";
import { plumeFromEnv } from "../features/plume/env.ts";
import { StorageError } from "../shared/errors.ts";
import type { Redactor } from "../shared/redact.ts";
import { createSecretBox, loadSecretKey, type SecretBox } from "../storage/crypto.ts";
import { openDb } from "../storage/db.ts";
import type { PlumeCredentials } from "../storage/plume-repo.ts";
import type { CliIo } from "./io.ts";
import { acquireLock, type Lock } from "./lock.ts";

/** What `run` and `console` open before the bot starts, and close after it stopped. */
export interface Runtime {
  stateDir: string;
  db: Database;
  secretBox: SecretBox;
  plumeServer?: PlumeCredentials;
  close(): void;
}

/**
 * Opens the state directory (locked to this process), the database and the secret key, and
 * reads the Plume server credentials. A problem is one clear line and exit code 2.
 */
export async function openRuntime(
  config: Config,
  env: Record<string, string | undefined>,
  redactor: Redactor,
  io: CliIo,
): Promise<Runtime | number> {
  const stateDir = resolveStateDir(config, env);
  const plume = plumeFromEnv(env);
  if (!plume.ok) {
    io.err(`octopus: ${plume.error}`);
    return 2;
  }
  redactor.add(env.OCTOPUS_SECRET_KEY);
  redactor.add(plume.value?.authHeader);
  let db: Database | undefined;
  let lock: Lock | undefined;
  try {
    db = openDb(stateDir);
    const taken = acquireLock(stateDir);
    if (!taken.ok) {
      db.close();
      io.err(
        `octopus: another octopus (pid ${taken.error.heldBy}) is using the state directory ${stateDir}; stop it first`,
      );
      return 2;
    }
    lock = taken.value;
    const secretBox = await createSecretBox(loadSecretKey(env.OCTOPUS_SECRET_KEY, stateDir));
    const opened = db;
    const held = lock;
    return {
      stateDir,
      db: opened,
      secretBox,
      ...(plume.value ? { plumeServer: plume.value } : {}),
      close() {
        opened.close();
        held.release();
      },
    };
  } catch (error) {
    db?.close();
    lock?.release();
    if (!(error instanceof StorageError)) throw error;
    io.err(`octopus: ${error.message}`);
    return 2;
  }
}
