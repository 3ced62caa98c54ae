-- pgdeploy: upgrade an app_servers table created for the original agent.
-- Adds the optional columns; existing rows keep working with the defaults.
-- Safe to run more than once.
--
--   psql -d repmgr -f upgrade_app_servers.sql                      # repmgr 4.x/5.x
--   psql -d repmgr -v schema=repmgr_main -f upgrade_app_servers.sql # repmgr 1.x-3.x
\if :{?schema}
\else
\set schema repmgr
\endif

ALTER TABLE :"schema".app_servers
    ADD COLUMN IF NOT EXISTS ssh_port       integer NOT NULL DEFAULT 22 CHECK (ssh_port BETWEEN 1 AND 65535),
    ADD COLUMN IF NOT EXISTS config_dir     text    NOT NULL DEFAULT '/etc/pgbouncer/databases' CHECK (config_dir LIKE '/%'),
    ADD COLUMN IF NOT EXISTS reload_command text,
    ADD COLUMN IF NOT EXISTS admin_conninfo text,
    ADD COLUMN IF NOT EXISTS location       text,
    ADD COLUMN IF NOT EXISTS pgbouncer_ini  text    NOT NULL DEFAULT '/etc/pgbouncer/pgbouncer.ini' CHECK (pgbouncer_ini LIKE '/%'),
    ADD COLUMN IF NOT EXISTS delivery       text    NOT NULL DEFAULT 'ssh' CHECK (delivery IN ('ssh', 'agent'));
