ALTER TABLE wellness_cache ADD COLUMN weight_kg FLOAT;
