-- Durable reminders: the next due time of each kind of scheduled work of a
-- user (background refresh now; decisions, queues, purges later). A server
-- process claims due rows (FOR UPDATE SKIP LOCKED) for a while, so several
-- processes share one database and each reminder fires once.
CREATE TABLE user_reminders (
  user_id INTEGER NOT NULL,
  kind VARCHAR(32) NOT NULL,
  due_at TIMESTAMP WITH TIME ZONE NOT NULL,
  claimed_by VARCHAR(128),
  claimed_until TIMESTAMP WITH TIME ZONE,
  attempts INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, kind),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_user_reminders_due_at ON user_reminders (due_at);

-- The athlete's IANA time zone: their "today". NULL = UTC.
ALTER TABLE athlete_profiles ADD COLUMN timezone VARCHAR(64);
