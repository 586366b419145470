#include "runtime/migrator.hpp"

#include "tests/support/environment.hpp"

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
std::set<std::string> catalog_of(const std::string& dsn) {
  std::set<std::string> result;
  for (auto& r : run_sql(dsn, R"(
      SELECT c.relname, a.attnum, a.attname,
             format_type(a.atttypid, a.atttypmod), a.attnotnull,
             coalesce(pg_get_expr(d.adbin, d.adrelid), '')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
                          AND NOT a.attisdropped
      LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname = 'public' AND c.relkind = 'r')"))
    result.insert("column " + r[0] + " #" + r[1] + " " + r[2] + " " + r[3] +
                  (r[4] == "t" ? " NOT NULL" : "") + " default=" + r[5]);
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

/// The same lines from the reference's catalog listing (tests/data).
std::set<std::string> reference_catalog() {
  std::ifstream in{std::string{ST_SOURCE_DIR} +
                   "/tests/data/reference-schema.json"};
  std::stringstream buf;
  buf << in.rdbuf();
  rapidjson::Document doc;
  doc.Parse(buf.str().c_str());
  REQUIRE(doc.IsObject());
  std::set<std::string> result;
  for (auto& t : doc["tables"].GetArray()) {
    int attnum = 0;
    for (auto& c : t["columns"].GetArray())
      result.insert(
        "column " + std::string{t["table"].GetString()} + " #" +
        std::to_string(++attnum) + " " + c["name"].GetString() + " " +
        c["type"].GetString() + (c["not_null"].GetBool() ? " NOT NULL" : "") +
        " default=" + (c["default"].IsNull() ? "" : c["default"].GetString()));
  }
  for (auto& c : doc["constraints"].GetArray())
    result.insert("constraint " + std::string{c["table"].GetString()} + " " +
                  c["name"].GetString() + " " + c["def"].GetString());
  for (auto& i : doc["indexes"].GetArray())
    result.insert("index " + std::string{i["table"].GetString()} + " " +
                  i["name"].GetString() + " " + i["def"].GetString());
  return result;
}

/// The catalog lines of this service's additions to the reference (013,
/// 014, 015, 016, 017).
const std::set<std::string>& additions() {
  static const std::set<std::string> result{
    "column refresh_token_chains #1 token_hash character varying(64) NOT NULL "
    "default=",
    "column refresh_token_chains #2 chain character varying(64) NOT NULL "
    "default=",
    "column refresh_token_chains #3 user_id integer NOT NULL default=",
    "column refresh_token_chains #4 spent_at timestamp with time zone "
    "default=",
    "column refresh_token_chains #5 expires_at timestamp with time zone NOT "
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
    "column athlete_profiles #15 timezone character varying(64) default=",
    "column user_reminders #1 user_id integer NOT NULL default=",
    "column user_reminders #2 kind character varying(32) NOT NULL default=",
    "column user_reminders #3 due_at timestamp with time zone NOT NULL "
    "default=",
    "column user_reminders #4 claimed_by character varying(128) default=",
    "column user_reminders #5 claimed_until timestamp with time zone default=",
    "column user_reminders #6 attempts integer NOT NULL default=0",
    "constraint user_reminders user_reminders_pkey PRIMARY KEY (user_id, "
    "kind)",
    "constraint user_reminders user_reminders_user_id_fkey FOREIGN KEY "
    "(user_id) REFERENCES users(id) ON DELETE CASCADE",
    "index user_reminders ix_user_reminders_due_at CREATE INDEX "
    "ix_user_reminders_due_at ON public.user_reminders USING btree (due_at)",
    "index user_reminders user_reminders_pkey CREATE UNIQUE INDEX "
    "user_reminders_pkey ON public.user_reminders USING btree (user_id, kind)",
    // 015
    "column strava_oauth_states #1 nonce character varying(64) NOT NULL "
    "default=",
    "column strava_oauth_states #2 user_id integer NOT NULL default=",
    "column strava_oauth_states #3 expires_at timestamp with time zone NOT "
    "NULL default=",
    "column strava_sync_queue #10 page_reached integer NOT NULL default=0",
    "column strava_sync_queue #11 activities_stored integer NOT NULL default=0",
    "column strava_sync_queue #12 last_error text default=",
    "column strava_sync_queue #13 lease_owner character varying(128) default=",
    "column strava_sync_queue #14 lease_until timestamp with time zone "
    "default=",
    "column strava_sync_queue #15 window_after bigint default=",
    "column strava_sync_queue #16 window_before bigint default=",
    "column strava_sync_queue #8 attempts integer NOT NULL default=0",
    "column strava_sync_queue #9 next_attempt_at timestamp with time zone "
    "default=",
    "column strava_webhook_events #1 id integer NOT NULL "
    "default=nextval('strava_webhook_events_id_seq'::regclass)",
    "column strava_webhook_events #2 user_id integer NOT NULL default=",
    "column strava_webhook_events #3 object_type character varying(16) NOT "
    "NULL default=",
    "column strava_webhook_events #4 object_id bigint NOT NULL default=",
    "column strava_webhook_events #5 aspect_type character varying(16) NOT "
    "NULL default=",
    "column strava_webhook_events #6 updates text NOT NULL default=",
    "column strava_webhook_events #7 event_time bigint NOT NULL default=",
    "column strava_webhook_events #8 received_at timestamp with time zone NOT "
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
    "column athlete_profiles #16 decision_hours smallint[] default=",
    "column daily_decisions #1 id integer NOT NULL "
    "default=nextval('daily_decisions_id_seq'::regclass)",
    "column daily_decisions #10 created_at timestamp with time zone NOT "
    "NULL default=now()",
    "column daily_decisions #2 user_id integer NOT NULL default=",
    "column daily_decisions #3 date date NOT NULL default=",
    "column daily_decisions #4 slot smallint default=",
    "column daily_decisions #5 decision character varying(8) NOT NULL "
    "default=",
    "column daily_decisions #6 reason text NOT NULL default=",
    "column daily_decisions #7 plan json default=",
    "column daily_decisions #8 suggestions text default=",
    "column daily_decisions #9 source character varying(8) NOT NULL "
    "default=",
    // 017
    "column daily_decisions #11 model_decision character varying(8) "
    "default=",
    "column daily_decisions #12 readiness json default=",
    "constraint daily_decisions ck_daily_decisions_model_decision CHECK "
    "(((model_decision)::text = ANY ((ARRAY['Go'::character varying, "
    "'Modify'::character varying, 'Skip'::character varying])::text[])))",
    "constraint daily_decisions ck_daily_decisions_decision CHECK "
    "(((decision)::text = ANY ((ARRAY['Go'::character varying, "
    "'Modify'::character varying, 'Skip'::character varying])::text[])))",
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
  };
  return result;
}

/// What the schema must be: the reference's objects exactly, plus ours.
std::set<std::string> expected_catalog() {
  auto result = reference_catalog();
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

} // namespace

TEST_CASE("migrate produces exactly the reference schema plus this "
          "service's additions, at revision 017") {
  scratch_database db;
  auto [rc, out] = run_binary({"migrate"}, {{"DATABASE_URL", db.dsn()}});
  INFO(out);
  REQUIRE(rc == 0);
  CHECK(out.find("applied 17 migrations: empty -> 017") != std::string::npos);
  auto ours = catalog_of(db.dsn());
  auto reference = expected_catalog();
  INFO(difference(ours, reference));
  CHECK(ours == reference);
  CHECK(ours.size() > 150);
  CHECK(db.query("SELECT version_num FROM alembic_version") ==
        std::vector<std::vector<std::string>>{{"017"}});
}

TEST_CASE("migrate on a database already at 017 changes nothing") {
  scratch_database db;
  migrate_database(db.dsn());
  db.query("INSERT INTO users (email) VALUES ('kept@example.com')");
  auto before = catalog_of(db.dsn());
  auto report = migrate_database(db.dsn());
  CHECK(report.from == "017");
  CHECK(report.to == "017");
  CHECK(report.applied.empty());
  CHECK(catalog_of(db.dsn()) == before);
  CHECK(db.query("SELECT email FROM users") ==
        std::vector<std::vector<std::string>>{{"kept@example.com"}});
}

TEST_CASE("a database part-way through the revisions (a reference one at "
          "009) is brought up to 017") {
  scratch_database db;
  for (auto& m : migrations()) {
    db.query(m.sql);
    if (std::string{m.version} == "009")
      break;
  }
  db.query("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
           "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));"
           "INSERT INTO alembic_version VALUES ('009')");
  auto report = migrate_database(db.dsn());
  CHECK(report.applied == std::vector<std::string>{"010", "011", "012", "013",
                                                   "014", "015", "016", "017"});
  CHECK(catalog_of(db.dsn()) == expected_catalog());
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
  CHECK(out.find("applied 17 migrations") != std::string::npos);
  CHECK(out.find("nothing to do") != std::string::npos);
  CHECK(catalog_of(db.dsn()) == expected_catalog());
}

TEST_CASE("an unknown revision is refused, not overwritten") {
  scratch_database db;
  migrate_database(db.dsn());
  db.query("UPDATE alembic_version SET version_num = '099'");
  auto [rc, out] = run_binary({"migrate"}, {{"DATABASE_URL", db.dsn()}});
  CHECK(rc == 1);
  CHECK(out.find("unknown revision '099'") != std::string::npos);
}

TEST_CASE("015 turns the reference's Strava start dates into true UTC and "
          "keeps one live sync job per user") {
  scratch_database db;
  for (auto& m : migrations()) {
    if (std::string{m.version} == "015")
      break;
    db.query(m.sql);
  }
  db.query("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
           "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));"
           "INSERT INTO alembic_version VALUES ('014');"
           "INSERT INTO users (email) VALUES ('s@example.com');"
           // The reference stored the local wall time labelled as UTC.
           "INSERT INTO strava_activities (user_id, strava_id, start_date, "
           "start_date_local, raw) VALUES (1, 7, '2024-07-02T08:30:00+00:00', "
           "'2024-07-02T08:30:00Z', '{\"start_date\": "
           "\"2024-07-02T06:30:00Z\", \"start_date_local\": "
           "\"2024-07-02T08:30:00Z\"}');"
           "INSERT INTO strava_sync_queue (user_id, status) VALUES "
           "(1, 'pending'), (1, 'pending'), (1, 'done')");
  auto report = migrate_database(db.dsn());
  CHECK(report.applied == std::vector<std::string>{"015", "016", "017"});
  CHECK(
    db.query("SELECT to_char(start_date AT TIME ZONE 'UTC', "
             "'HH24:MI'), start_date_local FROM strava_activities") ==
    std::vector<std::vector<std::string>>{{"06:30", "2024-07-02T08:30:00Z"}});
  CHECK(db.query("SELECT id, status FROM strava_sync_queue ORDER BY id") ==
        std::vector<std::vector<std::string>>{
          {"1", "done"}, {"2", "pending"}, {"3", "done"}});
}
