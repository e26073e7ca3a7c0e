#!/bin/sh
# Run once by the postgres image when its data folder is new (deploy/compose.yaml): the owner of
# the schema, the role the application connects as, and the database (docs/deploy.md, security.md).
set -eu
psql -v ON_ERROR_STOP=1 --username postgres \
  -v owner_password="$ASSESS_OWNER_PASSWORD" -v app_password="$ASSESS_APP_PASSWORD" <<'SQL'
CREATE ROLE assess_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE assess_app LOGIN PASSWORD :'app_password';
CREATE DATABASE assess OWNER assess_owner;
\connect assess
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO assess_owner;
SQL
