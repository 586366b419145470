ALTER TABLE wellness_cache ADD COLUMN sport_info JSON;
