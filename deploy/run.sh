#!/usr/bin/env bash
# Starts one service of a deployment in the foreground (the systemd units call it; so does the CI test of
# the start-up, tests/ops/test_production.py):
#
#   deploy/run.sh web [gunicorn options]      gunicorn with deploy/gunicorn.conf.py (DUDAO_BIND, default 127.0.0.1:8000)
#   deploy/run.sh worker [celery options]     a Celery worker (DUDAO_WORKER_CONCURRENCY, default 2)
#   deploy/run.sh beat [celery options]       the schedule (one per deployment; its state in $DUDAO_DATA_DIR)
#
# The environment (DATABASE_URL, DUDAO_BROKER_URL …) comes from the caller: systemd's EnvironmentFile.
set -euo pipefail

APP_DIR=${APP_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
VENV=${VENV:-$APP_DIR/.venv}
cd "$APP_DIR"
service=${1:?usage: deploy/run.sh web|worker|beat [options]}
shift

case "$service" in
  web)
    exec "$VENV/bin/gunicorn" --config "$APP_DIR/deploy/gunicorn.conf.py" "$@" ;;
  worker)
    exec "$VENV/bin/celery" -A dudao worker --loglevel="${DUDAO_LOG_LEVEL:-INFO}" \
      --concurrency="${DUDAO_WORKER_CONCURRENCY:-2}" "$@" ;;
  beat)
    exec "$VENV/bin/celery" -A dudao beat --loglevel="${DUDAO_LOG_LEVEL:-INFO}" \
      --schedule="${DUDAO_DATA_DIR:-$APP_DIR/var}/celerybeat-schedule" "$@" ;;
  *)
    echo "unknown service: $service (web, worker or beat)" >&2
    exit 2 ;;
esac
