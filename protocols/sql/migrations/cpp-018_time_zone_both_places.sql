-- The athlete's zone lives in athlete_profiles.timezone here and in
-- users.timezone (default 'UTC') in the reference. A zone the reference knew
-- comes over (with a profile row if the athlete had none); a zone only this
-- service knew is copied back, so both columns agree afterwards.
INSERT INTO athlete_profiles (user_id, updated_at)
SELECT u.id, now() FROM users u
WHERE u.timezone IS NOT NULL AND u.timezone <> 'UTC'
  AND NOT EXISTS (SELECT 1 FROM athlete_profiles p WHERE p.user_id = u.id);
UPDATE athlete_profiles p SET timezone = u.timezone
FROM users u
WHERE u.id = p.user_id AND p.timezone IS NULL
  AND u.timezone IS NOT NULL AND u.timezone <> 'UTC';
UPDATE users u SET timezone = p.timezone
FROM athlete_profiles p
WHERE p.user_id = u.id AND p.timezone IS NOT NULL
  AND u.timezone IS DISTINCT FROM p.timezone;
