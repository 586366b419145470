-- The reference's 022: Stripe subscriptions and the daily usage counter.
-- (Its unique indexes repeat its unique constraints; kept to match.)
ALTER TABLE users ADD COLUMN stripe_customer_id VARCHAR(255);
CREATE INDEX ix_users_stripe_customer_id ON users (stripe_customer_id);

CREATE TABLE IF NOT EXISTS subscriptions (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  stripe_customer_id VARCHAR(255) NOT NULL,
  stripe_subscription_id VARCHAR(255) NOT NULL,
  plan VARCHAR(32) NOT NULL,
  status VARCHAR(32) NOT NULL,
  current_period_start TIMESTAMP WITH TIME ZONE NOT NULL,
  current_period_end TIMESTAMP WITH TIME ZONE NOT NULL,
  trial_end TIMESTAMP WITH TIME ZONE,
  cancel_at_period_end BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_subscriptions_user_id UNIQUE (user_id),
  CONSTRAINT uq_subscriptions_stripe_subscription_id
    UNIQUE (stripe_subscription_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_subscriptions_user_id
  ON subscriptions (user_id);
CREATE INDEX IF NOT EXISTS ix_subscriptions_stripe_customer_id
  ON subscriptions (stripe_customer_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_subscriptions_stripe_subscription_id
  ON subscriptions (stripe_subscription_id);

CREATE TABLE IF NOT EXISTS daily_usage (
  id SERIAL NOT NULL,
  user_id INTEGER NOT NULL,
  date DATE NOT NULL,
  photo_analyses INTEGER NOT NULL DEFAULT 0,
  chat_messages INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT uq_daily_usage_user_date UNIQUE (user_id, date)
);
CREATE INDEX IF NOT EXISTS ix_daily_usage_user_id ON daily_usage (user_id);
CREATE INDEX IF NOT EXISTS ix_daily_usage_date ON daily_usage (date);
