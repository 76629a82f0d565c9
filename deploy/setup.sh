#!/usr/bin/env bash
# The part of the installation that needs no root (docs/deploy.md): the virtual environment with dudao and
# its production extras, the database's migrations, the static files, and a check of the result.
# install.sh runs it as the dudao user; tests/ops/test_production.py runs it as it is, against PostgreSQL.
#
#   deploy/setup.sh                    with the environment already set (DATABASE_URL, DJANGO_SECRET_KEY …)
#   DUDAO_ENV_FILE=/etc/dudao/env deploy/setup.sh     reads the environment from that file first
#
# APP_DIR (default: this checkout), VENV (default: $APP_DIR/.venv) and PYTHON (default: python3) may be set.
# Running it again upgrades in place: the same steps, migrations first on a copy (docs/deploy.md, upgrades).
set -euo pipefail

APP_DIR=${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
VENV=${VENV:-$APP_DIR/.venv}
PYTHON=${PYTHON:-python3}
if [ -n "${DUDAO_ENV_FILE:-}" ]; then
  set -a
  # shellcheck disable=SC1090
  . "$DUDAO_ENV_FILE"
  set +a
fi
cd "$APP_DIR"

step() { printf '== %s\n' "$*"; }

step "virtual environment $VENV"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e ".[production]"

step "configuration check"
"$VENV/bin/dudao" check --deploy --fail-level ERROR

step "database migrations"
"$VENV/bin/dudao" migrate --noinput

step "static files"
"$VENV/bin/dudao" collectstatic --noinput -v 0

step "state"
"$VENV/bin/dudao" status
