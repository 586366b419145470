-- The reference's 028: where a day's sleep came from (manual, photo, sync).
ALTER TABLE wellness_cache ADD COLUMN sleep_source VARCHAR(20);
