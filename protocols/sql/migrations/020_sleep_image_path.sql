-- The reference's 020: where a sleep screenshot is stored.
ALTER TABLE sleep_extractions ADD COLUMN image_storage_path VARCHAR(1024);
