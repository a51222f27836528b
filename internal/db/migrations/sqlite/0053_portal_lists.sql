-- +goose Up
-- The portal lists a customer's tickets, or their company's, by status,
-- newest first, and counts them: these indexes answer both without
-- reading the tickets themselves.
CREATE INDEX tickets_requester_status ON tickets (requester_id, status, number);
CREATE INDEX tickets_company_status ON tickets (company_id, status, number);

-- +goose Down
DROP INDEX tickets_company_status;
DROP INDEX tickets_requester_status;
