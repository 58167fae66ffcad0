import type { Clock } from "../../shared/clock.ts";
import type { Role } from "../feature.ts";

export interface Access {
  /** The user's role, or undefined: deny by default. */
  roleOf(userId: number): Role | undefined;
  /** True when this denied user should be told (at most once per hour per user). */
  shouldTellDenied(userId: number): boolean;
}

export function createAccess(
  lists: { admins: readonly number[]; viewers: readonly number[] },
  clock: Clock,
  /** Users who are admins whatever the lists say: the console's local user. */
  extraAdmins: readonly number[] = [],
): Access {
  const admins = new Set([...lists.admins, ...extraAdmins]);
  const viewers = new Set(lists.viewers);
  const lastTold = new Map<number, number>();
  return {
    roleOf: (id) => (admins.has(id) ? "admin" : viewers.has(id) ? "viewer" : undefined),
    shouldTellDenied(id) {
      const now = clock.now();
      const last = lastTold.get(id);
      if (last !== undefined && now - last < 3_600_000) return false;
      lastTold.set(id, now);
      if (lastTold.size > 10_000) lastTold.delete(lastTold.keys().next().value as number);
      return true;
    },
  };
}
