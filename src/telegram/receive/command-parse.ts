/** `/run@octopus_bot backup now` → { name: "run", mention: "octopus_bot", args: "backup now" }. Pure. */
export function parseCommand(text: string): { name: string; mention?: string; args: string } | undefined {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]+))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, name = "", mention, args = ""] = match;
  return { name: name.toLowerCase(), ...(mention ? { mention } : {}), args: args.trim() };
}
