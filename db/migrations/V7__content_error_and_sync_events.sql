-- telemetry-consumer: why a terminal's assigned content is not on screen (as the terminal reported
-- it, at most 500 characters), in its latest state and in its history.
ALTER TABLE device_state ADD COLUMN content_error text CHECK (length(content_error) <= 500);
ALTER TABLE status_history ADD COLUMN content_error text;

-- Since when the device has been announced out of sync (signage.device.content-out-of-sync.v1);
-- null while it is not. Each change is announced once, by whichever consumer instance claims the row.
ALTER TABLE device_state ADD COLUMN content_out_of_sync_since timestamptz;
