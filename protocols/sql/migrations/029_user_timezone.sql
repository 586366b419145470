-- The reference's 029: its copy of the athlete's zone (existing rows 'UTC').
-- This service's own is athlete_profiles.timezone; cpp-018 aligns the two.
ALTER TABLE users ADD COLUMN timezone VARCHAR(50) DEFAULT 'UTC';
