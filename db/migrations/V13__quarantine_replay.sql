-- telemetry-consumer: quarantined messages can be put back into the history once the cause is fixed
-- (a deployment error, a limit set too low). A replayed row stays, marked, as the record of what happened.
ALTER TABLE quarantined_messages
    ADD COLUMN replayed_at    timestamptz,
    ADD COLUMN replay_result  text CHECK (replay_result IN ('stored', 'duplicate'));
CREATE INDEX quarantined_messages_waiting_idx ON quarantined_messages (id) WHERE replayed_at IS NULL;
