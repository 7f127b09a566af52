-- People who use the API and the management screen.
CREATE TABLE console_users (
    username             text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9_.@-]{1,64}$'),
    password_hash        text NOT NULL,
    role                 text NOT NULL CHECK (role IN ('admin', 'viewer')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    password_changed_at  timestamptz NOT NULL DEFAULT now()
);
