CREATE TABLE user_refresh_tokens (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  token_hash VARCHAR(64) NOT NULL,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_user_refresh_tokens_user_id ON user_refresh_tokens (user_id);
CREATE INDEX ix_user_refresh_tokens_token_hash
  ON user_refresh_tokens (token_hash);
