# borderwatch application image: gunicorn serving webapp:create_app().
# Stage 1 installs the pages' JS/CSS libraries and fonts from the npm registry (package-lock.json
# pins them) as `make assets` does, and builds the service worker over the app's static files.
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/vendor-assets.sh scripts/build-sw.js scripts/
COPY webapp/static webapp/static
RUN bash scripts/vendor-assets.sh && node scripts/build-sw.js

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /app borderwatch
WORKDIR /app
COPY setup.cfg pyproject.toml README.md ./
COPY gis gis
COPY layers layers
COPY seeds seeds
COPY webapp webapp
COPY migrations migrations
# the role guides and their screenshots, served at /help
COPY docs docs
# Optional extras, e.g. "[analysis]" for the hotspot worker's Gi* statistics.
ARG EXTRAS=""
RUN pip install -e ".${EXTRAS}"
COPY --from=assets /src/webapp/static/vendor webapp/static/vendor
COPY --from=assets /src/webapp/static/sw webapp/static/sw
# the files of export jobs (EXPORT_DIR), written by the worker and sent by the app: a volume
# both services mount (docker-compose.yml), owned by the user they run as
RUN mkdir -p var/exports && chown borderwatch var/exports
USER borderwatch
EXPOSE 5000
CMD ["gunicorn", "--config", "webapp/gunicorn_conf.py", "--bind", "0.0.0.0:5000", "--workers", "3", "--threads", "4", "--access-logfile", "-", "webapp:create_app()"]
