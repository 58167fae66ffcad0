#!/bin/sh
# Installs octopus as a systemd service. Used by `make install` and by the dist tarball.
#   BINARY=path/to/octopus PREFIX=/usr/local DESTDIR= ./scripts/install.sh
# With DESTDIR set nothing outside DESTDIR is touched (no user, no systemctl): for
# packagers and tests. An existing config or env file is never overwritten.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# In the tarball the binary sits next to this script; in the repository under dist/.
if [ -x "$here/octopus" ]; then default_binary=$here/octopus; else default_binary=$here/../dist/octopus; fi
BINARY=${BINARY:-$default_binary}
PREFIX=${PREFIX:-/usr/local}
DESTDIR=${DESTDIR:-}
# In the repository the examples live in config/; in the tarball next to this script.
CONFIG_SRC=${CONFIG_SRC:-$here/../config}
[ -f "$CONFIG_SRC/config.install.yaml" ] || CONFIG_SRC=$here
# The operator's docs: docs/ and README.md in the repository, doc/ in the tarball.
if [ -f "$here/../docs/OPERATIONS.md" ]; then DOC_SRC="$here/../docs $here/../README.md"; else DOC_SRC=$here/doc; fi
UNIT_IN=${UNIT_IN:-$here/systemd/octopus.service.in}
[ -f "$UNIT_IN" ] || UNIT_IN=$here/octopus.service.in

[ -x "$BINARY" ] || { echo "install: $BINARY is missing: run 'make build' first" >&2; exit 1; }

bindir=$DESTDIR$PREFIX/bin
etc=$DESTDIR/etc/octopus
unitdir=$DESTDIR/etc/systemd/system

install -d -m 0755 "$bindir" "$unitdir"
install -d -m 0750 "$etc"
install -m 0755 "$BINARY" "$bindir/octopus"
echo "installed $PREFIX/bin/octopus"

if [ -e "$etc/config.yaml" ]; then
  echo "kept the existing /etc/octopus/config.yaml"
else
  # The short config that uses the example scripts copied here (the full reference,
  # `octopus example-config`, names /bin/df and /usr/bin/top: not on every server).
  install -d -m 0750 "$etc/scripts"
  for s in "$CONFIG_SRC"/scripts/*; do [ -f "$s" ] && install -m 0755 "$s" "$etc/scripts/"; done
  install -m 0640 "$CONFIG_SRC/config.install.yaml" "$etc/config.yaml"
  echo "created /etc/octopus/config.yaml (scripts: health, count): set telegram.admins"
fi

if [ -e "$etc/octopus.env" ]; then
  echo "kept the existing /etc/octopus/octopus.env"
else
  umask 077
  printf '%s\n' "# Secrets for octopus (mode 0600). Get a token from @BotFather." "TELEGRAM_TOKEN=" \
    "# OCTOPUS_SECRET_KEY=   # base64 of 32 bytes: openssl rand -base64 32" \
    "# PLUME_SSO_URL=" "# PLUME_AUTH_HEADER=" "# PLUME_PARTNER_ID=" "# PLUME_API_BASE=" >"$etc/octopus.env"
  chmod 0600 "$etc/octopus.env"
  echo "created /etc/octopus/octopus.env (0600): put TELEGRAM_TOKEN there"
fi

docdir=$DESTDIR$PREFIX/share/doc/octopus
install -d -m 0755 "$docdir"
for d in $DOC_SRC; do
  if [ -d "$d" ]; then for f in "$d"/*.md; do [ -f "$f" ] && install -m 0644 "$f" "$docdir/"; done
  elif [ -f "$d" ]; then install -m 0644 "$d" "$docdir/"; fi
done
echo "installed the docs in $PREFIX/share/doc/octopus (systemctl help octopus)"

sed -e "s|@BINDIR@|$PREFIX/bin|g" -e "s|@DOCDIR@|$PREFIX/share/doc/octopus|g" "$UNIT_IN" >"$unitdir/octopus.service"
chmod 0644 "$unitdir/octopus.service"
echo "installed /etc/systemd/system/octopus.service"

# Whether the service can start, judged by the installed binary itself (a valid config, a
# token, an admin who is not the example's): exit 0 ready, 3 not yet, 2 config problems.
# Anything else (a binary for another architecture under DESTDIR): it could not tell.
ready=unknown
check_rc=0
check_out=$("$bindir/octopus" check-config --service "$etc/octopus.env" "$etc/config.yaml" 2>&1) || check_rc=$?
case $check_rc in
  0) case $check_out in *"The service can start"*) ready=yes;; esac ;;
  2|3) ready=no ;;
esac
if [ "$ready" = unknown ]; then
  echo "could not run $PREFIX/bin/octopus here to check the config (exit $check_rc)"
else
  printf '%s\n' "$check_out"
fi

if [ -n "$DESTDIR" ]; then
  echo "DESTDIR set: no user created, systemd not touched."
  case $ready in
    yes) echo "the service is ready to start" ;;
    no) echo "the service could not start yet: see above" ;;
    *) echo "on the target: octopus check-config --service /etc/octopus/octopus.env /etc/octopus/config.yaml" ;;
  esac
  exit 0
fi

if ! id octopus >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/octopus --no-create-home --shell /usr/sbin/nologin octopus
  echo "created the system user octopus"
fi
chgrp -R octopus /etc/octopus
chmod 0640 /etc/octopus/config.yaml

if [ ! -d /run/systemd/system ]; then
  echo "systemd is not running here. When it is:"
  echo "  systemctl daemon-reload && systemctl enable --now octopus"
  echo "  journalctl -u octopus -f"
  exit 0
fi

systemctl daemon-reload
systemctl enable octopus >/dev/null 2>&1 || true
# An upgrade: the running bot still executes the binary it started from until it is restarted.
old_pid=$(systemctl show -p MainPID --value octopus 2>/dev/null || echo 0)
[ -n "$old_pid" ] || old_pid=0
if [ "$ready" != yes ]; then
  if [ "$old_pid" != 0 ]; then
    echo "NOT restarted: octopus is still running the previous binary (PID $old_pid), because"
    echo "the new one could not start with this setup (above). Fix it, then: systemctl restart octopus"
  else
    echo "installed and enabled, NOT started: it cannot work yet (above). Then:"
    echo "  octopus check-config --service /etc/octopus/octopus.env /etc/octopus/config.yaml"
    echo "  systemctl start octopus && journalctl -u octopus -f"
  fi
  exit 0
fi

since=$(date '+%Y-%m-%d %H:%M:%S')
if [ "$old_pid" != 0 ]; then
  systemctl restart octopus
else
  systemctl start octopus
fi
# Ready is what the bot itself says: its "connected to the Bot API" line in the journal
# (systemctl returns as soon as the process is forked, before the token is even tried).
state=waiting
i=0
while [ $i -lt 30 ]; do
  if journalctl -u octopus --since "$since" -o cat --no-pager 2>/dev/null | grep -q 'connected to the Bot API'; then
    state=connected; break
  fi
  if ! systemctl is-active --quiet octopus; then state=failed; break; fi
  sleep 0.5
  i=$((i + 1))
done
new_pid=$(systemctl show -p MainPID --value octopus 2>/dev/null || echo 0)
version=$("$bindir/octopus" --version 2>/dev/null || echo octopus)
case $state in
  connected)
    if [ "$old_pid" != 0 ]; then echo "restarted: $version now runs as PID $new_pid (was PID $old_pid), connected to Telegram"
    else echo "started: $version runs as PID $new_pid, connected to Telegram"; fi ;;
  failed)
    echo "install: octopus did not stay up; its last lines:" >&2
    journalctl -u octopus --since "$since" -o cat --no-pager -n 15 >&2 || true
    exit 1 ;;
  *)
    echo "started: $version runs as PID $new_pid, but has not reached Telegram in 15 s (network, token?)"
    echo "  journalctl -u octopus -f" ;;
esac
echo "logs: journalctl -u octopus -f"
