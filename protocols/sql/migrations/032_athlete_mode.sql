-- The reference's 032: athlete mode (NULL = decided automatically).
ALTER TABLE athlete_profiles ADD COLUMN is_athlete BOOLEAN;
