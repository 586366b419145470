-- The reference's 025: the admin role.
ALTER TABLE users ADD COLUMN is_superuser BOOLEAN NOT NULL DEFAULT false;
