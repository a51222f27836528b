-- +goose Up
-- What the customer portal counts for the knowledge base beside views:
-- requests an article solved before they were sent (deflections). A
-- visit of the new-request form counts each article's view once and at
-- most one deflection, whatever the customer clicks again: the rows name
-- the visit, and the unique keys keep the second count out.
ALTER TABLE kb_articles ADD COLUMN deflections BIGINT NOT NULL DEFAULT 0;

CREATE TABLE kb_visit_counts (
    visit      TEXT NOT NULL,
    kind       TEXT NOT NULL, -- view or deflected
    article_id BIGINT NOT NULL REFERENCES kb_articles (id) ON DELETE CASCADE,
    language   TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (visit, kind, article_id)
);
CREATE UNIQUE INDEX kb_visit_counts_one_deflection ON kb_visit_counts (visit) WHERE kind = 'deflected';
CREATE INDEX kb_visit_counts_article ON kb_visit_counts (article_id, kind, created_at);
CREATE INDEX kb_visit_counts_created ON kb_visit_counts (created_at) WHERE kind = 'view';

-- +goose Down
DROP TABLE kb_visit_counts;
ALTER TABLE kb_articles DROP COLUMN deflections;
