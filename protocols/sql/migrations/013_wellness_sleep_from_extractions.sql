-- The reference's 013 (data only): each sleep reading whose date can be read
-- (ISO, or D/M[/YYYY] day first, year 2000-2100, this year when absent)
-- gives its day's sleep_hours, unless the day already has one (the first
-- reading of a day wins). Unlike the reference, a reading that cannot be
-- read (bad JSON, an impossible date, a non-number) is skipped instead of
-- failing the whole migration.
CREATE FUNCTION pg_temp.sleep_of_reading(extracted TEXT, OUT day DATE,
                                         OUT hours DOUBLE PRECISION)
LANGUAGE plpgsql AS $$
DECLARE
  data JSONB := extracted::jsonb;
  raw TEXT := btrim(coalesce(data ->> 'date', ''));
  parts TEXT[];
BEGIN
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
END $$;

-- The same, with a reading that cannot be read giving nothing. Slower (a
-- subtransaction per reading): used only when some reading is bad.
CREATE FUNCTION pg_temp.sleep_of_reading_or_null(extracted TEXT, OUT day DATE,
                                                 OUT hours DOUBLE PRECISION)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT r.day, r.hours INTO day, hours
  FROM pg_temp.sleep_of_reading(extracted) r;
EXCEPTION WHEN data_exception THEN
  NULL;
END $$;

CREATE FUNCTION pg_temp.fill_sleep(careful BOOLEAN) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO wellness_cache (user_id, date, sleep_hours)
  SELECT DISTINCT ON (e.user_id, s.day) e.user_id, s.day, s.hours
  FROM sleep_extractions e,
       LATERAL (SELECT * FROM pg_temp.sleep_of_reading(e.extracted_data)
                WHERE NOT careful
                UNION ALL
                SELECT * FROM pg_temp.sleep_of_reading_or_null(e.extracted_data)
                WHERE careful) s
  WHERE s.day IS NOT NULL AND s.hours IS NOT NULL
  ORDER BY e.user_id, s.day, e.id
  ON CONFLICT (user_id, date) DO UPDATE SET sleep_hours = EXCLUDED.sleep_hours
    WHERE wellness_cache.sleep_hours IS NULL;
END $$;

DO $$
BEGIN
  PERFORM pg_temp.fill_sleep(false);
EXCEPTION WHEN data_exception THEN
  PERFORM pg_temp.fill_sleep(true);
END $$;

DROP FUNCTION pg_temp.fill_sleep(BOOLEAN);
DROP FUNCTION pg_temp.sleep_of_reading_or_null(TEXT);
DROP FUNCTION pg_temp.sleep_of_reading(TEXT);
