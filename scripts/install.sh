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

# A service without a token or with the example admin cannot work: install it, but start it
# only when both are set, and say what is missing.
missing=""
grep -Eq '^(TELEGRAM_TOKEN|TELEGRAM_BOT_TOKEN)=[^[:space:]#]+' "$etc/octopus.env" || missing="$missing token"
# `admins: [1, 2]` or a block list on the next line; 123456789 is the example's placeholder.
admins=$(grep -EA1 '^[[:space:]]*admins:' "$etc/config.yaml" 2>/dev/null || true)
if ! printf '%s' "$admins" | grep -Eq '[0-9]{3,}' || printf '%s' "$admins" | grep -q '123456789'; then
  missing="$missing admin"
fi

# The config as the installed binary reads it: a problem is said now, not at the first start.
if [ -z "$DESTDIR" ]; then
  if "$bindir/octopus" check-config "$etc/config.yaml"; then :; else
    echo "install: /etc/octopus/config.yaml has the problems above: fix them, then systemctl restart octopus" >&2
    missing="$missing valid-config"
  fi
fi

if [ -n "$DESTDIR" ]; then
  echo "DESTDIR set: no user created, systemd not touched."
  if [ -n "$missing" ]; then echo "the service could not start yet: missing$missing"; else echo "the service is ready to start"; fi
  exit 0
fi

if ! id octopus >/dev/null 2>&1; then
  useradd --system --home-dir /var/lib/octopus --no-create-home --shell /usr/sbin/nologin octopus
  echo "created the system user octopus"
fi
chgrp -R octopus /etc/octopus
chmod 0640 /etc/octopus/config.yaml

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ -n "$missing" ]; then
    systemctl enable octopus >/dev/null 2>&1 || true
    echo "installed and enabled, NOT started: it cannot work yet. Next:"
    case "$missing" in *token*) echo "  - put TELEGRAM_TOKEN=<token from @BotFather> in /etc/octopus/octopus.env";; esac
    case "$missing" in *valid-config*) echo "  - fix /etc/octopus/config.yaml (octopus check-config names each problem and its line)";; esac
    case "$missing" in *admin*) echo "  - set telegram.admins in /etc/octopus/config.yaml to your Telegram user id (the bot tells strangers their id)";; esac
    echo "  - octopus check-config /etc/octopus/config.yaml"
    echo "  - systemctl start octopus && journalctl -u octopus -f"
    exit 0
  fi
  systemctl enable --now octopus
  systemctl --no-pager status octopus || true
  echo "logs: journalctl -u octopus -f"
else
  echo "systemd is not running here. When it is:"
  echo "  systemctl daemon-reload && systemctl enable --now octopus"
  echo "  journalctl -u octopus -f"
fi
