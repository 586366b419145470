CREATE TABLE workouts (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  start_date TIMESTAMP WITH TIME ZONE NOT NULL,
  name VARCHAR(512),
  type VARCHAR(64),
  duration_sec INTEGER,
  distance_m FLOAT,
  tss FLOAT,
  source VARCHAR(16) DEFAULT 'manual' NOT NULL,
  fit_checksum VARCHAR(64),
  notes TEXT,
  raw JSON,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_workouts_user_id ON workouts (user_id);
CREATE INDEX ix_workouts_start_date ON workouts (start_date);
CREATE INDEX ix_workouts_fit_checksum ON workouts (fit_checksum);
CREATE INDEX ix_workouts_user_id_start_date ON workouts (user_id, start_date);
