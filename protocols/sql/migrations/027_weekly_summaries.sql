-- The reference's 027: the coach's weekly memory of each athlete.
CREATE TABLE IF NOT EXISTS user_weekly_summaries (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  week_start_date DATE NOT NULL,
  summary_text TEXT NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_user_weekly_summary_user_week UNIQUE (user_id, week_start_date)
);
CREATE INDEX IF NOT EXISTS ix_user_weekly_summaries_user_id
  ON user_weekly_summaries (user_id);
CREATE INDEX IF NOT EXISTS ix_user_weekly_summaries_week_start_date
  ON user_weekly_summaries (week_start_date);
