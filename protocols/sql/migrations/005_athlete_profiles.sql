CREATE TABLE IF NOT EXISTS athlete_profiles (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  strava_weight_kg FLOAT,
  strava_ftp INTEGER,
  strava_firstname VARCHAR(128),
  strava_lastname VARCHAR(128),
  strava_profile_url VARCHAR(512),
  strava_sex VARCHAR(8),
  strava_updated_at TIMESTAMP WITH TIME ZONE,
  weight_kg FLOAT,
  height_cm FLOAT,
  birth_year INTEGER,
  ftp INTEGER,
  updated_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_athlete_profiles_user_id UNIQUE (user_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_athlete_profiles_user_id
  ON athlete_profiles (user_id);
