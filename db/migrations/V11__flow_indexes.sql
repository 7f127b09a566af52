-- The console's event flow (management): which service published what, and who handled it.
-- Read-only lookups over the shared delivery tables; no table changes.

-- Events of the last hour (summary) and of one correlation id (following an upload), newest first.
CREATE INDEX outbox_occurred_idx ON outbox (occurred_at);
CREATE INDEX outbox_correlation_idx ON outbox (correlation_id, position) WHERE correlation_id IS NOT NULL;
-- Who handled an event: the primary key (consumer, event_id) cannot answer by event id alone.
CREATE INDEX inbox_event_idx ON inbox (event_id);
-- Whether an event ended in a dead-letter queue.
CREATE INDEX dead_letters_event_idx ON dead_letters (event_id);
