#!/usr/bin/env bash
# Brings dudao up in production form on a fresh Debian 12 machine (docs/deploy.md). Run as root from a
# checkout of the repository:
#
#   sudo deploy/install.sh dudao.example.gov.cn          (or: sudo make production DOMAIN=dudao.example.gov.cn)
#
# It installs the Debian packages (Python, PostgreSQL, Redis, nginx, LibreOffice, CJK fonts, certbot), creates
# the system user dudao, copies the code to /opt/dudao, creates the database dudao (peer authentication over
# the local socket: no password), writes /etc/dudao/env from deploy/env.production.example and a secret key,
# runs deploy/setup.sh as dudao (venv, migrate, collectstatic, check), installs the systemd units (web, worker,
# beat, nightly backup) and the nginx site, starts everything and asks /healthz. Running it again upgrades
# (the code is copied again, migrations run, services restart): take a backup first (docs/deploy.md).
# Without a certificate in /etc/dudao/tls/ it makes a self-signed one so nginx starts: replace it (certbot or
# the county's own certificate, docs/deploy.md).
set -euo pipefail

DOMAIN=${1:?usage: sudo deploy/install.sh DOMAIN (the host name of the site, e.g. dudao.example.gov.cn)}
SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
APP_DIR=/opt/dudao
DATA_DIR=/var/lib/dudao
ETC_DIR=/etc/dudao
[ "$(id -u)" -eq 0 ] || { echo "run as root (sudo deploy/install.sh $DOMAIN)" >&2; exit 1; }
step() { printf '\n== %s\n' "$*"; }

step "Debian packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
  python3 python3-venv python3-dev build-essential git rsync openssl curl \
  postgresql postgresql-client redis-server nginx certbot \
  libreoffice-calc-nogui libreoffice-writer-nogui fonts-noto-cjk gettext >/dev/null
systemctl enable --now postgresql redis-server

step "user dudao, folders"
id dudao >/dev/null 2>&1 || adduser --system --group --home "$DATA_DIR" --shell /usr/sbin/nologin dudao
# nginx (www-data) reads the static files; the uploads and backups are dudao's alone
install -d -o dudao -g dudao -m 0755 "$DATA_DIR" "$DATA_DIR/static"
install -d -o dudao -g dudao -m 0750 "$DATA_DIR/media" /var/backups/dudao
install -d -o root -g dudao -m 0750 "$ETC_DIR" "$ETC_DIR/tls"

step "code in $APP_DIR"
if [ "$SRC_DIR" != "$APP_DIR" ]; then
  install -d -o dudao -g dudao "$APP_DIR"
  rsync -a --delete --exclude .venv --exclude var --exclude node_modules --chown=dudao:dudao "$SRC_DIR"/ "$APP_DIR"/
fi
git -C "$SRC_DIR" rev-parse HEAD >"$ETC_DIR/commit" 2>/dev/null || true

step "database dudao (PostgreSQL, peer authentication)"
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'dudao'" | grep -q 1 \
  || runuser -u postgres -- createuser dudao
runuser -u postgres -- psql -tAc "SELECT 1 FROM pg_database WHERE datname = 'dudao'" | grep -q 1 \
  || runuser -u postgres -- createdb --owner dudao --encoding UTF8 dudao
# the census import checks its new rows' foreign keys set-wise, with the per-row triggers off for its own
# transaction (docs/adr/0034-foreign-keys-checked-set-wise.md); without this grant it keeps the triggers
if [ "$(runuser -u postgres -- psql -tAc 'SHOW server_version_num')" -ge 150000 ]; then
  runuser -u postgres -- psql -qc "GRANT SET ON PARAMETER session_replication_role TO dudao"
fi

step "environment $ETC_DIR/env"
if [ ! -s "$ETC_DIR/secret_key" ]; then
  python3 -c 'import secrets; print(secrets.token_urlsafe(50))' >"$ETC_DIR/secret_key"
fi
if [ ! -f "$ETC_DIR/env" ]; then
  sed "s/dudao\.example\.gov\.cn/$DOMAIN/g" "$APP_DIR/deploy/env.production.example" >"$ETC_DIR/env"
  echo "DUDAO_COMMIT_FILE=$ETC_DIR/commit" >>"$ETC_DIR/env"
fi
chown root:dudao "$ETC_DIR/env" "$ETC_DIR/secret_key" "$ETC_DIR/commit" 2>/dev/null || true
chmod 0640 "$ETC_DIR/env" "$ETC_DIR/secret_key"

step "TLS certificate"
if [ ! -s "$ETC_DIR/tls/fullchain.pem" ]; then
  echo "no certificate in $ETC_DIR/tls/: a self-signed one for now (replace it: docs/deploy.md, TLS)"
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$DOMAIN" \
    -keyout "$ETC_DIR/tls/privkey.pem" -out "$ETC_DIR/tls/fullchain.pem" 2>/dev/null
  chmod 0640 "$ETC_DIR/tls/privkey.pem"
fi

step "set-up as dudao (deploy/setup.sh)"
runuser -u dudao -- env HOME="$DATA_DIR" DUDAO_ENV_FILE="$ETC_DIR/env" APP_DIR="$APP_DIR" "$APP_DIR/deploy/setup.sh"

step "systemd units, nginx"
install -m 0644 "$APP_DIR"/deploy/systemd/dudao-*.service "$APP_DIR"/deploy/systemd/dudao-*.timer /etc/systemd/system/
systemctl daemon-reload
systemctl enable dudao-web dudao-worker dudao-beat dudao-backup.timer
systemctl restart dudao-web dudao-worker dudao-beat
systemctl start dudao-backup.timer
sed "s/dudao\.example\.gov\.cn/$DOMAIN/g" "$APP_DIR/deploy/nginx/dudao.conf" >/etc/nginx/sites-available/dudao
ln -sf /etc/nginx/sites-available/dudao /etc/nginx/sites-enabled/dudao
rm -f /etc/nginx/sites-enabled/default
nginx -t
systemctl enable nginx
systemctl reload-or-restart nginx

step "health"
for _ in $(seq 1 30); do
  if curl -fsS http://127.0.0.1:8000/healthz; then
    echo
    echo "dudao is up: https://$DOMAIN/ — create the first administrator with:"
    echo "  sudo -u dudao sh -c 'set -a; . $ETC_DIR/env; exec $APP_DIR/.venv/bin/dudao createsuperuser'"
    exit 0
  fi
  sleep 2
done
echo "dudao did not answer /healthz: journalctl -u dudao-web -u dudao-worker" >&2
exit 1
