import type { PlumeNode } from "./schemas.ts";

/**
 * Pure: which node is the gateway. A node with an empty `leafToRoot` is a candidate, but a
 * disconnected pod has no parent chain either, so emptiness alone proves nothing: a
 * *connected* root is the gateway when it is the only one; among several, the one the other
 * data marks (network mode `router`, a speed test, which only the gateway runs). Ambiguous
 * data names no gateway: the verdict then rests on the summary and the pod counts.
 */

export const isConnected = (n: { connectionState?: string | null | undefined }) =>
  n.connectionState?.toLowerCase() === "connected";

const marked = (list: readonly PlumeNode[]) => {
  const found = list.filter((n) => n.networkMode?.toLowerCase() === "router" || n.speedTest);
  return found.length === 1 ? found[0] : undefined;
};

export function gatewayOf(nodes: readonly PlumeNode[]): PlumeNode | undefined {
  const roots = nodes.filter((n) => !n.leafToRoot?.length);
  const up = roots.filter(isConnected);
  if (up.length === 1) return up[0];
  if (up.length > 1) return marked(up);
  return roots.length === 1 ? roots[0] : marked(roots);
}
