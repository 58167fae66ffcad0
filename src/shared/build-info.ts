/** Version and commit, baked in by `make build` (--define); "dev" when run from source. */
export const buildInfo = {
  version: typeof OCTOPUS_VERSION === "string" ? OCTOPUS_VERSION : "0.1.0-dev",
  commit: typeof OCTOPUS_COMMIT === "string" ? OCTOPUS_COMMIT : "source",
} as const;
