#!/bin/sh
# Sets up, or upgrades, the Temporal server's schema in the databases
# temporal and temporal_visibility (created by postgres/init-databases.sh).
# Both steps are idempotent: run it again after changing TEMPORAL_VERSION.
set -eu
schema=/etc/temporal/schema/postgresql/v12
for db in temporal:temporal visibility:temporal_visibility; do
  dir=${db%%:*} name=${db#*:}
  temporal-sql-tool --plugin "$SQL_PLUGIN" --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" --pw "$SQL_PASSWORD" \
    --db "$name" setup-schema -v 0.0 || true  # fails harmlessly when the schema exists
  temporal-sql-tool --plugin "$SQL_PLUGIN" --ep "$SQL_HOST" -p "$SQL_PORT" -u "$SQL_USER" --pw "$SQL_PASSWORD" \
    --db "$name" update-schema -d "$schema/$dir/versioned"
done
