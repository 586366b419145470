-- The reference's 019 drops its Strava tables and the athlete_profiles.strava_*
-- columns. This service keeps Strava, so here they stay; a database the
-- reference took past 019 gets them back, empty, in cpp-012.
SELECT 1;
