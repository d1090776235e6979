# syntax=docker/dockerfile:1
# citymgmt production image: one image for web (gunicorn), worker and beat (Celery).
# See docker-compose.yml; docker/entrypoint.sh picks the role: web | worker | beat | manage ...
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=citymgmt.settings \
    DJANGO_DEBUG=0 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    CITYMGMT_VAR_DIR=/data/var \
    TIME_ZONE=Asia/Shanghai

# tzdata: zoneinfo for TIME_ZONE; gettext: compilemessages below. The Python dependencies ship
# binary wheels (psycopg[binary], shapely with GEOS, Pillow): no compiler needed.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tzdata gettext \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 citymgmt \
    && useradd --system --uid 10001 --gid citymgmt --create-home --home-dir /home/citymgmt \
        --shell /usr/sbin/nologin citymgmt

WORKDIR /app

# Dependencies first (cached until pyproject.toml changes), then the project itself.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# PYTHONPATH=/app keeps the source tree (with its templates, static and locale files) first on
# the path; the install adds the distribution metadata and nothing that shadows it.
# The settings refuse to load with DJANGO_DEBUG=0 and no SECRET_KEY: give these build steps a
# dummy one, exported inside this RUN only (it is not kept in the image).
RUN pip install --no-deps . \
    && chmod 0755 docker/entrypoint.sh \
    && export DJANGO_DEBUG=0 SECRET_KEY=build-time-dummy-not-used-at-runtime \
    && python manage.py compilemessages --ignore=static --ignore=staticfiles \
    && python manage.py collectstatic --noinput \
    && mkdir -p /data/media /data/var \
    && chown -R citymgmt:citymgmt /data

USER citymgmt
# MEDIA_ROOT: mount a volume here (docker-compose.yml does); it starts out owned by citymgmt.
VOLUME ["/data/media"]
EXPOSE 8000

ENTRYPOINT ["/app/docker/entrypoint.sh"]
CMD ["web"]
