-- Strava: a durable sync queue shared by several server processes, single-use
-- OAuth states, and webhook events waiting for their user's actor.

-- The reference's queue, extended: retries with backoff, the page a job
-- reached (a job resumes there), its fixed window (pages stay stable), its
-- progress, and the claim of the process running it.
ALTER TABLE strava_sync_queue
  ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN next_attempt_at TIMESTAMP WITH TIME ZONE,
  ADD COLUMN page_reached INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN activities_stored INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN last_error TEXT,
  ADD COLUMN lease_owner VARCHAR(128),
  ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE,
  ADD COLUMN window_after BIGINT,
  ADD COLUMN window_before BIGINT;

-- One live job per user (the reference let pending rows pile up): older
-- duplicates end, the newest stays.
UPDATE strava_sync_queue q SET status = 'done', finished_at = now()
WHERE q.status IN ('pending', 'running') AND EXISTS (
  SELECT 1 FROM strava_sync_queue o WHERE o.user_id = q.user_id
  AND o.status IN ('pending', 'running') AND o.id > q.id);
CREATE UNIQUE INDEX uq_strava_sync_queue_live ON strava_sync_queue (user_id)
  WHERE status IN ('pending', 'running');

-- `state` of the OAuth flow: issued once per authorize URL, taken once by
-- the callback.
CREATE TABLE strava_oauth_states (
  nonce VARCHAR(64) PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Webhook events accepted but not yet applied; a redelivered event is the
-- same row.
CREATE TABLE strava_webhook_events (
  id SERIAL PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  object_type VARCHAR(16) NOT NULL,
  object_id BIGINT NOT NULL,
  aspect_type VARCHAR(16) NOT NULL,
  updates TEXT NOT NULL,
  event_time BIGINT NOT NULL,
  received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  CONSTRAINT uq_strava_webhook_events_delivery
    UNIQUE (user_id, object_type, object_id, aspect_type, event_time, updates)
);
CREATE INDEX ix_strava_webhook_events_user_id ON strava_webhook_events (user_id);

-- start_date becomes the true UTC instant (the reference stored the local
-- wall time labelled as UTC); the local time stays in start_date_local.
UPDATE strava_activities SET start_date = (raw ->> 'start_date')::timestamptz
WHERE raw ->> 'start_date' ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)?$';
