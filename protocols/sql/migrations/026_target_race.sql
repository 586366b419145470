-- The reference's 026: the athlete's target race.
ALTER TABLE athlete_profiles ADD COLUMN target_race_date DATE;
ALTER TABLE athlete_profiles ADD COLUMN target_race_name VARCHAR(512);
