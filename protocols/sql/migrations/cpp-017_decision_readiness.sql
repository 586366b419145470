-- Why a decision is what it is (docs/decisions.md): the readiness signals
-- the rules read (value, baseline, band, flag) and the model's own word.
-- 'ai+rules': the model was asked and the rules flagged the day (their word
-- when more cautious than the model's).
ALTER TABLE daily_decisions ADD COLUMN model_decision VARCHAR(8);
ALTER TABLE daily_decisions ADD COLUMN readiness JSON;
ALTER TABLE daily_decisions DROP CONSTRAINT ck_daily_decisions_source;
ALTER TABLE daily_decisions ADD CONSTRAINT ck_daily_decisions_source
  CHECK (source IN ('ai', 'rules', 'ai+rules'));
ALTER TABLE daily_decisions ADD CONSTRAINT ck_daily_decisions_model_decision
  CHECK (model_decision IN ('Go', 'Modify', 'Skip'));
