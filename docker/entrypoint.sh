#!/bin/sh
# Container entrypoint: the first argument picks the role.
#   web      apply migrations, then gunicorn citymgmt.wsgi on :${PORT:-8000}
#   worker   Celery worker (prefork; scale with `docker compose up --scale worker=N`)
#   beat     install the schedules, then Celery beat with them in the database (run exactly one)
#   manage   python manage.py ARGS...   (e.g. `docker compose run --rm web manage createsuperuser`)
#   anything else is run as given.
# worker and beat wait until web has applied every migration, so a first start needs no ordering.
set -eu

cd /app

wait_for_migrations() {
    tries=0
    until python manage.py migrate --check >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -ge "${MIGRATION_WAIT_SECONDS:-300}" ]; then
            echo "entrypoint: migrations still unapplied after ${tries}s; is the web service up?" >&2
            python manage.py migrate --check
            exit 1
        fi
        [ "$tries" -eq 1 ] && echo "entrypoint: waiting for the web service to apply migrations..."
        sleep 1
    done
}

role="${1:-web}"
[ "$#" -gt 0 ] && shift

case "$role" in
    web)
        python manage.py migrate --noinput
        exec gunicorn citymgmt.wsgi:application \
            --bind "0.0.0.0:${PORT:-8000}" \
            --workers "${GUNICORN_WORKERS:-3}" \
            --timeout "${GUNICORN_TIMEOUT:-60}" \
            --worker-tmp-dir /dev/shm \
            --access-logfile - \
            --access-logformat '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss req=%({x-request-id}o)s' \
            --error-logfile - \
            "$@"
        ;;
    worker)
        wait_for_migrations
        exec celery -A citymgmt worker \
            --loglevel "${LOG_LEVEL:-INFO}" \
            --concurrency "${CELERY_CONCURRENCY:-2}" \
            "$@"
        ;;
    beat)
        wait_for_migrations
        # The periodic tasks of citymgmt/schedules.py; ones an admin edited are left alone.
        python manage.py install_schedules
        # No pid file: a stale one left in the container would stop beat from restarting.
        exec celery -A citymgmt beat \
            --loglevel "${LOG_LEVEL:-INFO}" \
            --scheduler django_celery_beat.schedulers:DatabaseScheduler \
            --schedule /tmp/celerybeat-schedule \
            "$@"
        ;;
    manage)
        exec python manage.py "$@"
        ;;
    *)
        exec "$role" "$@"
        ;;
esac
