/**
 * The command-safe form of a script name: lower case, a-z 0-9 _ - only (any other run of
 * characters becomes one "_"), at most 32 characters. `Disk Report` → `disk_report`. A name
 * with nothing usable (all punctuation or another script) becomes `script_<list>_<n>`.
 */
export function commandName(name: string, key: string, index: number): string {
  const safe = name
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 32)
    .replace(/_+$/, "");
  return safe || `script_${key === "long_running_scripts" ? "long" : "once"}_${index + 1}`;
}
