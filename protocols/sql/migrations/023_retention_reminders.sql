-- The reference's 023: which retention push went out to whom on which day.
CREATE TABLE IF NOT EXISTS retention_reminders_sent (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  date DATE NOT NULL,
  reminder_type VARCHAR(32) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_retention_reminder_user_date_type
    UNIQUE (user_id, date, reminder_type)
);
CREATE INDEX IF NOT EXISTS ix_retention_reminders_sent_user_id
  ON retention_reminders_sent (user_id);
CREATE INDEX IF NOT EXISTS ix_retention_reminders_sent_date
  ON retention_reminders_sent (date);
CREATE INDEX IF NOT EXISTS ix_retention_reminders_sent_reminder_type
  ON retention_reminders_sent (reminder_type);
