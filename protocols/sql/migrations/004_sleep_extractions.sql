CREATE TABLE IF NOT EXISTS sleep_extractions (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE,
  extracted_data TEXT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_sleep_extractions_user_id
  ON sleep_extractions (user_id);
