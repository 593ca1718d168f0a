# borderwatch application image: gunicorn serving webapp:create_app().
# Stage 1 installs the map's JS/CSS libraries from the npm registry (package-lock.json pins them).
FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

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
COPY --from=assets /src/node_modules/leaflet/dist/leaflet.js /src/node_modules/leaflet/dist/leaflet.css /src/node_modules/leaflet/LICENSE webapp/static/vendor/leaflet/
COPY --from=assets /src/node_modules/leaflet/dist/images webapp/static/vendor/leaflet/images
COPY --from=assets /src/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js /src/node_modules/leaflet.markercluster/dist/MarkerCluster.css /src/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css /src/node_modules/leaflet.markercluster/MIT-LICENCE.txt webapp/static/vendor/leaflet.markercluster/
USER borderwatch
EXPOSE 5000
CMD ["gunicorn", "--config", "webapp/gunicorn_conf.py", "--bind", "0.0.0.0:5000", "--workers", "3", "--threads", "4", "--access-logfile", "-", "webapp:create_app()"]
