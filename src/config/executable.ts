import { accessSync, closeSync, constants, openSync, readSync, statSync } from "node:fs";

/**
 * The one check that a configured script can be started: it exists, is a regular file, is
 * executable, and is something the kernel can run (a `#!` line or an ELF binary). Used by
 * check-config (at load) and by the runner (at start, in case the file changed since).
 * Returns why not, in words an operator can act on, or undefined when it can run.
 */
export function executableProblem(path: string): string | undefined {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    return `no such file: ${path}`;
  }
  if (!stat.isFile()) return `not a regular file: ${path}`;
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return `not executable (chmod +x ${path})`;
  }
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    readSync(fd, head, 0, 4, 0);
  } catch {
    return `cannot be read: ${path}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const shebang = head[0] === 0x23 && head[1] === 0x21;
  const elf = head[0] === 0x7f && head.subarray(1, 4).toString("latin1") === "ELF";
  if (!shebang && !elf)
    return `the kernel cannot run ${path}: it has no #! line and is not a binary (add a first line such as #!/bin/sh)`;
  return undefined;
}
