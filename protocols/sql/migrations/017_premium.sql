-- The reference's 017: the one entitlement flag.
ALTER TABLE users ADD COLUMN is_premium BOOLEAN NOT NULL DEFAULT false;
