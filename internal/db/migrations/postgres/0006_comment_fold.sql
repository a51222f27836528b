-- +goose Up
-- Where an e-mail comment's quoted history or signature begins (in bytes
-- of body); NULL when nothing is folded. The text itself is never cut.
ALTER TABLE comments ADD COLUMN visible_length INTEGER;

-- +goose Down
ALTER TABLE comments DROP COLUMN visible_length;
