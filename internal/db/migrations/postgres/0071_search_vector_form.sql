-- +goose Up
-- Every document PostgreSQL's search index writes from now on carries
-- more terms without positions: beside each filter term the term joined
-- to its seq bucket ("~g:3@110"), so that a search among the newest
-- buckets asks for who may see a document and where it lies in one set
-- of short lists; and the first three and four letters of each of its
-- words ("~3:pri", "~4:prin"), so that a word being typed is one term
-- rather than every term it begins. Documents written before carry
-- neither; form_from is the first seq that does, and older documents
-- are searched as before until `linedesk reindex` (or their next change)
-- writes them again.
ALTER TABLE search_stats ADD COLUMN form_from BIGINT NOT NULL DEFAULT 0;
UPDATE search_stats SET form_from = (SELECT COALESCE(max(seq), 0) + 1 FROM search_docs) WHERE id = 1;

-- +goose Down
ALTER TABLE search_stats DROP COLUMN form_from;
