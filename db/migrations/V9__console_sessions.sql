-- Signed-in browser sessions of the management console. Only a hash of the cookie's token is
-- stored, so a copy of this table does not let anyone sign in. A password reset ends the user's
-- sessions (ON DELETE CASCADE covers a removed user).
CREATE TABLE console_sessions (
    token_hash    text PRIMARY KEY,
    username      text NOT NULL REFERENCES console_users (username) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL
);
CREATE INDEX console_sessions_username ON console_sessions (username);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);
