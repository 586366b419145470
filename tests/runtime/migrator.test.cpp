#include "runtime/migrator.hpp"

#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

using namespace st;
using namespace st::test;

namespace {

/// The catalog as sorted lines: tables/columns, constraints, indexes.
/// Column positions are left out: columns this service adds sit between the
/// reference's (the relative order is checked by `reference_order_kept`).
std::set<std::string> catalog_of(const std::string& dsn) {
  std::set<std::string> result;
  for (auto& r : run_sql(dsn, R"(
      SELECT c.relname, a.attname,
             format_type(a.atttypid, a.atttypmod), a.attnotnull,
             coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                          AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r')"))
    result.insert("column " + r[0] + " " + r[1] + " " + r[2] +
                  (r[3] == "t" ? " NOT NULL" : "") + " default=" + r[4]);
  for (auto& r : run_sql(dsn, R"(
      SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public')"))
    result.insert("constraint " + r[0] + " " + r[1] + " " + r[2]);
  for (auto& r : run_sql(dsn, "SELECT tablename, indexname, indexdef "
                              "FROM pg_indexes WHERE schemaname = 'public'"))
    result.insert("index " + r[0] + " " + r[1] + " " + r[2]);
  return result;
}

rapidjson::Document json_file(const std::string& name) {
  std::ifstream in{std::string{ST_SOURCE_DIR} + "/tests/data/" + name};
  std::stringstream buf;
  buf << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(buf.str().c_str());
  REQUIRE(doc.IsObject());
  return doc;
}

/// The same lines from one of the reference's catalog listings (tests/data).
std::set<std::string> reference_catalog(const std::string& name) {
  auto doc = json_file(name);
  std::set<std::string> result;
  for (auto& t : doc["tables"].GetArray())
    for (auto& c : t["columns"].GetArray())
      result.insert("column " + std::string{t["table"].GetString()} + " " +
                    c["name"].GetString() + " " + c["type"].GetString() +
                    (c["not_null"].GetBool() ? " NOT NULL" : "") + " default=" +
                    (c["default"].IsNull() ? "" : c["default"].GetString()));
  for (auto& c : doc["constraints"].GetArray())
    result.insert("constraint " + std::string{c["table"].GetString()} + " " +
                  c["name"].GetString() + " " + c["def"].GetString());
  for (auto& i : doc["indexes"].GetArray())
    result.insert("index " + std::string{i["table"].GetString()} + " " +
                  i["name"].GetString() + " " + i["def"].GetString());
  return result;
}

/// Which of the reference's HEAD columns are out of their relative order in
/// the database at `dsn` ("" when none).
std::string reference_order_kept(const std::string& dsn) {
  auto doc = json_file("reference-schema-head.json");
  std::string result;
  for (auto& t : doc["tables"].GetArray()) {
    std::string table = t["table"].GetString();
    std::vector<std::string> expected;
    for (auto& c : t["columns"].GetArray())
      expected.emplace_back(c["name"].GetString());
    std::vector<std::string> ours;
    for (auto& r : run_sql(dsn, "SELECT a.attname FROM pg_attribute a "
                                "WHERE a.attrelid = 'public." +
                                  table +
                                  "'::regclass AND a.attnum > 0 AND NOT "
                                  "a.attisdropped ORDER BY a.attnum"))
      if (std::find(expected.begin(), expected.end(), r[0]) != expected.end())
        ours.emplace_back(r[0]);
    if (ours != expected)
      result += table + " ";
  }
  return result;
}

/// The catalog lines of this service's additions to the reference
/// (cpp-013 … cpp-021).
const std::set<std::string>& additions() {
  static const std::set<std::string> result{
    "column refresh_token_chains token_hash character varying(64) NOT NULL "
    "default=",
    "column refresh_token_chains chain character varying(64) NOT NULL "
    "default=",
    "column refresh_token_chains user_id integer NOT NULL default=",
    "column refresh_token_chains spent_at timestamp with time zone "
    "default=",
    "column refresh_token_chains expires_at timestamp with time zone NOT "
    "NULL default=",
    "constraint refresh_token_chains refresh_token_chains_pkey PRIMARY KEY "
    "(token_hash)",
    "constraint refresh_token_chains refresh_token_chains_user_id_fkey "
    "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    "index refresh_token_chains ix_refresh_token_chains_chain CREATE INDEX "
    "ix_refresh_token_chains_chain ON public.refresh_token_chains USING btree "
    "(chain)",
    "index refresh_token_chains ix_refresh_token_chains_user_id CREATE INDEX "
    "ix_refresh_token_chains_user_id ON public.refresh_token_chains USING "
    "btree (user_id)",
    "index refresh_token_chains refresh_token_chains_pkey CREATE UNIQUE INDEX "
    "refresh_token_chains_pkey ON public.refresh_token_chains USING btree "
    "(token_hash)",
    // 014
    "column athlete_profiles timezone character varying(64) default=",
    "column user_reminders user_id integer NOT NULL default=",
    "column user_reminders kind character varying(32) NOT NULL default=",
    "column user_reminders due_at timestamp with time zone NOT NULL "
    "default=",
    "column user_reminders claimed_by character varying(128) default=",
    "column user_reminders claimed_until timestamp with time zone default=",
    "column user_reminders attempts integer NOT NULL default=0",
    "constraint user_reminders user_reminders_pkey PRIMARY KEY (user_id, "
    "kind)",
    "constraint user_reminders user_reminders_user_id_fkey FOREIGN KEY "
    "(user_id) REFERENCES users(id) ON DELETE CASCADE",
    "index user_reminders ix_user_reminders_due_at CREATE INDEX "
    "ix_user_reminders_due_at ON public.user_reminders USING btree (due_at)",
    "index user_reminders user_reminders_pkey CREATE UNIQUE INDEX "
    "user_reminders_pkey ON public.user_reminders USING btree (user_id, kind)",
    // 015
    "column strava_oauth_states nonce character varying(64) NOT NULL "
    "default=",
    "column strava_oauth_states user_id integer NOT NULL default=",
    "column strava_oauth_states expires_at timestamp with time zone NOT "
    "NULL default=",
    "column strava_sync_queue page_reached integer NOT NULL default=0",
    "column strava_sync_queue activities_stored integer NOT NULL default=0",
    "column strava_sync_queue last_error text default=",
    "column strava_sync_queue lease_owner character varying(128) default=",
    "column strava_sync_queue lease_until timestamp with time zone "
    "default=",
    "column strava_sync_queue window_after bigint default=",
    "column strava_sync_queue window_before bigint default=",
    "column strava_sync_queue attempts integer NOT NULL default=0",
    "column strava_sync_queue next_attempt_at timestamp with time zone "
    "default=",
    "column strava_webhook_events id integer NOT NULL "
    "default=nextval('strava_webhook_events_id_seq'::regclass)",
    "column strava_webhook_events user_id integer NOT NULL default=",
    "column strava_webhook_events object_type character varying(16) NOT "
    "NULL default=",
    "column strava_webhook_events object_id bigint NOT NULL default=",
    "column strava_webhook_events aspect_type character varying(16) NOT "
    "NULL default=",
    "column strava_webhook_events updates text NOT NULL default=",
    "column strava_webhook_events event_time bigint NOT NULL default=",
    "column strava_webhook_events received_at timestamp with time zone NOT "
    "NULL default=now()",
    "constraint strava_oauth_states strava_oauth_states_pkey PRIMARY KEY "
    "(nonce)",
    "constraint strava_oauth_states strava_oauth_states_user_id_fkey FOREIGN "
    "KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    "constraint strava_webhook_events strava_webhook_events_pkey PRIMARY KEY "
    "(id)",
    "constraint strava_webhook_events strava_webhook_events_user_id_fkey "
    "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    "constraint strava_webhook_events uq_strava_webhook_events_delivery UNIQUE "
    "(user_id, object_type, object_id, aspect_type, event_time, updates)",
    "index strava_oauth_states strava_oauth_states_pkey CREATE UNIQUE INDEX "
    "strava_oauth_states_pkey ON public.strava_oauth_states USING btree "
    "(nonce)",
    "index strava_sync_queue uq_strava_sync_queue_live CREATE UNIQUE INDEX "
    "uq_strava_sync_queue_live ON public.strava_sync_queue USING btree "
    "(user_id) WHERE ((status)::text = ANY ((ARRAY['pending'::character "
    "varying, 'running'::character varying])::text[]))",
    "index strava_webhook_events ix_strava_webhook_events_user_id CREATE INDEX "
    "ix_strava_webhook_events_user_id ON public.strava_webhook_events USING "
    "btree (user_id)",
    "index strava_webhook_events strava_webhook_events_pkey CREATE UNIQUE "
    "INDEX strava_webhook_events_pkey ON public.strava_webhook_events USING "
    "btree (id)",
    "index strava_webhook_events uq_strava_webhook_events_delivery CREATE "
    "UNIQUE INDEX uq_strava_webhook_events_delivery ON "
    "public.strava_webhook_events USING btree (user_id, object_type, "
    "object_id, aspect_type, event_time, updates)",
    // 016
    "column athlete_profiles decision_hours smallint[] default=",
    "column daily_decisions id integer NOT NULL "
    "default=nextval('daily_decisions_id_seq'::regclass)",
    "column daily_decisions created_at timestamp with time zone NOT "
    "NULL default=now()",
    "column daily_decisions user_id integer NOT NULL default=",
    "column daily_decisions date date NOT NULL default=",
    "column daily_decisions slot smallint default=",
    "column daily_decisions decision character varying(8) NOT NULL "
    "default=",
    "column daily_decisions reason text NOT NULL default=",
    "column daily_decisions plan json default=",
    "column daily_decisions suggestions text default=",
    "column daily_decisions source character varying(8) NOT NULL "
    "default=",
    // 017
    "column daily_decisions model_decision character varying(8) "
    "default=",
    "column daily_decisions readiness json default=",
    // cpp-021
    "column daily_decisions evening_tips text default=",
    "column daily_decisions plan_tomorrow text default=",
    "constraint daily_decisions ck_daily_decisions_model_decision CHECK "
    "(((model_decision)::text = ANY ((ARRAY['Go'::character varying, "
    "'Modify'::character varying, 'Skip'::character varying, "
    "'Advice'::character varying])::text[])))",
    "constraint daily_decisions ck_daily_decisions_decision CHECK "
    "(((decision)::text = ANY ((ARRAY['Go'::character varying, "
    "'Modify'::character varying, 'Skip'::character varying, "
    "'Advice'::character varying])::text[])))",
    "constraint daily_decisions ck_daily_decisions_source CHECK "
    "(((source)::text = ANY ((ARRAY['ai'::character varying, "
    "'rules'::character varying, 'ai+rules'::character "
    "varying])::text[])))",
    "constraint daily_decisions daily_decisions_pkey PRIMARY KEY (id)",
    "constraint daily_decisions daily_decisions_user_id_fkey FOREIGN KEY "
    "(user_id) REFERENCES users(id) ON DELETE CASCADE",
    "constraint daily_decisions uq_daily_decisions_slot UNIQUE (user_id, "
    "date, slot)",
    "index daily_decisions daily_decisions_pkey CREATE UNIQUE INDEX "
    "daily_decisions_pkey ON public.daily_decisions USING btree (id)",
    "index daily_decisions uq_daily_decisions_slot CREATE UNIQUE INDEX "
    "uq_daily_decisions_slot ON public.daily_decisions USING btree "
    "(user_id, date, slot)",
    // cpp-019
    "column idempotent_requests user_id integer NOT NULL default=",
    "column idempotent_requests key character varying(255) NOT NULL "
    "default=",
    "column idempotent_requests request_hash character varying(64) NOT "
    "NULL default=",
    "column idempotent_requests status smallint default=",
    "column idempotent_requests content_type character varying(128) "
    "default=",
    "column idempotent_requests body text default=",
    "column idempotent_requests created_at timestamp with time zone NOT "
    "NULL default=now()",
    "constraint idempotent_requests idempotent_requests_pkey PRIMARY KEY "
    "(user_id, key)",
    "constraint idempotent_requests idempotent_requests_user_id_fkey "
    "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    "index idempotent_requests idempotent_requests_pkey CREATE UNIQUE "
    "INDEX idempotent_requests_pkey ON public.idempotent_requests USING "
    "btree (user_id, key)",
    "index idempotent_requests ix_idempotent_requests_created_at CREATE "
    "INDEX ix_idempotent_requests_created_at ON public.idempotent_requests "
    "USING btree (created_at)",
    // cpp-020
    "column stored_images path character varying(1024) NOT NULL default=",
    "column stored_images user_id integer NOT NULL default=",
    "column stored_images content_type character varying(100) NOT NULL "
    "default=",
    "column stored_images data bytea NOT NULL default=",
    "column stored_images created_at timestamp with time zone NOT NULL "
    "default=now()",
    "constraint stored_images stored_images_pkey PRIMARY KEY (path)",
    "constraint stored_images stored_images_user_id_fkey FOREIGN KEY "
    "(user_id) REFERENCES users(id) ON DELETE CASCADE",
    "index stored_images stored_images_pkey CREATE UNIQUE INDEX "
    "stored_images_pkey ON public.stored_images USING btree (path)",
    "index stored_images ix_stored_images_user_id CREATE INDEX "
    "ix_stored_images_user_id ON public.stored_images USING btree (user_id)",
  };
  return result;
}

/// What the schema must be: the reference's objects exactly as at its HEAD
/// (032), plus the Strava objects it dropped in 019 and this service keeps,
/// plus this service's own.
std::set<std::string> expected_catalog() {
  auto result = reference_catalog("reference-schema-head.json");
  auto at_012 = reference_catalog("reference-schema.json");
  result.insert(at_012.begin(), at_012.end());
  result.insert(additions().begin(), additions().end());
  return result;
}

std::string difference(const std::set<std::string>& a,
                       const std::set<std::string>& b) {
  std::string result;
  for (auto& x : a)
    if (b.count(x) == 0)
      result += "  only in ours:      " + x + "\n";
  for (auto& x : b)
    if (a.count(x) == 0)
      result += "  only in reference: " + x + "\n";
  return result;
}

const std::string& newest() {
  static const std::string result = migrations().back().version;
  return result;
}

using rows = std::vector<std::vector<std::string>>;

/// What the reference's own 019 did, which this service's 019 does not.
constexpr const char* reference_019 =
  "DROP TABLE strava_activities; DROP TABLE strava_sync_queue; "
  "DROP TABLE strava_credentials; ALTER TABLE athlete_profiles "
  "DROP COLUMN strava_weight_kg, DROP COLUMN strava_ftp, "
  "DROP COLUMN strava_firstname, DROP COLUMN strava_lastname, "
  "DROP COLUMN strava_profile_url, DROP COLUMN strava_sex, "
  "DROP COLUMN strava_updated_at";

void stamp(const scratch_database& db, const std::vector<std::string>& ids) {
  db.query("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
           "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))");
  for (auto& id : ids)
    db.query("INSERT INTO alembic_version VALUES ('" + id + "')");
}

/// A database as the reference left it at revision `last` (unstamped).
void build_reference_at(const scratch_database& db, const std::string& last) {
  for (auto& m : migrations()) {
    std::string id = m.version;
    REQUIRE(id.rfind("cpp-", 0) != 0);
    db.query(id == "019" ? reference_019 : m.sql);
    if (id == last)
      return;
  }
}

/// A database of this service from before its revisions were renamed: the
/// reference's 001-012, then its own under the ids 013 … `last`.
void build_ours_numbered_at(const scratch_database& db,
                            const std::string& last) {
  build_reference_at(db, "012");
  for (auto& m : migrations()) {
    std::string id = m.version;
    if (id.rfind("cpp-01", 0) == 0 && id != "cpp-012") {
      db.query(m.sql);
      if (id == "cpp-" + last)
        break;
    }
  }
  stamp(db, {last});
}

/// The revision ids from `first` to `last` in chain order.
std::vector<std::string> ids_between(const std::string& first,
                                     const std::string& last) {
  std::vector<std::string> result;
  bool in = false;
  for (auto& m : migrations()) {
    in = in || first == m.version;
    if (in)
      result.emplace_back(m.version);
    if (last == m.version)
      break;
  }
  return result;
}

/// The catalog matches and the reference's columns keep their order.
void check_schema(const scratch_database& db) {
  auto ours = catalog_of(db.dsn());
  auto expected = expected_catalog();
  INFO(difference(ours, expected));
  CHECK(ours == expected);
  CHECK(reference_order_kept(db.dsn()).empty());
  CHECK(db.query("SELECT version_num FROM alembic_version") ==
        rows{{newest()}});
}

/// Rows in the shapes the reference wrote at revision 012, for user 1
/// (password `password1`).
constexpr const char* reference_rows_012 =
  "INSERT INTO users (email, password_hash) VALUES ('ref@example.com', "
  "'$2b$04$abcdefghijklmnopqrstuuG0dn23TmsW2CgnJryKiUOtvqgeAPA.2');"
  "INSERT INTO wellness_cache (user_id, date, sleep_hours, rhr, hrv, ctl) "
  "VALUES (1, '2026-03-01', NULL, 48, 71.5, 55.2);"
  "INSERT INTO food_log (user_id, timestamp, meal_type, name, portion_grams, "
  "calories, protein_g, fat_g, carbs_g) VALUES (1, '2026-03-01T08:00:00Z', "
  "'breakfast', 'Oats', 80, 300, 10, 6, 54);"
  "INSERT INTO chat_messages (user_id, role, content, timestamp) VALUES "
  "(1, 'user', 'Hello', '2026-03-01T09:00:00Z'), "
  "(1, 'assistant', 'Hi', '2026-03-01T09:00:01Z');"
  "INSERT INTO sleep_extractions (user_id, created_at, extracted_data) "
  "VALUES (1, '2026-03-01T07:00:00Z', "
  "'{\"date\": \"01/03/2026\", \"sleep_minutes\": 450}'), "
  "(1, '2026-03-02T07:00:00Z', '{\"date\": \"2026-02-30\", "
  "\"sleep_hours\": 7}'), (1, '2026-03-03T07:00:00Z', 'not json')";

} // namespace

TEST_CASE("migrate produces exactly the reference's HEAD schema plus this "
          "service's additions") {
  scratch_database db;
  auto [rc, out] = run_binary({"migrate"}, {{"DATABASE_URL", db.dsn()}});
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("applied " + std::to_string(migrations().size()) +
                 " migrations: empty -> " + newest()) != std::string::npos);
  check_schema(db);
  CHECK(catalog_of(db.dsn()).size() > 300);
}

TEST_CASE("the revision ids of the reference and of this service never "
          "collide") {
  std::set<std::string> ids;
  for (auto& m : migrations()) {
    std::string id = m.version;
    CHECK(ids.insert(id).second);
    bool reference = id.size() == 3 && id <= "032";
    bool ours = id.rfind("cpp-", 0) == 0;
    CHECK((reference || ours));
  }
  CHECK(ids.count("032") == 1);
  CHECK(newest().rfind("cpp-", 0) == 0);
}

TEST_CASE("migrate on a database already at the newest revision changes "
          "nothing") {
  scratch_database db;
  migrate_database(db.dsn());
  db.query("INSERT INTO users (email) VALUES ('kept@example.com')");
  auto before = catalog_of(db.dsn());
  auto report = migrate_database(db.dsn());
  CHECK(report.from == newest());
  CHECK(report.to == newest());
  CHECK(report.applied.empty());
  CHECK(catalog_of(db.dsn()) == before);
  CHECK(db.query("SELECT email FROM users") == rows{{"kept@example.com"}});
}

TEST_CASE("a database part-way through the reference's early revisions (at "
          "009) is brought up to the newest") {
  scratch_database db;
  build_reference_at(db, "009");
  stamp(db, {"009"});
  auto report = migrate_database(db.dsn());
  CHECK(report.applied == ids_between("010", newest()));
  check_schema(db);
}

TEST_CASE("databases of this service stamped with its old ids 013-017 keep "
          "migrating, and gain the reference's 013-032") {
  for (std::string old : {"013", "014", "015", "016", "017"}) {
    DYNAMIC_SECTION("stamped " << old) {
      scratch_database db;
      build_ours_numbered_at(db, old);
      db.query(reference_rows_012);
      if (old != "013")
        db.query("INSERT INTO athlete_profiles (user_id, timezone) VALUES "
                 "(1, 'Asia/Bangkok')");
      auto report = migrate_database(db.dsn());
      CHECK(report.from == old);
      auto expected = ids_between("013", "032");
      expected.emplace_back("cpp-012");
      auto ours_left =
        ids_between("cpp-0" + std::to_string(std::stoi(old) + 1), newest());
      expected.insert(expected.end(), ours_left.begin(), ours_left.end());
      CHECK(report.applied == expected);
      check_schema(db);
      // Nothing lost; the zone this service knew is now also the
      // reference's.
      CHECK(db.query("SELECT count(*) FROM food_log") == rows{{"1"}});
      CHECK(db.query("SELECT timezone FROM users") ==
            rows{{old == "013" ? "UTC" : "Asia/Bangkok"}});
      CHECK(migrate_database(db.dsn()).applied.empty());
    }
  }
}

TEST_CASE("a database at each reference revision from 012 to 032 is "
          "recognised and brought to the newest without losing a row") {
  for (auto& m : migrations()) {
    std::string rev = m.version;
    if (rev < "012" || rev.rfind("cpp-", 0) == 0)
      continue;
    DYNAMIC_SECTION("reference at " << rev) {
      scratch_database db;
      build_reference_at(db, "012");
      db.query(reference_rows_012);
      if (rev != "012")
        for (auto& n : ids_between("013", rev))
          db.query(n == "019" ? reference_019
                              : migrations()[std::stoul(n) - 1].sql);
      stamp(db, {rev});
      auto report = migrate_database(db.dsn());
      CHECK(report.from == rev);
      auto expected = ids_between(
        migrations()[static_cast<size_t>(std::stoi(rev))].version, newest());
      CHECK(report.applied == expected);
      check_schema(db);
      CHECK(db.query("SELECT email FROM users") == rows{{"ref@example.com"}});
      CHECK(db.query("SELECT count(*) FROM chat_messages WHERE thread_id IS "
                     "NOT NULL") == rows{{"2"}});
      CHECK(db.query("SELECT name, calories FROM food_log") ==
            rows{{"Oats", "300"}});
      CHECK(db.query("SELECT rhr, hrv FROM wellness_cache WHERE date = "
                     "'2026-03-01'") == rows{{"48", "71.5"}});
      CHECK(migrate_database(db.dsn()).applied.empty());
    }
  }
}

TEST_CASE("the reference's 013 fills a day's sleep from its readings and "
          "skips what cannot be read, its 014 moves the messages into one "
          "thread") {
  scratch_database db;
  build_reference_at(db, "012");
  db.query(reference_rows_012);
  db.query("INSERT INTO wellness_cache (user_id, date, sleep_hours) VALUES "
           "(1, '2026-03-05', 6.0);"
           "INSERT INTO sleep_extractions (user_id, created_at, "
           "extracted_data) VALUES (1, now(), '{\"date\": \"2026-03-05\", "
           "\"actual_sleep_hours\": 8}'), (1, now(), '{\"date\": "
           "\"2026-03-06T00:00:00\", \"actual_sleep_minutes\": 400}'), "
           "(1, now(), '{\"date\": \"7/3/1999\", \"sleep_hours\": 5}'), "
           "(1, now(), '[1, 2]'), (1, now(), '{\"date\": \"2026-03-07\", "
           "\"sleep_hours\": \"many\"}')");
  stamp(db, {"012"});
  migrate_database(db.dsn());
  CHECK(db.query("SELECT date, sleep_hours, rhr FROM wellness_cache "
                 "ORDER BY date") == rows{{"2026-03-01", "7.5", "48"},
                                          {"2026-03-05", "6", ""},
                                          {"2026-03-06", "6.67", ""}});
  CHECK(db.query("SELECT t.title, count(m.id) FROM chat_threads t JOIN "
                 "chat_messages m ON m.thread_id = t.id GROUP BY t.title") ==
        rows{{"Основной", "2"}});
}

TEST_CASE("the reference's ambiguous past states migrate: 031 from its "
          "development branch, and the 026+027 double head") {
  SECTION("031 holding athlete mode but no password_reset_tokens") {
    scratch_database db;
    build_reference_at(db, "030");
    db.query("ALTER TABLE athlete_profiles ADD COLUMN is_athlete BOOLEAN;"
             "INSERT INTO users (email) VALUES ('a@example.com');"
             "INSERT INTO athlete_profiles (user_id, is_athlete) VALUES "
             "(1, true)");
    stamp(db, {"031"});
    auto report = migrate_database(db.dsn());
    auto expected = ids_between("031", newest());
    expected.erase(std::find(expected.begin(), expected.end(), "032"));
    CHECK(report.applied == expected);
    check_schema(db);
    CHECK(db.query("SELECT is_athlete FROM athlete_profiles") == rows{{"t"}});
  }
  SECTION("two rows, 026 and 027") {
    scratch_database db;
    build_reference_at(db, "027");
    stamp(db, {"026", "027"});
    auto report = migrate_database(db.dsn());
    CHECK(report.from == "027");
    CHECK(report.applied == ids_between("028", newest()));
    check_schema(db);
  }
}

TEST_CASE("the reference's zone on users.timezone becomes the athlete's "
          "zone here, with a profile row when there was none") {
  scratch_database db;
  build_reference_at(db, "032");
  db.query("INSERT INTO users (email, timezone) VALUES ('a@example.com', "
           "'Europe/Berlin'), ('b@example.com', 'UTC'), ('c@example.com', "
           "'America/Denver');"
           "INSERT INTO athlete_profiles (user_id, ftp) VALUES (3, 250)");
  stamp(db, {"032"});
  migrate_database(db.dsn());
  CHECK(db.query("SELECT u.email, p.timezone, p.ftp FROM users u LEFT JOIN "
                 "athlete_profiles p ON p.user_id = u.id ORDER BY u.id") ==
        rows{{"a@example.com", "Europe/Berlin", ""},
             {"b@example.com", "", ""},
             {"c@example.com", "America/Denver", "250"}});
}

TEST_CASE("a stamp the schema contradicts is refused, not overwritten") {
  scratch_database db;
  build_reference_at(db, "018");
  stamp(db, {"020"});
  auto [rc, out] = run_binary({"migrate"}, {{"DATABASE_URL", db.dsn()}});
  CHECK(rc == 1);
  CHECK(out.find("database says revision '020' but lacks what that revision "
                 "made (sleep_extractions.image_storage_path)") !=
        std::string::npos);
  CHECK(db.query("SELECT version_num FROM alembic_version") == rows{{"020"}});
}

TEST_CASE("two migrate runs at once are safe") {
  scratch_database db;
  auto bin = std::getenv("SMART_TRAINER_BIN");
  REQUIRE(bin != nullptr);
  auto cmd = "export DATABASE_URL='" + db.dsn() + "'; '" + bin +
             "' migrate & a=$!; '" + bin + "' migrate & b=$!; " +
             "wait $a; ra=$?; wait $b; rb=$?; exit $((ra + rb))";
  auto [rc, out] = run_shell(cmd);
  INFO(out);
  CHECK(rc == 0);
  CHECK(out.find("applied " + std::to_string(migrations().size()) +
                 " migrations") != std::string::npos);
  CHECK(out.find("nothing to do") != std::string::npos);
  check_schema(db);
}

TEST_CASE("an unknown revision is refused, not overwritten") {
  scratch_database db;
  migrate_database(db.dsn());
  db.query("UPDATE alembic_version SET version_num = '099'");
  auto [rc, out] = run_binary({"migrate"}, {{"DATABASE_URL", db.dsn()}});
  CHECK(rc == 1);
  CHECK(out.find("unknown revision '099'") != std::string::npos);
}

TEST_CASE("cpp-015 turns the reference's Strava start dates into true UTC "
          "and keeps one live sync job per user") {
  scratch_database db;
  build_ours_numbered_at(db, "014");
  db.query("INSERT INTO users (email) VALUES ('s@example.com');"
           // The reference stored the local wall time labelled as UTC.
           "INSERT INTO strava_activities (user_id, strava_id, start_date, "
           "start_date_local, raw) VALUES (1, 7, '2024-07-02T08:30:00+00:00', "
           "'2024-07-02T08:30:00Z', '{\"start_date\": "
           "\"2024-07-02T06:30:00Z\", \"start_date_local\": "
           "\"2024-07-02T08:30:00Z\"}');"
           "INSERT INTO strava_sync_queue (user_id, status) VALUES "
           "(1, 'pending'), (1, 'pending'), (1, 'done')");
  auto report = migrate_database(db.dsn());
  CHECK(std::count(report.applied.begin(), report.applied.end(), "cpp-015") ==
        1);
  CHECK(db.query("SELECT to_char(start_date AT TIME ZONE 'UTC', "
                 "'HH24:MI'), start_date_local FROM strava_activities") ==
        rows{{"06:30", "2024-07-02T08:30:00Z"}});
  CHECK(db.query("SELECT id, status FROM strava_sync_queue ORDER BY id") ==
        rows{{"1", "done"}, {"2", "pending"}, {"3", "done"}});
}

TEST_CASE("a reference database at 032 serves its athlete through the API "
          "after the server migrates it at start") {
  scratch_database db;
  build_reference_at(db, "012");
  db.query(reference_rows_012);
  for (auto& n : ids_between("013", "032"))
    db.query(n == "019" ? reference_019 : migrations()[std::stoul(n) - 1].sql);
  db.query("UPDATE users SET timezone = 'Europe/Berlin', locale = 'de', "
           "is_premium = true;"
           "INSERT INTO athlete_profiles (user_id, ftp, calorie_goal, "
           "target_race_name, is_athlete) VALUES (1, 260, 2600, 'Roth', "
           "true)");
  stamp(db, {"032"});
  server_process server{{{"DATABASE_URL", db.dsn()}}};
  auto login =
    http_call(server.port(), "POST", "/api/v1/auth/login",
              R"({"email":"ref@example.com","password":"password1"})");
  REQUIRE(login.status == 200);
  rapidjson::Document tokens;
  tokens.Parse(login.body.c_str());
  auto auth = bearer(tokens["access_token"].GetString());
  auto get = [&](const std::string& path) {
    auto r = http_call(server.port(), "GET", path, {}, auth);
    INFO(path << " -> " << r.body);
    REQUIRE(r.status == 200);
    rapidjson::Document doc;
    doc.Parse(r.body.c_str());
    return doc;
  };
  auto profile = get("/api/v1/athlete-profile");
  CHECK(std::string{profile["timezone"].GetString()} == "Europe/Berlin");
  CHECK(profile["ftp"].GetInt() == 260);
  auto wellness =
    get("/api/v1/wellness?from_date=2026-03-01&to_date=2026-03-01");
  REQUIRE(wellness.IsArray());
  REQUIRE(wellness.Size() == 1);
  CHECK(wellness[0]["rhr"].GetDouble() == 48);
  CHECK(wellness[0]["sleep_hours"].GetDouble() == 7.5);
  auto day = get("/api/v1/nutrition/day?date=2026-03-01");
  CHECK(std::string{day["entries"][0]["name"].GetString()} == "Oats");
  CHECK(day["totals"]["calories"].GetDouble() == 300);
  auto history = get("/api/v1/chat/history");
  REQUIRE(history.IsArray());
  CHECK(history.Size() == 2);
  CHECK(db.query("SELECT version_num FROM alembic_version") ==
        rows{{newest()}});
}
