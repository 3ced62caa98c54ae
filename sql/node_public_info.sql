-- pgdeploy: public addresses of the database nodes, used with --public-net when
-- application servers reach the primary through another network than repmgr does.
-- Only host (or hostaddr) and port of conninfo are used.
--
--   psql -d repmgr -f node_public_info.sql                      # repmgr 4.x/5.x
--   psql -d repmgr -v schema=repmgr_main -f node_public_info.sql # repmgr 1.x-3.x
\if :{?schema}
\else
\set schema repmgr
\endif

CREATE TABLE IF NOT EXISTS :"schema".node_public_info (
    node_id  integer PRIMARY KEY,
    conninfo text    NOT NULL
);
