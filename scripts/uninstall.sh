#!/bin/sh
# Removes the octopus service and binary. Keeps /etc/octopus and /var/lib/octopus.
set -eu
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  systemctl disable --now octopus 2>/dev/null || true
fi
rm -f "$DESTDIR/etc/systemd/system/octopus.service" "$DESTDIR$PREFIX/bin/octopus"
rm -rf "$DESTDIR$PREFIX/share/doc/octopus"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
echo "removed the service and $PREFIX/bin/octopus"
echo "kept /etc/octopus (config, env with the token) and /var/lib/octopus (database, run logs, secret.key)"
echo "remove them by hand if you no longer need them"
