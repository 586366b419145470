-- The reference's 030: how an Intervals.icu link was made ('api_key', 'oauth').
ALTER TABLE intervals_credentials
  ADD COLUMN auth_type VARCHAR(16) NOT NULL DEFAULT 'api_key';
