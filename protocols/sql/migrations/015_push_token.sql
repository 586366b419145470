-- The reference's 015: the athlete's Expo push token.
ALTER TABLE users ADD COLUMN push_token VARCHAR(512);
ALTER TABLE users ADD COLUMN push_platform VARCHAR(32);
