-- +goose Up
-- Every document PostgreSQL's search index writes from now on carries,
-- beside each filter term, the term joined to its seq bucket ("~g:3@110"):
-- a search among the newest buckets asks for who may see a document and
-- where it lies in one set of short lists. Documents written before carry
-- no such terms; facet_buckets_from is the first seq that does, and older
-- buckets are searched as before until `linedesk reindex` (or the
-- documents' next change) writes them again.
ALTER TABLE search_stats ADD COLUMN facet_buckets_from BIGINT NOT NULL DEFAULT 0;
UPDATE search_stats SET facet_buckets_from = (SELECT COALESCE(max(seq), 0) + 1 FROM search_docs) WHERE id = 1;

-- +goose Down
ALTER TABLE search_stats DROP COLUMN facet_buckets_from;
