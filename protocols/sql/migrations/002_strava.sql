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
