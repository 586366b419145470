-- The reference's 014: chat threads; every user's existing messages move into
-- one thread. IF NOT EXISTS: the reference's start-up may already have created
-- the table (its ORM creates missing tables).
CREATE TABLE IF NOT EXISTS chat_threads (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  title VARCHAR(128) NOT NULL DEFAULT 'Чат',
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_chat_threads_user_id ON chat_threads (user_id);

-- The constraint and indexes come after the backfill: checked and built once,
-- not once per moved message.
ALTER TABLE chat_messages ADD COLUMN thread_id INTEGER;
INSERT INTO chat_threads (user_id, title)
SELECT DISTINCT user_id, 'Основной' FROM chat_messages;
UPDATE chat_messages m SET thread_id = t.id
FROM (SELECT user_id, min(id) AS id FROM chat_threads
      WHERE title = 'Основной' GROUP BY user_id) t
WHERE t.user_id = m.user_id;

ALTER TABLE chat_messages ADD CONSTRAINT fk_chat_messages_thread_id_chat_threads
  FOREIGN KEY (thread_id) REFERENCES chat_threads (id) ON DELETE CASCADE;
CREATE INDEX ix_chat_messages_thread_id ON chat_messages (thread_id);
CREATE INDEX ix_chat_messages_user_id_thread_id
  ON chat_messages (user_id, thread_id);
