-- This service's first addition to the reference schema (reference objects
-- stay exactly as at 012). Every refresh token ever issued, live or spent,
-- with the chain (login) it descends from, so that a spent token presented
-- again revokes its whole chain (RFC 9700 reuse detection). Live tokens stay
-- in user_refresh_tokens, where the reference looks for them.
CREATE TABLE refresh_token_chains (
  token_hash VARCHAR(64) NOT NULL,
  chain VARCHAR(64) NOT NULL,
  user_id INTEGER NOT NULL,
  spent_at TIMESTAMP WITH TIME ZONE,
  expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (token_hash),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE INDEX ix_refresh_token_chains_chain ON refresh_token_chains (chain);
CREATE INDEX ix_refresh_token_chains_user_id ON refresh_token_chains (user_id);
