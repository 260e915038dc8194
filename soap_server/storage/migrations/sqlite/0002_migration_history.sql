-- Schema 2: the history of migrations (which version, when), beside meta's schema_version.
CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
