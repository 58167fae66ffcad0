import { describe, expect, test } from "bun:test";
import { realMounts } from "../../src/system/mounts.ts";

const MOUNTS = `/dev/sda1 / ext4 rw,relatime 0 0
proc /proc proc rw,nosuid 0 0
sysfs /sys sysfs rw 0 0
tmpfs /run tmpfs rw 0 0
/dev/sda2 /var xfs rw 0 0
/dev/sda2 /srv/bind xfs rw 0 0
cgroup2 /sys/fs/cgroup cgroup2 rw 0 0
overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0
server:/export /mnt/nfs\\040share nfs4 rw 0 0
/dev/sdb1 /data ext4 rw 0 0
`;

describe("realMounts", () => {
  test("the root and real filesystems, once per device, never pseudo ones; escapes decoded", () => {
    expect(realMounts(MOUNTS)).toEqual([
      { name: "root", path: "/" },
      { name: "/data", path: "/data" },
      { name: "/mnt/nfs share", path: "/mnt/nfs share" },
      { name: "/var", path: "/var" },
    ]);
  });

  test("a root on overlay (a container) is still watched", () => {
    expect(realMounts("overlay / overlay rw 0 0\nproc /proc proc rw 0 0\n")).toEqual([
      { name: "root", path: "/" },
    ]);
  });
});
