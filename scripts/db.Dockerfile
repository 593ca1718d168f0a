# The database image of docker-compose.yml: PostgreSQL 15 with PostGIS 3.3 (the official PostGIS
# image) plus pgRouting, which orders patrol stops (pgr_TSPeuclidean; migration 0007 creates the
# extension). The image's PostgreSQL apt repository has the package for the same major version.
FROM postgis/postgis:15-3.3
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15-pgrouting \
    && rm -rf /var/lib/apt/lists/*
