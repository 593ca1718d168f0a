# The database image of docker-compose.ha.yml: the image of docker-compose.yml (PostgreSQL 15,
# PostGIS 3.3, pgRouting) plus pg_auto_failover (pg_autoctl: the monitor and the keepers of the
# nodes) and pgBackRest (WAL archiving, point-in-time recovery), from the image's PostgreSQL apt
# repository. scripts/ha-node.sh creates the monitor or a node on first start, then runs it.
FROM postgis/postgis:15-3.3
RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15-pgrouting \
       postgresql-15-auto-failover pgbackrest \
    && rm -rf /var/lib/apt/lists/*
COPY ha-node.sh /usr/local/bin/ha-node.sh
RUN mkdir -p /var/lib/postgresql/pgaf && chown postgres:postgres /var/lib/postgresql/pgaf
USER postgres
ENV PGDATA=/var/lib/postgresql/pgaf/data
ENTRYPOINT ["/usr/local/bin/ha-node.sh"]
