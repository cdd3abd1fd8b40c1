"""DuckDB store: schema, migrations, idempotent batch writes, read-only queries.

(Skeleton: the schema below is the contract between the analysis and the dashboard.)
"""

from __future__ import annotations

# Each entry migrates the schema from version i to i+1; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS articles (
        id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        outlet VARCHAR,
        date DATE,
        url VARCHAR,
        title VARCHAR,
        text VARCHAR NOT NULL,
        source VARCHAR,
        ingested_at TIMESTAMP NOT NULL,
        pipeline_version VARCHAR NOT NULL
    );
    CREATE TABLE IF NOT EXISTS quotes (
        id VARCHAR PRIMARY KEY,
        article_id VARCHAR NOT NULL,
        speaker VARCHAR NOT NULL,
        speaker_key VARCHAR NOT NULL,
        role VARCHAR,
        institution VARCHAR,
        institution_type VARCHAR,
        institution_known BOOLEAN NOT NULL DEFAULT TRUE,
        former BOOLEAN NOT NULL DEFAULT FALSE,
        quote VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        start_char INTEGER NOT NULL,
        end_char INTEGER NOT NULL,
        segments VARCHAR NOT NULL,
        stance INTEGER NOT NULL,
        score DOUBLE NOT NULL,
        confidence DOUBLE NOT NULL,
        evidence VARCHAR NOT NULL,
        on_target BOOLEAN NOT NULL,
        sentiment DOUBLE NOT NULL,
        pipeline_version VARCHAR NOT NULL
    );
    CREATE TABLE IF NOT EXISTS overrides (
        quote_id VARCHAR PRIMARY KEY,
        stance INTEGER NOT NULL,
        note VARCHAR,
        created_at TIMESTAMP NOT NULL
    );
    CREATE OR REPLACE VIEW quotes_effective AS
        SELECT q.*,
               q.stance AS model_stance,
               COALESCE(o.stance, q.stance) AS effective_stance,
               o.stance IS NOT NULL AS overridden,
               o.note AS override_note,
               a.outlet, a.date, a.url, a.title, a.name AS article_name
        FROM quotes q
        JOIN articles a ON a.id = q.article_id
        LEFT JOIN overrides o ON o.quote_id = q.id;
    """,
)
