/**
 * Pure: which chats an Alertmanager group goes to. Routes are tried in order; the first whose
 * `match` labels all equal the group's takes it (`continue: true` lets later ones add theirs,
 * as in Alertmanager's own routes); no match: the fallback (telegram.alert_chats).
 */

export interface AmRoute {
  match: Record<string, string>;
  chats: number[];
  continue: boolean;
}

export function chatsFor(
  labels: Record<string, string>,
  routes: readonly AmRoute[],
  fallback: readonly number[],
): number[] {
  const chats = new Set<number>();
  let matched = false;
  for (const r of routes) {
    if (!Object.entries(r.match).every(([k, v]) => labels[k] === v)) continue;
    matched = true;
    for (const c of r.chats) chats.add(c);
    if (!r.continue) break;
  }
  return matched ? [...chats] : [...fallback];
}
