CREATE INDEX ix_food_log_user_id_timestamp ON food_log (user_id, timestamp);
CREATE INDEX ix_chat_messages_user_id_timestamp
  ON chat_messages (user_id, timestamp);
CREATE INDEX ix_sleep_extractions_user_id_created_at
  ON sleep_extractions (user_id, created_at);
CREATE INDEX ix_strava_activities_user_id_start_date
  ON strava_activities (user_id, start_date);
ALTER TABLE wellness_cache
  ADD CONSTRAINT uq_wellness_cache_user_id_date UNIQUE (user_id, date);
