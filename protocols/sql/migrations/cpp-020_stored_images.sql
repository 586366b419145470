-- Sleep screenshots kept for a later re-analysis when no object store is
-- configured (S3_ENDPOINT_URL empty): the same keys the object store would
-- hold (`sleep_extractions.image_storage_path`), the bytes in the row.
CREATE TABLE IF NOT EXISTS stored_images (
  path VARCHAR(1024) NOT NULL,
  user_id INTEGER NOT NULL,
  content_type VARCHAR(100) NOT NULL,
  data BYTEA NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (path),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_stored_images_user_id ON stored_images (user_id);
