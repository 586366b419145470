-- The decision at the reference's newest revision (http-api-head.md
-- §3.9.10): Advice for someone who is not an athlete, and in the evening
-- the food and sleep tips for the rest of the day and tomorrow's session.
ALTER TABLE daily_decisions ADD COLUMN evening_tips TEXT;
ALTER TABLE daily_decisions ADD COLUMN plan_tomorrow TEXT;
ALTER TABLE daily_decisions DROP CONSTRAINT ck_daily_decisions_decision;
ALTER TABLE daily_decisions ADD CONSTRAINT ck_daily_decisions_decision
  CHECK (decision IN ('Go', 'Modify', 'Skip', 'Advice'));
ALTER TABLE daily_decisions DROP CONSTRAINT ck_daily_decisions_model_decision;
ALTER TABLE daily_decisions ADD CONSTRAINT ck_daily_decisions_model_decision
  CHECK (model_decision IN ('Go', 'Modify', 'Skip', 'Advice'));
