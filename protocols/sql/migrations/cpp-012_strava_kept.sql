-- This service's Strava tables and athlete_profiles.strava_* columns as at the
-- reference's 012 (what cpp-015 builds on). A database the reference took past
-- its 019 lost them (Strava was dropped there); they come back empty. On any
-- other database this changes nothing.
CREATE TABLE IF NOT EXISTS strava_credentials (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  encrypted_refresh_token TEXT NOT NULL,
  access_token TEXT,
  expires_at TIMESTAMP WITH TIME ZONE,
  strava_athlete_id BIGINT,
  updated_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_strava_credentials_user_id
  ON strava_credentials (user_id);

CREATE TABLE IF NOT EXISTS strava_activities (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  strava_id BIGINT NOT NULL,
  start_date TIMESTAMP WITH TIME ZONE NOT NULL,
  name VARCHAR(512),
  moving_time_sec INTEGER,
  distance_m FLOAT,
  suffer_score FLOAT,
  type VARCHAR(64),
  raw JSON,
  synced_at TIMESTAMP WITH TIME ZONE,
  elapsed_time_sec INTEGER,
  total_elevation_gain_m FLOAT,
  elev_high_m FLOAT,
  elev_low_m FLOAT,
  average_speed_m_s FLOAT,
  max_speed_m_s FLOAT,
  average_heartrate FLOAT,
  max_heartrate FLOAT,
  average_watts FLOAT,
  kilojoules FLOAT,
  sport_type VARCHAR(64),
  workout_type INTEGER,
  start_date_local VARCHAR(64),
  timezone VARCHAR(128),
  trainer BOOLEAN,
  commute BOOLEAN,
  manual BOOLEAN,
  private BOOLEAN,
  description TEXT,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_strava_activities_user_strava_id UNIQUE (user_id, strava_id)
);
CREATE INDEX IF NOT EXISTS ix_strava_activities_user_id
  ON strava_activities (user_id);
CREATE INDEX IF NOT EXISTS ix_strava_activities_strava_id
  ON strava_activities (strava_id);
CREATE INDEX IF NOT EXISTS ix_strava_activities_start_date
  ON strava_activities (start_date);
CREATE INDEX IF NOT EXISTS ix_strava_activities_user_id_start_date
  ON strava_activities (user_id, start_date);

CREATE TABLE IF NOT EXISTS strava_sync_queue (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  status VARCHAR(20) NOT NULL,
  requested_at TIMESTAMP WITH TIME ZONE,
  started_at TIMESTAMP WITH TIME ZONE,
  finished_at TIMESTAMP WITH TIME ZONE,
  error_message TEXT,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_strava_sync_queue_user_id
  ON strava_sync_queue (user_id);
CREATE INDEX IF NOT EXISTS ix_strava_sync_queue_status
  ON strava_sync_queue (status);

ALTER TABLE athlete_profiles
  ADD COLUMN IF NOT EXISTS strava_weight_kg FLOAT,
  ADD COLUMN IF NOT EXISTS strava_ftp INTEGER,
  ADD COLUMN IF NOT EXISTS strava_firstname VARCHAR(128),
  ADD COLUMN IF NOT EXISTS strava_lastname VARCHAR(128),
  ADD COLUMN IF NOT EXISTS strava_profile_url VARCHAR(512),
  ADD COLUMN IF NOT EXISTS strava_sex VARCHAR(8),
  ADD COLUMN IF NOT EXISTS strava_updated_at TIMESTAMP WITH TIME ZONE;
