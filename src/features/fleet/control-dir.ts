import { lstatSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { errorMessage } from "../../shared/errors.ts";
import { err, ok, type Result } from "../../shared/result.ts";

/**
 * Where ssh keeps the hub's multiplexing sockets. Whoever controls that folder controls every
 * fleet call (a socket planted there is a master the hub talks through), so it is a folder
 * only this user can reach: under the state dir, checked before each call, refused if it is a
 * symlink, not ours or open to others. A predictable name under /tmp is never used.
 */

/** sun_path holds 108 bytes with its NUL. */
const SOCKET_PATH_MAX = 107;
/** `/` + `%C` (40 hex) + the `.` and 16 random characters ssh adds while it binds. */
const SOCKET_NAME = 1 + 40 + 1 + 16;

/** Whether sockets made in `dir` fit a unix socket's path limit (pure). */
export const fitsSocket = (dir: string) => Buffer.byteLength(dir) + SOCKET_NAME <= SOCKET_PATH_MAX;

/** Why `dir` is not a private folder of user `uid`, or undefined if it is. */
export function privateDirProblem(dir: string, uid: number): string | undefined {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(dir);
  } catch (error) {
    return errorMessage(error);
  }
  if (st.isSymbolicLink()) return "it is a symlink";
  if (!st.isDirectory()) return "it is not a folder";
  if (st.uid !== uid) return `it belongs to uid ${st.uid}, not to this user (uid ${uid})`;
  if (st.mode & 0o077)
    return `its mode is ${(st.mode & 0o777).toString(8).padStart(4, "0")}: others could reach it (chmod 700)`;
  return undefined;
}

/**
 * The control folder to use: `preferred` (made 0700 if missing), or where its sockets' paths
 * would be too long, a fresh private folder made with mkdtemp (never a name known in advance).
 */
export function prepareControlDir(
  preferred: string,
  uid = process.getuid?.() ?? 0,
  tmp = tmpdir(),
): Result<string, string> {
  let dir = preferred;
  try {
    if (fitsSocket(preferred)) {
      mkdirSync(dirname(preferred), { recursive: true, mode: 0o700 });
      mkdirSync(preferred, { recursive: true, mode: 0o700 });
    } else {
      const base = fitsSocket(join(tmp, "octopus-ssh-XXXXXX")) ? tmp : "/tmp";
      dir = mkdtempSync(join(base, "octopus-ssh-"));
    }
  } catch (error) {
    return err(`cannot make the ssh control folder ${dir}: ${errorMessage(error)}`);
  }
  return checkControlDir(dir, uid);
}

/** `dir` if it is still private to `uid`, else why the hub refuses it. */
export function checkControlDir(dir: string, uid = process.getuid?.() ?? 0): Result<string, string> {
  const problem = privateDirProblem(dir, uid);
  return problem ? err(`refusing the ssh control folder ${dir}: ${problem}`) : ok(dir);
}
