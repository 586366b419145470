-- The reference's 018: micronutrients of a meal.
ALTER TABLE food_log ADD COLUMN extended_nutrients JSON;
