ALTER TABLE workouts ADD COLUMN external_id VARCHAR(64);
CREATE INDEX ix_workouts_external_id ON workouts (external_id);
CREATE UNIQUE INDEX ix_workouts_user_id_external_id
  ON workouts (user_id, external_id);
