-- The reference's 024: the athlete's language (existing rows get 'ru').
ALTER TABLE users ADD COLUMN locale VARCHAR(10) DEFAULT 'ru';
