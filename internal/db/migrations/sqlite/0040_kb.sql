-- +goose Up
-- The knowledge base: categories (one level of nesting), articles with a
-- translation per language, their revisions, the plans an article is
-- limited to, and how articles are used on tickets.
CREATE TABLE kb_categories (
    id         INTEGER PRIMARY KEY,
    parent_id  BIGINT REFERENCES kb_categories (id),
    position   INTEGER NOT NULL DEFAULT 0,
    name_en    TEXT NOT NULL DEFAULT '',
    name_ru    TEXT NOT NULL DEFAULT '',
    name_lv    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX kb_categories_parent ON kb_categories (parent_id, position);

CREATE TABLE kb_articles (
    id           INTEGER PRIMARY KEY,
    category_id  BIGINT REFERENCES kb_categories (id),
    visibility   TEXT NOT NULL,
    plan_limited BOOLEAN NOT NULL DEFAULT FALSE,
    position     INTEGER NOT NULL DEFAULT 0,
    views        BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL DEFAULT 1,
    created_by   BIGINT REFERENCES agents (id),
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX kb_articles_category ON kb_articles (category_id, position, id);
CREATE INDEX kb_articles_position ON kb_articles (position, id);

-- A plan-limited article with no plan left (its plans were deleted) is
-- shown to no customer: plan_limited keeps it from becoming unlimited.
CREATE TABLE kb_article_plans (
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    plan_id    BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, plan_id)
);
CREATE INDEX kb_article_plans_plan ON kb_article_plans (plan_id);

-- One translation of an article: the published text (title, body) and a
-- pending draft beside it. title_key and draft_key are the titles
-- lower-cased in Go (SQLite folds only ASCII).
CREATE TABLE kb_translations (
    article_id   BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    language     TEXT NOT NULL,
    slug         TEXT NOT NULL UNIQUE,
    title        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    title_key    TEXT NOT NULL DEFAULT '',
    published_at TIMESTAMP,
    published_by BIGINT REFERENCES agents (id),
    has_draft    BOOLEAN NOT NULL DEFAULT FALSE,
    draft_title  TEXT NOT NULL DEFAULT '',
    draft_body   TEXT NOT NULL DEFAULT '',
    draft_key    TEXT NOT NULL DEFAULT '',
    updated_by   BIGINT REFERENCES agents (id),
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (article_id, language)
);
CREATE INDEX kb_translations_published ON kb_translations (language, published_at);

-- Slugs a translation had before: links already sent keep working.
CREATE TABLE kb_old_slugs (
    slug       TEXT PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    language   TEXT NOT NULL
);

CREATE TABLE kb_revisions (
    id            INTEGER PRIMARY KEY,
    article_id    BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    language      TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    restored_from BIGINT,
    agent_id      BIGINT REFERENCES agents (id),
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX kb_revisions_article ON kb_revisions (article_id, id);

-- An article put into a reply on a ticket; outcome is set when the ticket
-- is next solved (solved) or escalated first (escalated).
CREATE TABLE kb_insertions (
    id         INTEGER PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    ticket_id  BIGINT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
    agent_id   BIGINT REFERENCES agents (id),
    mode       TEXT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    outcome_at TIMESTAMP
);
CREATE INDEX kb_insertions_ticket ON kb_insertions (ticket_id, outcome);
CREATE INDEX kb_insertions_article ON kb_insertions (article_id, outcome);

-- The outbox of the search index: one row per article change, written in
-- the change's transaction (no foreign key: a deleted article's removal
-- must reach the index too).
CREATE TABLE kb_changes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE kb_changes;
DROP TABLE kb_insertions;
DROP TABLE kb_revisions;
DROP TABLE kb_old_slugs;
DROP TABLE kb_translations;
DROP TABLE kb_article_plans;
DROP TABLE kb_articles;
DROP TABLE kb_categories;
