/**
 * Pure: the environment a script gets. The parent's, minus anything that is or holds one of
 * the bot's secrets (the bot token, Plume credentials, the secret key), plus the script's
 * own `env` and the run variables.
 */

/** Variables a child never inherits, whatever their value. */
const SECRET_ENV =
  /^(TELEGRAM_(BOT_)?TOKEN|OCTOPUS_SECRET_KEY|OCTOPUS_ALERTMANAGER_TOKEN|PLUME_.*|CREDENTIALS_DIRECTORY)$/;

export function childEnv(
  parent: Record<string, string | undefined>,
  secrets: readonly string[],
  extra: Record<string, string>,
) {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(parent)) {
    if (value === undefined || SECRET_ENV.test(key) || secrets.includes(value)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}
