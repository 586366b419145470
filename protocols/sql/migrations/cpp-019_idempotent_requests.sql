-- POSTs sent with an Idempotency-Key (http-api-head.md §6.24): the first
-- answer of a (user, key) for 24 h; status NULL = still being handled.
CREATE TABLE idempotent_requests (
  user_id INTEGER NOT NULL,
  key VARCHAR(255) NOT NULL,
  request_hash VARCHAR(64) NOT NULL,
  status SMALLINT,
  content_type VARCHAR(128),
  body TEXT,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_idempotent_requests_created_at
  ON idempotent_requests (created_at);
