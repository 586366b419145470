CREATE TABLE users (
  id SERIAL NOT NULL,
  email VARCHAR(255) NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_users_email ON users (email);

CREATE TABLE food_log (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  timestamp TIMESTAMP WITH TIME ZONE,
  meal_type VARCHAR(32),
  name VARCHAR(512) NOT NULL,
  portion_grams FLOAT NOT NULL,
  calories FLOAT NOT NULL,
  protein_g FLOAT NOT NULL,
  fat_g FLOAT NOT NULL,
  carbs_g FLOAT NOT NULL,
  image_storage_path VARCHAR(1024),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_food_log_user_id ON food_log (user_id);

CREATE TABLE wellness_cache (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  date DATE NOT NULL,
  sleep_hours FLOAT,
  rhr FLOAT,
  hrv FLOAT,
  ctl FLOAT,
  atl FLOAT,
  tsb FLOAT,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_wellness_cache_user_id ON wellness_cache (user_id);
CREATE INDEX ix_wellness_cache_date ON wellness_cache (date);

CREATE TABLE chat_messages (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  role VARCHAR(32) NOT NULL,
  content TEXT NOT NULL,
  timestamp TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_chat_messages_user_id ON chat_messages (user_id);

CREATE TABLE intervals_credentials (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  encrypted_token_or_key TEXT NOT NULL,
  athlete_id VARCHAR(64) NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX ix_intervals_credentials_user_id
  ON intervals_credentials (user_id);
