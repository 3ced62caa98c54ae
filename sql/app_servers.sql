-- pgdeploy: application servers for a repmgr 4.x/5.x cluster.
-- The table lives in repmgr's own schema so that it replicates with the cluster.
--
--   psql -d repmgr -f app_servers.sql                 # schema "repmgr"
--   psql -d repmgr -v schema=other -f app_servers.sql # another schema
\if :{?schema}
\else
\set schema repmgr
\endif

CREATE TABLE IF NOT EXISTS :"schema".app_servers (
    node_id          integer PRIMARY KEY,
    node_name        text    NOT NULL UNIQUE,
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

COMMENT ON TABLE :"schema".app_servers IS 'PgBouncer hosts that pgdeploy points at the active primary';
COMMENT ON COLUMN :"schema".app_servers.config_dir IS 'directory of the generated <cluster>.ini fragment';
COMMENT ON COLUMN :"schema".app_servers.reload_command IS 'shell command run over SSH to reload PgBouncer; NULL: sudo -n service pgbouncer reload';
COMMENT ON COLUMN :"schema".app_servers.location IS 'repmgr location of this server; --ro-suffix prefers standbys there';
COMMENT ON COLUMN :"schema".app_servers.pgbouncer_ini IS 'PgBouncer''s main configuration file; pgdeploy doctor checks that it includes the fragment';
COMMENT ON COLUMN :"schema".app_servers.admin_conninfo IS 'libpq conninfo of the PgBouncer admin console; when set, RELOAD is sent there and verified';
COMMENT ON COLUMN :"schema".app_servers.delivery IS 'ssh: pushed by the database node; agent: pulled from etcd by pgdeploy agent on the server';
