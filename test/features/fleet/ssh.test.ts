import { describe, expect, test } from "bun:test";
import { destinationOf, failureOf, fleetPaths, sshArgs } from "../../../src/features/fleet/ssh.ts";

describe("ssh, as the hub calls it", () => {
  test.each([
    ["octopus@web1.example.com", { destination: "octopus@web1.example.com", port: "22" }],
    ["root@10.0.0.2:2222", { destination: "root@10.0.0.2", port: "2222" }],
  ])("%s", (ssh, expected) => {
    expect(destinationOf(ssh)).toEqual(expected);
  });

  test.each([
    [255, "Host key verification failed.\n", "host-key"],
    [255, "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@\n", "host-key"],
    [255, "ssh: connect to host 10.0.0.2 port 22: Connection refused\n", "unreachable"],
    [2, "octopus serve-ssh: not allowed: rm -rf /\n", "refused"],
  ] as const)("exit %p with %p is %p", (code, stderr, kind) => {
    expect(failureOf(code, stderr).kind).toBe(kind);
  });

  test("no shell, the host key pinned, one multiplexed connection, the command after --", () => {
    const paths = fleetPaths("/var/lib/octopus");
    const argv = sshArgs(
      { name: "web1", ssh: "octopus@web1:2222", timeout: 10_000, octopus: "/usr/local/bin/octopus" },
      paths,
      "status --json",
    );
    expect(argv).toContain("StrictHostKeyChecking=yes");
    expect(argv).toContain(`UserKnownHostsFile=${paths.knownHosts}`);
    expect(argv).toContain("ControlMaster=auto");
    expect(argv.slice(-4)).toEqual(["2222", "octopus@web1", "--", "status --json"]);
    // Under the state dir, never a name known in advance under /tmp.
    expect(argv).toContain("ControlPath=/var/lib/octopus/fleet/ctl/%C");
  });
});
