#!/bin/sh
# Runs once, when the PostgreSQL data volume is new: one role and database
# for motionflow's read model and audit trail, one role with two databases
# for Temporal (history and visibility). Demo passwords: see docs/OPERATIONS.md.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE ROLE motionflow LOGIN PASSWORD 'motionflow';
CREATE DATABASE motionflow OWNER motionflow;
CREATE ROLE temporal LOGIN PASSWORD 'temporal';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
SQL
