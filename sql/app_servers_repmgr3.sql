-- pgdeploy: application servers for a repmgr 1.x-3.x cluster, whose metadata
-- lives in schema repmgr_<cluster>. Columns follow that layout's spelling (id, name).
--
--   psql -d repmgr -v schema=repmgr_main -f app_servers_repmgr3.sql
-- (-v schema, as the other scripts take it; -v cluster=main is still read as repmgr_main.)
\if :{?schema}
\elif :{?cluster}
\set schema 'repmgr_' :cluster
\else
\echo 'usage: psql -v schema=repmgr_CLUSTER -f app_servers_repmgr3.sql'
\quit
\endif

CREATE TABLE IF NOT EXISTS :"schema".app_servers (
    id               integer PRIMARY KEY,
    name             text    NOT NULL UNIQUE,
    ip_addr          text    NOT NULL,
    username         text    NOT NULL DEFAULT 'postgres',
    application_name text    NOT NULL DEFAULT '',
    enabled          boolean NOT NULL DEFAULT true,
    auth_trust       boolean NOT NULL DEFAULT false,
    ssh_port         integer NOT NULL DEFAULT 22 CHECK (ssh_port BETWEEN 1 AND 65535),
    config_dir       text    NOT NULL DEFAULT '/etc/pgbouncer/databases' CHECK (config_dir LIKE '/%'),
    reload_command   text,
    admin_conninfo   text,
    location         text,
    pgbouncer_ini    text    NOT NULL DEFAULT '/etc/pgbouncer/pgbouncer.ini' CHECK (pgbouncer_ini LIKE '/%'),
    delivery         text    NOT NULL DEFAULT 'ssh' CHECK (delivery IN ('ssh', 'agent'))
);
