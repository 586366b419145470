-- The reference's 013 (data only): each sleep reading whose date can be read
-- (ISO, or D/M[/YYYY] day first, year 2000-2100, this year when absent)
-- gives its day's sleep_hours, unless the day already has one. Unlike the
-- reference, a reading that cannot be read (bad JSON, an impossible date, a
-- non-number) is skipped instead of failing the whole migration.
DO $$
DECLARE
  r RECORD;
  data JSONB;
  raw TEXT;
  parts TEXT[];
  day DATE;
  hours DOUBLE PRECISION;
BEGIN
  FOR r IN SELECT user_id, extracted_data FROM sleep_extractions LOOP
    BEGIN
      data := r.extracted_data::jsonb;
      raw := btrim(coalesce(data ->> 'date', ''));
      day := NULL;
      IF raw ~ '^\d{4}-\d\d-\d\d' THEN
        day := substr(raw, 1, 10)::date;
      ELSE
        parts := string_to_array(replace(raw, '-', '/'), '/');
        IF cardinality(parts) >= 2 AND parts[1] ~ '^\d{1,2}$'
           AND parts[2] ~ '^\d{1,2}$'
           AND (cardinality(parts) = 2 OR parts[3] ~ '^\d{4}$') THEN
          day := make_date(CASE WHEN cardinality(parts) = 2
                                THEN extract(year FROM now())::int
                                ELSE parts[3]::int END,
                           parts[2]::int, parts[1]::int);
          IF extract(year FROM day) NOT BETWEEN 2000 AND 2100 THEN
            day := NULL;
          END IF;
        END IF;
      END IF;
      hours := coalesce((data ->> 'actual_sleep_hours')::float8,
                        (data ->> 'sleep_hours')::float8,
                        round(((data ->> 'sleep_minutes')::numeric) / 60, 2),
                        round(((data ->> 'actual_sleep_minutes')::numeric) / 60, 2));
      IF day IS NOT NULL AND hours IS NOT NULL THEN
        INSERT INTO wellness_cache (user_id, date, sleep_hours)
        VALUES (r.user_id, day, hours)
        ON CONFLICT (user_id, date) DO UPDATE
          SET sleep_hours = coalesce(wellness_cache.sleep_hours,
                                     EXCLUDED.sleep_hours);
      END IF;
    EXCEPTION WHEN data_exception OR invalid_text_representation THEN
      NULL;
    END;
  END LOOP;
END $$;
