# Pantau API: migrations, then uvicorn. PostgreSQL is chosen by PANTAU_DATABASE_URL; without it
# the image falls back to a SQLite file in the /data volume.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PANTAU_DATABASE_URL=sqlite:////data/pantau.db \
    PORT=8000

# A fixed numeric id, so volume permissions and `runAsNonRoot` checks know who runs.
RUN groupadd --system --gid 10001 pantau \
    && useradd --system --uid 10001 --gid pantau --home-dir /app --no-create-home pantau \
    && mkdir /data \
    && chown pantau:pantau /data

WORKDIR /app

# Dependencies first, pinned by constraints.txt, so a code change does not reinstall them.
COPY pyproject.toml constraints.txt README.md ./
COPY app/__init__.py app/__init__.py
RUN pip install --no-cache-dir -c constraints.txt -e .

# Editable, so alembic.ini and migrations/ sit beside the package, where `pantau migrate`
# looks for them.
COPY alembic.ini ./
COPY migrations migrations
COPY app app
COPY docker/entrypoint.sh /usr/local/bin/pantau-entrypoint

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]

ENTRYPOINT ["pantau-entrypoint"]
