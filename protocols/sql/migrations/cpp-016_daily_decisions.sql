-- Every daily decision: a scheduled slot (the hour on the athlete's clock)
-- or one asked for (slot NULL), and whether the model or the rules made
-- it. The unique key makes a slot's decision happen once per user and day,
-- whatever process fires its reminder.
CREATE TABLE daily_decisions (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL,
  date DATE NOT NULL,
  slot SMALLINT,
  decision VARCHAR(8) NOT NULL,
  reason TEXT NOT NULL,
  plan JSON,
  suggestions TEXT,
  source VARCHAR(8) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  CONSTRAINT uq_daily_decisions_slot UNIQUE (user_id, date, slot),
  CONSTRAINT ck_daily_decisions_decision
    CHECK (decision IN ('Go', 'Modify', 'Skip')),
  CONSTRAINT ck_daily_decisions_source CHECK (source IN ('ai', 'rules')),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

-- The athlete's own decision hours (0-23 on their clock); NULL = the
-- server's ORCHESTRATOR_CRON_HOURS, empty = no scheduled decisions.
ALTER TABLE athlete_profiles ADD COLUMN decision_hours SMALLINT[];
