# Production image: gunicorn serving config.wsgi, static files collected at build time and
# served by WhiteNoise. Migrations are a one-off command before the web containers start
# (docker-compose's "migrate" service), never part of their start: replicas would race.
#
#   docker build -t medborgarloften .
#   docker run --rm -e ... medborgarloften python manage.py migrate --noinput
#   docker run -e DJANGO_SECRET_KEY=... -e DJANGO_ALLOWED_HOSTS=example.org \
#              -e DATABASE_URL=postgres://user:pass@host:5432/db -p 8000:8000 medborgarloften
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    DJANGO_MEDIA_ROOT=/data/media

# Unprivileged runtime user. Numeric ids so that orchestrators enforcing "run as non-root"
# can verify it without reading /etc/passwd. A writable home, because gunicorn puts its
# control socket in ~/.gunicorn/.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Runtime dependencies only, exactly as locked (versions and hashes), in a layer of their
# own: a change to the code does not reinstall them.
COPY requirements.lock /app/requirements.lock
RUN pip install --require-hashes -r requirements.lock

# The whole source tree: the code plus templates/, static/ and locale/, which the settings
# read from BASE_DIR (= /app). Owned by root, so the app user cannot modify its own code.
COPY . /app

# The project itself, its dependencies being in place already. Remove the setuptools build
# leftovers from the tree.
RUN pip install --no-deps . \
    && rm -rf build ./*.egg-info

# The production settings refuse to load without a secret key, allowed hosts and a
# database and cache URL (collectstatic never connects to them); these
# throwaway values exist only for this command and are not kept in the image.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-secret \
    DJANGO_ALLOWED_HOSTS=localhost DATABASE_URL=sqlite:////tmp/build-only.sqlite3 \
    CACHE_URL=locmemcache:// \
    python manage.py collectstatic --noinput

# Uploaded files (mount a volume here); writable by the app user.
RUN install -d -o app -g app /data/media

USER 10001:10001

EXPOSE 8000

# No curl in the slim image; use Python. Send the first allowed host as the Host header so
# that the check also passes when DJANGO_ALLOWED_HOSTS does not list 127.0.0.1. Any non-2xx
# answer (503 when the database is down) raises, which exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = h if h and h != '*' else 'localhost'; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

# Only gunicorn: migrations run once, as the compose file's one-off `migrate` service, never
# in each web replica's start (replicas would race).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
