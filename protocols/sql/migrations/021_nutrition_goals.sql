-- The reference's 021: the athlete's daily nutrition goals.
ALTER TABLE athlete_profiles ADD COLUMN calorie_goal FLOAT;
ALTER TABLE athlete_profiles ADD COLUMN protein_goal FLOAT;
ALTER TABLE athlete_profiles ADD COLUMN fat_goal FLOAT;
ALTER TABLE athlete_profiles ADD COLUMN carbs_goal FLOAT;
