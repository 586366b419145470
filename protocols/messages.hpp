#pragma once

#include "protocols/fit.hpp"
#include "protocols/sql/statements.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace st {

// -- deadlines ----------------------------------------------------------------

/// When the caller stops waiting: nanoseconds since the Unix epoch on the
/// system clock (comparable across processes); 0 = never. Carried as data
/// into every queue and checked where work is taken from it, instead of a
/// timer per hop.
struct deadline {
  int64_t unix_ns = 0;

  /// Now, in the unit of `unix_ns`.
  [[nodiscard]] static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  }

  /// `within` from now.
  [[nodiscard]] static deadline in(std::chrono::nanoseconds within) {
    return deadline{now_ns() + within.count()};
  }

  /// Whether the caller has given up by now.
  [[nodiscard]] bool passed() const {
    return unix_ns != 0 && now_ns() >= unix_ns;
  }
};

// -- database -----------------------------------------------------------------

/// A text-format SQL value; none = NULL.
using db_value = caf::optional<std::string>;

/// One execution of a catalog statement with its parameters.
struct db_statement {
  stmt id = stmt::ping;
  std::vector<db_value> params;
};

/// Statements sent to the server in one round trip. With `transaction`
/// they commit or roll back together; otherwise each stands alone. A
/// `bulk` batch (a sync's write) waits in its own, longer queue behind
/// every interactive one.
struct db_batch {
  std::vector<db_statement> statements;
  bool transaction = false;
  bool bulk = false;
  /// Past it the batch is answered db_ec::expired instead of being sent:
  /// a batch is either sent before its caller gives up or never.
  deadline until;
};

/// The rows of one statement (text format) and its affected-row count.
struct db_rows {
  std::vector<std::vector<db_value>> rows;
  int64_t affected = 0;
};

/// The results of a batch, one per statement, in order.
struct db_reply {
  std::vector<db_rows> results;
  uint32_t num_round_trips = 0; ///< network round trips the batch took
};

/// Counters of a DB actor or the pool (sums over its connections).
struct db_stats {
  uint64_t num_round_trips = 0;
  uint64_t num_statements = 0;
  uint64_t num_batches = 0;
  uint64_t num_failed = 0;  ///< batches answered with an error
  uint64_t num_refused = 0; ///< refused because the queue was full
  uint64_t num_expired = 0; ///< dropped unsent: the caller had given up
  uint64_t num_queued = 0;  ///< waiting right now
  uint64_t num_busy = 0;    ///< connections working right now
  uint64_t max_busy = 0;    ///< most connections ever busy at once
  uint64_t num_connections = 0;
  uint64_t num_queued_bulk = 0; ///< of num_queued, in the bulk lane
  uint64_t num_reconnects = 0;  ///< connections re-established
  uint64_t mailbox_depth = 0;   ///< the pool actor's, when asked
};

// -- auth ---------------------------------------------------------------------

/// An authenticated account.
struct user_identity {
  int32_t id = 0;
  std::string email;
};

/// E-mail and password as the client sent them (validated, not normalised).
struct credentials {
  std::string email;
  std::string password;
  std::string client; ///< the caller's address (login attempts are counted)
  deadline until;     ///< the hashing is not started past it
};

/// POST auth/forgot-password: a well-formed address (trimmed, lower-cased)
/// and who asks (the requests of one client are counted).
struct password_reset_request {
  std::string email;
  std::string client;
};

/// POST auth/reset-password: the token of the mail and the new password.
struct password_reset {
  std::string token;
  std::string new_password;
  deadline until; ///< the hashing is not started past it
};

/// A password checked before an account is deleted.
struct password_check {
  int32_t user = 0;
  std::string password;
  deadline until; ///< the hashing is not started past it
};

/// GET users/me/export: the next page of section `section` (of
/// export_sections()) after the row id `after`.
struct export_page {
  int32_t section = 0;
  int64_t after = 0;
};

/// An e-mail to one recipient (sent through Resend, protocols/mail).
struct outgoing_mail {
  std::string to;
  std::string subject;
  std::string html;
  std::string text;
  /// The same key within 24 h is sent once (empty = none).
  std::string idempotency_key;
};

/// What register, login and refresh hand out.
struct token_pair {
  std::string access_token;
  std::string refresh_token;
  int64_t expires_in = 0;
  user_identity user;
};

// -- the athlete's own data (user actors) -------------------------------------

using opt_double = caf::optional<double>;
using opt_int = caf::optional<int64_t>;
using opt_string = caf::optional<std::string>;

/// The nutrition goals of the newer app (http-api-head.md §3.3).
struct nutrition_goals {
  opt_double calorie_goal;
  opt_double protein_goal;
  opt_double fat_goal;
  opt_double carbs_goal;
};

/// The AthleteProfile of http-api.md §3.4 (effective values and sources)
/// with the newer app's fields (http-api-head.md §3.3).
struct athlete_profile {
  opt_double weight_kg;
  opt_string weight_source;
  opt_int ftp;
  opt_string ftp_source;
  opt_double height_cm;
  opt_int birth_year;
  opt_string strava_firstname;
  opt_string strava_lastname;
  opt_string strava_profile_url;
  opt_string strava_sex;
  opt_string strava_updated_at;
  std::string display_name;
  opt_string timezone; ///< IANA name; none = UTC
  /// Hours of the scheduled decisions on the athlete's clock (theirs, or
  /// the server's when `own_decision_hours` is false).
  std::vector<int64_t> decision_hours;
  bool own_decision_hours = false;
  nutrition_goals goals;
  opt_string target_race_date; ///< YYYY-MM-DD
  opt_string target_race_name;
  /// Days from the athlete's today to the race; none for none or a past one.
  opt_int days_to_race;
  caf::optional<bool> is_athlete; ///< none = decided automatically
  bool is_premium = false;
  std::string locale; ///< users.locale (a supported one, else "ru")
};

/// A field PATCH can also clear: none = unchanged, an empty inner value =
/// cleared.
template<class T>
using clearable = caf::optional<caf::optional<T>>;

/// PATCH athlete-profile: none = unchanged.
struct profile_patch {
  opt_double weight_kg;
  opt_double height_cm;
  opt_int birth_year;
  opt_int ftp;
  opt_string timezone; ///< a known IANA name (checked by the route)
  /// 0-23, sorted, without repeats; empty = no scheduled decisions.
  caf::optional<std::vector<int64_t>> decision_hours;
  nutrition_goals goals;
  clearable<std::string> target_race_date; ///< YYYY-MM-DD
  clearable<std::string> target_race_name;
  clearable<bool> is_athlete;
  opt_string locale; ///< a supported one
};

/// The micronutrients a food estimate may carry (http-api-head.md §3.4):
/// g, mg, µg RAE and IU as the names say.
inline constexpr const char* extended_nutrient_keys[] = {
  "fiber_g",      "sodium_mg", "calcium_mg",    "iron_mg",      "potassium_mg",
  "magnesium_mg", "zinc_mg",   "vitamin_a_mcg", "vitamin_c_mg", "vitamin_d_iu"};

/// A food_log row as the API shows it.
struct food_entry {
  int32_t id = 0;
  std::string name;
  double portion_grams = 0;
  double calories = 0;
  double protein_g = 0;
  double fat_g = 0;
  double carbs_g = 0;
  std::string meal_type;
  std::string timestamp;
  /// Micronutrients (a JSON object of the ten keys of http-api-head.md
  /// §3.4); stored for everyone, shown to premium athletes only.
  opt_string extended_nutrients;
  bool can_reanalyze = false; ///< the athlete may have the model redo it
};

/// PATCH nutrition entry: none = unchanged (meal type already normalised).
struct food_patch {
  opt_string name;
  opt_double portion_grams;
  opt_double calories;
  opt_double protein_g;
  opt_double fat_g;
  opt_double carbs_g;
  opt_string meal_type;
};

/// Refers to one food_log row of the user.
struct food_ref {
  int32_t id = 0;
};

/// A sleep reading of the user's (by id).
struct sleep_ref {
  int32_t id = 0;
};

/// The entries of one UTC day and their sums.
struct food_day {
  std::string date;
  std::vector<food_entry> entries;
  double calories = 0;
  double protein_g = 0;
  double fat_g = 0;
  double carbs_g = 0;
};

/// A wellness_cache row; `sport_info` is the stored JSON text.
struct wellness_day {
  std::string date;
  opt_double sleep_hours;
  opt_double rhr;
  opt_double hrv;
  opt_double ctl;
  opt_double atl;
  opt_double tsb;
  opt_double weight_kg;
  opt_string sport_info;
  /// Who set `sleep_hours`: manual, photo or sync (none: unknown, older).
  opt_string sleep_source;
};

/// PUT wellness: the day and the values the user entered.
struct wellness_input {
  std::string date;
  opt_double sleep_hours;
  opt_double rhr;
  opt_double hrv;
  opt_double weight_kg;
  /// `sleep_hours` is written even when none (cleared): the newer app sent
  /// the key as null (the older app's null keeps the value).
  bool sleep_given = false;
};

/// DELETE wellness/{date}: which of the user-entered values go. The row
/// goes only when nothing else remains in it.
struct wellness_clear {
  std::string date;
  bool sleep = true; ///< sleep_hours and its source
  bool rhr = true;
  bool hrv = true;
  bool weight = true;
};

/// A date window (inclusive `YYYY-MM-DD` bounds) and optional paging;
/// `limit` < 0 = no paging (the reference's plain array). An empty `to` is
/// the user's today, an empty `from` `days` before `to`: the user's actor
/// resolves them in the user's time zone.
struct list_query {
  std::string from;
  std::string to;
  int64_t limit = -1;
  int64_t offset = 0;
  int64_t days = 0;
  /// Items in the newer app's detail (a workout's `raw`, `fit_checksum`).
  bool details = false;
};

/// A workouts row as the API shows it.
struct workout {
  int32_t id = 0;
  std::string start_date;
  opt_string name;
  opt_string type;
  opt_int duration_sec;
  opt_double distance_m;
  opt_double tss;
  std::string source;
  opt_string notes;
  opt_string raw_json; ///< upstream or FIT detail, JSON text
  opt_string fit_checksum;
  /// A create that merged into this existing workout (answered 200).
  bool merged = false;
};

/// Create (start_date required) or patch (none = unchanged) a workout;
/// `start_date` is already normalised to a UTC ISO timestamp.
struct workout_input {
  opt_string start_date;
  /// The UTC offset `start_date` was written in: its calendar day is where
  /// a duplicate is looked for.
  int32_t start_offset_sec = 0;
  opt_string name;
  opt_string type;
  opt_int duration_sec;
  opt_double distance_m;
  opt_double tss;
  opt_string notes;
};

/// Refers to one workouts row of the user.
struct workout_ref {
  int32_t id = 0;
};

/// The bytes a value was rendered to, kept next to the cached value they
/// show, so a cached read is rendered (and compressed) once per change
/// rather than on every read. Filled by the HTTP front (actors only carry
/// it); its threads share it.
class render_memo {
public:
  enum form : size_t { identity = 0, gzip = 1 };

  /// What `make()` returns, made on the first call for `f`.
  template<class F>
  std::shared_ptr<const std::string> get(form f, F make) {
    std::lock_guard<std::mutex> guard{mtx_};
    auto& slot = forms_[f];
    if (!slot)
      slot = std::make_shared<const std::string>(make());
    return slot;
  }

private:
  std::mutex mtx_;
  std::shared_ptr<const std::string> forms_[2];
};

/// One page of a list (`total` counts the whole window, `query` is the
/// resolved window).
template<class T>
struct page {
  std::vector<T> items;
  int64_t total = 0;
  list_query query;
  std::shared_ptr<render_memo> rendered = std::make_shared<render_memo>();
};

using wellness_page = page<wellness_day>;
using workout_page = page<workout>;

/// A cached page as the user's actor hands it out: shared, never copied.
template<class T>
using page_ptr = std::shared_ptr<const page<T>>;

/// CTL/ATL/TSB as of `date` (domain.md §6); `present` false = null.
struct fitness {
  bool present = false;
  double ctl = 0;
  double atl = 0;
  double tsb = 0;
  std::string date;
  /// The day of Intervals.icu's figures when they are not `date`'s.
  opt_string data_as_of;
};

/// Asks for the fitness figures as of `today`; empty = the user's today.
struct fitness_query {
  std::string today;
  /// The newer app named the day: `date` is that day, with `data_as_of`
  /// (else `date` is the figures' own day, as the older app knows it).
  bool dated = false;
};

/// An uploaded FIT file; the bytes travel shared, never copied per hop.
struct fit_upload {
  std::string filename;
  std::shared_ptr<const std::string> bytes;
};

/// POST workouts/preview-fit: the upload as it would be imported, stored
/// nowhere.
struct fit_preview {
  std::string start_date;
  std::string name; ///< also its type
  opt_int duration_sec;
  opt_double distance_m;
  opt_double tss;
  std::string raw_json;
};

/// A sleep_extractions row: `extracted_data` is the stored JSON text.
struct sleep_record {
  int32_t id = 0;
  std::string extracted_data;
  std::string created_at;
  /// The sleep actually slept, as the reading gave it to wellness
  /// (domain/sleep_night; filled in lists).
  opt_double night_sleep;
  /// The day the reading is for (domain/sleep_night; filled in lists).
  std::string night_date;
  /// Its screenshot is kept and the athlete is premium: the model may
  /// read it again (filled in lists).
  bool can_reanalyze = false;
};

/// POST sleep-extractions/{id}/reanalyze: the model reads the kept
/// screenshot again, told what it got wrong.
struct sleep_reanalysis {
  int32_t id = 0;
  std::string correction;
  std::string language; ///< as meal_photo::language
};

/// Save a validated sleep object, already in its stored JSON form.
struct sleep_input {
  std::string extracted_data;
};

/// The sleep list window of http-api.md §3.6.4; empty bounds are resolved
/// as in list_query, `limit` days back.
struct sleep_query {
  std::string from;
  std::string to;
  int64_t limit = 60;
};

/// What the reminder scheduler holds and has done.
struct reminder_stats {
  uint64_t num_claimed = 0; ///< rows this process claimed
  uint64_t num_fired = 0;   ///< reminders handed to user actors
  uint64_t num_moved = 0;   ///< claimed, then moved or dropped by the user
  uint64_t num_pending = 0; ///< claimed, waiting in memory right now
  uint64_t pending_bytes = 0;
  uint64_t mailbox_depth = 0; ///< the scheduler's, when asked
  /// Every process's stored reminders, read with each claim (as of the
  /// scheduler's last poll, `outlook_at`, Unix s; 0 = not read yet).
  uint64_t overdue = 0;
  uint64_t due_next_minute = 0;
  uint64_t claimed_now = 0; ///< of those two, held by some process
  int64_t next_due = 0;     ///< Unix s of the earliest; 0 = none stored
  int64_t outlook_at = 0;
};

/// The user actors' supervisor and the actors it supervises.
struct user_registry_stats {
  uint64_t num_resident = 0;
  uint64_t num_spawned = 0;
  uint64_t num_passivated = 0;
  uint64_t num_restarted = 0; ///< failed; the next request starts afresh
  uint64_t mailbox_depth = 0; ///< the registry's, when asked
  /// Over the resident user actors (bucket bounds above 15).
  uint64_t user_mailbox_max = 0;
  uint64_t user_mailbox_p95 = 0;
};

/// A Strava webhook event (external-apis.md §2.8) as the intake took it.
struct strava_webhook_event {
  std::string object_type; ///< `activity` or `athlete`
  int64_t object_id = 0;
  std::string aspect_type; ///< `create`, `update` or `delete`
  int64_t owner_id = 0;
  int64_t subscription_id = 0;
  int64_t event_time = 0;
  std::string updates;       ///< the `updates` object as JSON
  bool deauthorized = false; ///< athlete event with `authorized: "false"`
};

/// INTERNAL (tests): makes the user's actor throw while handling it.
struct fault_probe {
  bool crash = true;
};

// -- third-party APIs ---------------------------------------------------------

/// Sees a response body piece by piece (see upstream_request::tap).
using body_tap = std::function<void(std::string_view)>;

/// One outbound HTTP call (the upstream client retries and paces it).
struct upstream_request {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers; ///< `Name: value` lines
  std::string body;
  bool background = false; ///< yields to interactive calls on its host
  /// Not started (nor retried) past it: answered upstream_ec::expired.
  deadline until;
  /// Tries at most this many times (0 = the client's setting); a caller
  /// with its own retry policy (the Gemini broker) sends 1.
  uint32_t max_attempts = 0;
  /// One attempt's whole time in ms (0 = the client's setting).
  int64_t attempt_timeout_ms = 0;
  /// Signed with AWS Signature V4 (an S3-compatible store): libcurl's
  /// `aws:amz:<region>:<service>` and `<access key>:<secret key>`;
  /// empty = not signed.
  std::string aws_sigv4;
  std::string aws_credentials;
  /// Called on the transfer's thread with each piece of a 2xx body as it
  /// arrives (a stream read while it flows); local only, not inspected.
  std::shared_ptr<const body_tap> tap;
};

/// The upstream's answer (any status; the caller interprets it).
struct upstream_response {
  int status = 0;
  std::string body;
  uint32_t attempts = 0; ///< tries it took, retries included
  /// The last answer's `Retry-After` as a wait in ms (delta-seconds or an
  /// HTTP date); -1 = none or unreadable.
  int64_t retry_after_ms = -1;
  /// The last answer's header lines (`Name: value`).
  std::vector<std::string> headers;
};

/// How one transfer ended (from the curl thread to the upstream client).
struct upstream_outcome {
  uint64_t id = 0;
  int status = 0; ///< HTTP status; 0 = no answer (see `error`)
  std::string body;
  std::string retry_after;          ///< the `Retry-After` header, if any
  std::vector<std::string> headers; ///< every header line, trimmed
  bool timed_out = false;
  bool too_large = false;
  std::string error; ///< libcurl's message when there was no answer
};

/// Counters of the upstream client.
struct upstream_stats {
  uint64_t num_requests = 0; ///< logical requests received
  uint64_t num_attempts = 0; ///< transfers started, retries included
  uint64_t num_retries = 0;
  uint64_t num_failed = 0;  ///< answered with an upstream_ec error
  uint64_t num_waiting = 0; ///< queued for a rate slot or a retry right now
  uint64_t num_in_flight = 0;
  uint64_t num_refused = 0;   ///< refused: too many waiting for the host
  uint64_t num_expired = 0;   ///< dropped unsent: the caller had given up
  uint64_t mailbox_depth = 0; ///< the client's, when asked
};

// -- Intervals.icu (domain.md §4) ---------------------------------------------

/// Link request: athlete id (trimmed) and the API key in plain text.
struct intervals_link {
  std::string athlete_id;
  std::string api_key;
};

/// What one sync did (the last one is part of the status).
struct sync_report {
  bool ok = false;
  std::string detail;      ///< the error's detail when not ok
  std::string finished_at; ///< ISO instant
  bool background = false; ///< started by the refresh timer
  int64_t activities_synced = 0;
  int64_t wellness_days_synced = 0;
  int64_t activities_skipped = 0;    ///< no id, no start date, id too long
  int64_t wellness_days_skipped = 0; ///< no readable date
  uint32_t db_round_trips = 0;
  double fetch_ms = 0; ///< both upstream answers in
  double db_ms = 0;    ///< batch sent → committed
  double total_ms = 0;
};

/// GET intervals/status.
struct intervals_status {
  bool linked = false;
  std::string athlete_id;
  caf::optional<sync_report> last_sync;
  opt_string next_refresh_at; ///< ISO instant of the background refresh
};

/// A calendar event as http-api.md §3.9.5 shows it.
struct intervals_event {
  std::string id;
  opt_string title;
  opt_string start_date;
  opt_string end_date;
  opt_string type;
};

/// A completed activity as http-api.md §3.9.6 shows it.
struct intervals_activity {
  std::string id;
  opt_string name;
  opt_string start_date;
  opt_int duration_sec;
  opt_double distance_km;
  opt_double tss;
};

/// A planned workout to put on the athlete's Intervals.icu calendar.
struct planned_event {
  std::string name;
  std::string start_date_local; ///< `YYYY-MM-DDTHH:MM:SS`, no zone
  std::string category = "WORKOUT";
  opt_string type;
  opt_string description;
  opt_int moving_time;
};

// -- Strava (strava-endpoints.md) ---------------------------------------------

/// The OAuth callback's grant, for a state whose signature and expiry the
/// HTTP side verified; the user's actor checks the nonce's single use.
struct strava_code {
  std::string code;
  std::string scope; ///< what the athlete granted
  std::string nonce;
};

/// A sync job as GET strava/status shows it.
struct strava_job {
  int64_t id = 0;
  std::string status; ///< pending, running, done, failed
  int64_t pages_done = 0;
  int64_t activities_stored = 0;
  int64_t attempts = 0;
  opt_string last_error;
  opt_string requested_at;
  opt_string finished_at;
  opt_string next_attempt_at;
};

/// GET strava/status.
struct strava_status {
  bool linked = false;
  opt_int athlete_id;
  caf::optional<strava_job> job;
  /// Why the link ended when Strava ended it (revoked, deauthorized).
  opt_string unlinked_reason;
};

/// POST strava/sync: `syncing` (started now) or `queued` (waits for the
/// budget or a retry), and the job.
struct strava_ticket {
  std::string status;
  int64_t job_id = 0;
};

/// One activity of GET strava/activities.
struct strava_activity {
  int64_t id = 0;
  opt_string name;
  std::string start_date; ///< the athlete's wall time with its offset
  opt_int duration_sec;
  opt_double distance_km;
  double tss = 0;
  opt_string type;
};

/// A user's request for budget: up to `wanted` requests in the current
/// window. `wait`: queue until granted (else refuse at once).
struct strava_lease_request {
  int32_t user_id = 0;
  int64_t wanted = 1;
  bool interactive = false;
  bool wait = true;
  deadline until;
};

/// Requests granted to a user for the window ending at `window_end`
/// (Strava's clock, ms).
struct strava_lease {
  int64_t granted = 0;
  int64_t window_end = 0;
};

/// A call to Strava through the gateway: budgeted calls spend the user's
/// lease; OAuth calls (`budgeted` false) carry no rate headers.
struct strava_call {
  int32_t user_id = 0;
  bool budgeted = true;
  upstream_request request;
};

/// Counters of the gateway.
struct strava_stats {
  int64_t window_used = 0;
  int64_t window_limit = 0;
  int64_t day_used = 0;
  int64_t day_limit = 0;
  int64_t available = 0;
  bool confirmed = false; ///< headers seen since start
  uint64_t num_granted = 0;
  uint64_t num_sent = 0;
  uint64_t num_throttled = 0; ///< 429s received
  uint64_t num_waiting = 0;   ///< lease requests waiting now
  uint64_t num_refused = 0;   ///< refused at once (no room, no wait)
  uint64_t mailbox_depth = 0; ///< the gateway's, when asked
};

// -- photos and the AI (http-api.md §3.5–3.6, domain.md §8–10) --------------

/// An uploaded image; the bytes travel shared, never copied per hop.
struct image_upload {
  std::shared_ptr<const std::string> bytes;
};

/// An image made ready for the model: JPEG, upright, at most 1536 px on
/// its long side, in base64.
struct model_image {
  std::string mime_type;
  std::string base64;
  uint32_t width = 0;
  uint32_t height = 0;
};

/// A screenshot to keep for a later re-analysis, as the model saw it.
struct image_to_keep {
  int32_t user_id = 0;
  model_image image;
};

/// A kept image: its key in the store (`sleep/<user>/<32 hex>.<ext>`).
struct image_key {
  std::string path;
};

/// A FIT file decoded off the actors' threads: the summary (none = not a
/// readable activity), the upload's SHA-256 and the stored `raw` JSON.
struct fit_reading {
  caf::optional<fit_summary> summary;
  std::string checksum;
  std::string raw_json;
};

/// POST /nutrition/analyze: the photo, the meal type (normalised) and the
/// athlete's note for the model ("half portion").
struct meal_photo {
  image_upload image;
  std::string meal_type;
  std::string description;
  /// The language the request named (`X-App-Language`, else
  /// `Accept-Language`: its primary subtag); empty or unsupported = the
  /// athlete's own (util/locales).
  std::string language;
};

/// POST /photo/analyze: classify and extract; `save` false = preview.
struct photo_upload {
  image_upload image;
  std::string meal_type;
  bool save = true;
  /// The newer app also reads workout screenshots (the older one knows
  /// three kinds and would take a fourth for sleep).
  bool workouts = false;
  /// The language the request named (`X-App-Language`, else
  /// `Accept-Language`: its primary subtag); empty or unsupported = the
  /// athlete's own (util/locales).
  std::string language;
};

/// POST /photo/analyze-sleep; `full` asks for every sleep field.
struct sleep_photo {
  image_upload image;
  bool full = false;
  /// The language the request named (`X-App-Language`, else
  /// `Accept-Language`: its primary subtag); empty or unsupported = the
  /// athlete's own (util/locales).
  std::string language;
};

/// The NutritionAnalysis of http-api.md §3.5 (`id` 0 = not saved).
struct food_analysis {
  int32_t id = 0;
  std::string name;
  double portion_grams = 0;
  double calories = 0;
  double protein_g = 0;
  double fat_g = 0;
  double carbs_g = 0;
  opt_string extended_nutrients; ///< as food_entry's
};

/// A dish described in words for the model (the newer app's text
/// analysis): its name, portion and the athlete's correction ("vegan
/// sausage instead of pork").
struct meal_text {
  std::string name;
  double portion_grams = 0;
  std::string correction;
  std::string language; ///< as meal_photo's
};

/// POST nutrition/entries/add-from-text: the dish, estimated by the model
/// and stored for `date` (empty: the athlete's today).
struct meal_text_entry {
  meal_text dish;
  std::string meal_type;
  std::string date;
};

/// POST nutrition/entries/{id}/reanalyze: the entry estimated again; an
/// empty name or a negative portion keeps the stored one.
struct food_reanalysis {
  int32_t id = 0;
  meal_text dish;
  bool portion_given = false;
};

/// What POST /photo/analyze found: `type` is food, sleep or wellness and
/// says which of the others is meant.
/// A workout read from a screenshot (the newer app's fourth photo kind):
/// every field optional; stored nowhere (the app saves it as a workout).
struct photo_workout {
  opt_string name;
  opt_string date; ///< YYYY-MM-DD when the screen shows it
  opt_string sport_type;
  opt_int duration_sec;
  opt_double distance_m;
  opt_double calories;
  opt_int avg_hr;
  opt_int max_hr;
  opt_int tss;
  opt_string notes;
};

struct photo_analysis {
  std::string type;
  food_analysis food;
  sleep_record sleep;
  opt_int rhr;
  opt_double hrv;
  photo_workout workout;
};

// -- the coach: daily decisions and chat (domain.md §11-12) -------------------

/// A workout a decision proposes instead of the planned one
/// (http-api.md §3.10).
struct plan_item {
  std::string title;
  std::string start_date;
  opt_string end_date;
  opt_string description;
  std::string type = "workout";
  opt_string raw; ///< a JSON object's text
};

/// One signal the rules read for a decision (docs/decisions.md): its
/// value, the athlete's baseline and the band it is held to (an open end
/// is none), and the word it allows at most.
struct readiness_signal {
  std::string signal; ///< sleep, hrv_7d, hrv_today, rhr or tsb
  std::string unit;   ///< h, ln_rmssd, bpm or tsb
  opt_double value;
  opt_double baseline;
  opt_double band_low;
  opt_double band_high;
  std::string flag; ///< "", modify or skip
  opt_string note;  ///< why it could not be judged fully (too little history)
};

/// A Go / Modify / Skip decision for one day of the athlete.
struct daily_decision {
  /// Go, Modify or Skip; Advice for someone who is not an athlete
  /// (recommendations, no verdict, no plan: http-api-head.md §3.9.10).
  std::string decision;
  std::string reason;
  caf::optional<plan_item> modified_plan;
  opt_string suggestions_next_days;
  /// In the evening (and after a workout): food and sleep for the rest of
  /// the day, and tomorrow's session.
  opt_string evening_tips;
  opt_string plan_tomorrow;
  /// "ai" (the model's word, no rule flagged), "rules" (the rules alone:
  /// the model was not asked or could not answer) or "ai+rules" (the
  /// model asked, the rules flagged: their word when more cautious).
  std::string source;
  std::string date; ///< the athlete's day it is for
  opt_int slot;     ///< the scheduled hour; none = asked for
  std::string created_at;
  opt_string model_decision; ///< the model's own word, when it gave one
  std::vector<readiness_signal> readiness;
  /// A free athlete's answer to a decision asked for: the word only, with
  /// an upgrade hint (http-api-head.md §3.9.10); the rules made it.
  bool teaser = false;
};

/// POST chat/orchestrator/run: the day (empty = the athlete's today).
struct decision_request {
  std::string for_date;
  /// The app's clock (as chat_message::client_now).
  opt_string client_now;
  /// The language the request named (`X-App-Language`, else
  /// `Accept-Language`: its primary subtag); empty or unsupported = the
  /// athlete's own (util/locales).
  std::string language;
};

/// GET decisions: the last `days` days up to the athlete's today.
struct decision_query {
  int64_t days = 14;
};

/// One stored chat message.
struct chat_line {
  std::string role; ///< user or assistant
  std::string content;
  opt_string timestamp;
};

/// GET chat/history: the newest `limit` messages of a thread (none = the
/// athlete's default thread, made when they have none).
struct chat_history_query {
  int64_t limit = 50;
  opt_int thread_id;
  /// The request's language: the default thread's title when it is made.
  std::string language;
};

/// A conversation of the chat (http-api-head.md §3.9).
struct chat_thread {
  int32_t id = 0;
  std::string title;
  opt_string created_at;
};

using chat_thread_page = page<chat_thread>;

/// One of the athlete's threads, by id.
struct thread_ref {
  int32_t id = 0;
};

/// POST chat/threads (create) or PATCH chat/threads/{id} (rename): the
/// title (none or blank = the default title in `language`), at most
/// max_thread_title_chars.
struct thread_title {
  opt_string title;
  std::string language;
};

/// Where a streamed reply goes while the model writes it (the HTTP side
/// turns it into server-sent events). Thread-safe: deltas come from the
/// transfer's thread, the end from the user's actor. After `gone` (the
/// client left) everything is dropped, and the reply is still stored.
class reply_sink {
public:
  virtual ~reply_sink() = default;
  /// More of the reply's text.
  virtual void delta(std::string_view text) = 0;
  /// The reply is complete (and stored).
  virtual void done(const std::string& reply) = 0;
  /// The reply failed; nothing was stored.
  virtual void failed(const std::string& detail) = 0;
};

/// A file sent with a chat message (send-with-image, send-with-file):
/// the checked image, or the `.fit` file and whether to keep it as a
/// workout.
struct chat_attachment {
  enum class kind : uint8_t { none, image, fit } type = kind::none;
  std::shared_ptr<const std::string> bytes;
  std::string filename;
  bool save_workout = false;
};

/// POST chat/send: the athlete's message; `sink` set = stream the reply.
struct chat_message {
  std::string message;
  bool run_orchestrator = false;
  /// The thread (none = the athlete's default thread).
  opt_int thread_id;
  /// A route for premium athletes only (send-with-image, send-with-file),
  /// and what it carried.
  bool premium_only = false;
  chat_attachment attachment;
  /// The app's clock when it sent the message: its day is the athlete's
  /// today when it is close to the server's (http-api-head.md §3.9.7).
  opt_string client_now;
  std::shared_ptr<reply_sink> sink;
  /// The language the request named (`X-App-Language`, else
  /// `Accept-Language`: its primary subtag); empty or unsupported = the
  /// athlete's own (util/locales).
  std::string language;
};

/// The coach's reply (empty while it is streamed into the sink).
struct chat_reply {
  std::string reply;
};

// -- analytics (http-api-head.md §3.10) --------------------------------------

/// Which chart of the analytics tab.
enum class analytics_chart : uint8_t { overview, sleep, workouts, nutrition };

/// GET analytics/*: the window in the athlete's days (`to` empty = their
/// today, `from` empty = `days` before `to`; a span over 365 days is cut
/// to the newest 365).
struct analytics_query {
  analytics_chart chart = analytics_chart::overview;
  std::string from;
  std::string to;
  int64_t days = 30;
};

/// One wellness day of the window.
struct analytics_wellness {
  std::string date;
  opt_double sleep_hours;
  opt_double rhr;
  opt_double hrv;
  opt_double ctl;
  opt_double atl;
  opt_double tsb;
};

/// One workout of the window, on the athlete's day it started.
struct analytics_workout {
  std::string date;
  opt_string name;
  opt_string type;
  opt_int duration_sec;
  opt_double distance_m;
  opt_double tss;
};

/// The workouts of one day, summed.
struct analytics_training_day {
  std::string date;
  int64_t duration_sec = 0;
  double tss = 0;
  double distance_m = 0;
};

/// The food of one day, summed; `extended` the per-key sums of the
/// micronutrients, empty when no entry had any.
struct analytics_food_day {
  std::string date;
  double calories = 0;
  double protein_g = 0;
  double fat_g = 0;
  double carbs_g = 0;
  int64_t entries = 0;
  std::vector<std::pair<std::string, double>> extended;
};

/// The overview's figures over the window.
struct analytics_overview {
  opt_double avg_sleep_hours;
  int64_t wellness_days_with_sleep = 0;
  fitness load; ///< the newest CTL/ATL/TSB up to today (present or not)
  int64_t workout_count = 0;
  double total_tss = 0;
  int64_t days_with_food = 0;
  opt_double avg_calories_per_day;
};

/// What one chart shows (the parts its chart does not use stay empty).
struct analytics_report {
  analytics_chart chart = analytics_chart::overview;
  std::string from_date;
  std::string to_date;
  std::vector<analytics_wellness> wellness;
  std::vector<analytics_workout> workouts;
  std::vector<analytics_training_day> daily;
  std::vector<analytics_food_day> food;
  analytics_overview overview;
  nutrition_goals goals;
  uint32_t round_trips = 0; ///< database round trips it took (figures)
};

/// POST analytics/insight: the chart the app shows, its data (a JSON
/// value's text, bounded by the route) and an optional question.
struct insight_request {
  std::string chart_type;
  std::string data_json;
  opt_string question;
  std::string language; ///< as chat_message::language
};

/// The model's explanation; a free athlete's is one sentence, a teaser.
struct insight_reply {
  std::string insight;
  bool teaser = false;
};

// -- the Gemini broker (external-apis.md §1) ---------------------------------

/// Who waits for a model call: a person (photos, chat) goes first; batch
/// work (scheduled decisions) takes what is left and ages into a turn.
enum class ai_priority : uint8_t { interactive, batch };

/// One model call: a GenerateContentRequest body; the broker picks the
/// model, sends it, retries it and answers the text.
struct gemini_call {
  std::string body;
  ai_priority priority = ai_priority::interactive;
  bool stream = false; ///< streamGenerateContent?alt=sse
  deadline until;      ///< dropped unsent past it
  /// A stream's text as it arrives (local only, not inspected); a call
  /// whose text has begun to flow is not retried (it would repeat it).
  std::shared_ptr<reply_sink> sink;
};

/// The model's answer.
struct gemini_answer {
  std::string text;
  std::string finish_reason;
  std::string model; ///< the model that answered (primary or fallback)
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_tokens = 0;
  uint32_t attempts = 0;
};

/// What the broker holds and has done.
struct gemini_stats {
  bool configured = false;
  std::string model;
  std::string fallback_model;
  uint64_t max_concurrency = 0;
  uint64_t num_in_flight = 0;
  uint64_t max_in_flight = 0;
  uint64_t num_queued_interactive = 0;
  uint64_t num_queued_batch = 0;
  uint64_t num_calls = 0;    ///< calls received
  uint64_t num_attempts = 0; ///< requests sent, retries included
  uint64_t num_retries = 0;
  uint64_t num_succeeded = 0;
  uint64_t num_failed = 0;    ///< answered with an error after trying
  uint64_t num_refused = 0;   ///< refused unsent (queue full, breaker, quota)
  uint64_t num_expired = 0;   ///< dropped unsent: the caller had gone
  uint64_t num_fallbacks = 0; ///< attempts sent to the fallback model
  uint64_t prompt_tokens = 0;
  uint64_t output_tokens = 0;
  uint64_t cached_tokens = 0;
  std::string breaker; ///< closed, open or half-open
  uint64_t breaker_opened = 0;
  std::string paused_until; ///< daily quota spent: batch waits until (ISO)
  std::vector<std::string> alarms; ///< configuration faults seen
  uint64_t num_quota_pauses = 0;   ///< daily quota spent: batch paused
  uint64_t mailbox_depth = 0;      ///< the broker's, when asked
};

// -- inspection ---------------------------------------------------------------

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, deadline& x) {
  return f(caf::meta::type_name("st::deadline"), x.unix_ns);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_statement& x) {
  return f(caf::meta::type_name("st::db_statement"), x.id, x.params);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_batch& x) {
  return f(caf::meta::type_name("st::db_batch"), x.statements, x.transaction,
           x.bulk, x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_rows& x) {
  return f(caf::meta::type_name("st::db_rows"), x.rows, x.affected);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_reply& x) {
  return f(caf::meta::type_name("st::db_reply"), x.results, x.num_round_trips);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, db_stats& x) {
  return f(caf::meta::type_name("st::db_stats"), x.num_round_trips,
           x.num_statements, x.num_batches, x.num_failed, x.num_refused,
           x.num_expired, x.num_queued, x.num_busy, x.max_busy,
           x.num_connections, x.num_queued_bulk, x.num_reconnects,
           x.mailbox_depth);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_identity& x) {
  return f(caf::meta::type_name("st::user_identity"), x.id, x.email);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, credentials& x) {
  return f(caf::meta::type_name("st::credentials"), x.email, x.password,
           x.client, x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        password_reset_request& x) {
  return f(caf::meta::type_name("st::password_reset_request"), x.email,
           x.client);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, password_reset& x) {
  return f(caf::meta::type_name("st::password_reset"), x.token, x.new_password,
           x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, export_page& x) {
  return f(caf::meta::type_name("st::export_page"), x.section, x.after);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, password_check& x) {
  return f(caf::meta::type_name("st::password_check"), x.user, x.password,
           x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, outgoing_mail& x) {
  return f(caf::meta::type_name("st::outgoing_mail"), x.to, x.subject, x.html,
           x.text, x.idempotency_key);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, token_pair& x) {
  return f(caf::meta::type_name("st::token_pair"), x.access_token,
           x.refresh_token, x.expires_in, x.user);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, nutrition_goals& x) {
  return f(caf::meta::type_name("st::nutrition_goals"), x.calorie_goal,
           x.protein_goal, x.fat_goal, x.carbs_goal);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, athlete_profile& x) {
  return f(caf::meta::type_name("st::athlete_profile"), x.weight_kg,
           x.weight_source, x.ftp, x.ftp_source, x.height_cm, x.birth_year,
           x.strava_firstname, x.strava_lastname, x.strava_profile_url,
           x.strava_sex, x.strava_updated_at, x.display_name, x.timezone,
           x.decision_hours, x.own_decision_hours, x.goals, x.target_race_date,
           x.target_race_name, x.days_to_race, x.is_athlete, x.is_premium,
           x.locale);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, profile_patch& x) {
  return f(caf::meta::type_name("st::profile_patch"), x.weight_kg, x.height_cm,
           x.birth_year, x.ftp, x.timezone, x.decision_hours, x.goals,
           x.target_race_date, x.target_race_name, x.is_athlete, x.locale);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_entry& x) {
  return f(caf::meta::type_name("st::food_entry"), x.id, x.name,
           x.portion_grams, x.calories, x.protein_g, x.fat_g, x.carbs_g,
           x.meal_type, x.timestamp, x.extended_nutrients, x.can_reanalyze);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_patch& x) {
  return f(caf::meta::type_name("st::food_patch"), x.name, x.portion_grams,
           x.calories, x.protein_g, x.fat_g, x.carbs_g, x.meal_type);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_ref& x) {
  return f(caf::meta::type_name("st::food_ref"), x.id);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sleep_ref& x) {
  return f(caf::meta::type_name("st::sleep_ref"), x.id);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_day& x) {
  return f(caf::meta::type_name("st::food_day"), x.date, x.entries, x.calories,
           x.protein_g, x.fat_g, x.carbs_g);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, wellness_day& x) {
  return f(caf::meta::type_name("st::wellness_day"), x.date, x.sleep_hours,
           x.rhr, x.hrv, x.ctl, x.atl, x.tsb, x.weight_kg, x.sport_info,
           x.sleep_source);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, fit_preview& x) {
  return f(caf::meta::type_name("st::fit_preview"), x.start_date, x.name,
           x.duration_sec, x.distance_m, x.tss, x.raw_json);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, wellness_clear& x) {
  return f(caf::meta::type_name("st::wellness_clear"), x.date, x.sleep, x.rhr,
           x.hrv, x.weight);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, wellness_input& x) {
  return f(caf::meta::type_name("st::wellness_input"), x.date, x.sleep_hours,
           x.rhr, x.hrv, x.weight_kg, x.sleep_given);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, list_query& x) {
  return f(caf::meta::type_name("st::list_query"), x.from, x.to, x.limit,
           x.offset, x.days, x.details);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, workout& x) {
  return f(caf::meta::type_name("st::workout"), x.id, x.start_date, x.name,
           x.type, x.duration_sec, x.distance_m, x.tss, x.source, x.notes,
           x.raw_json, x.fit_checksum, x.merged);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, workout_input& x) {
  return f(caf::meta::type_name("st::workout_input"), x.start_date,
           x.start_offset_sec, x.name, x.type, x.duration_sec, x.distance_m,
           x.tss, x.notes);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, workout_ref& x) {
  return f(caf::meta::type_name("st::workout_ref"), x.id);
}

template<class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, page<T>& x) {
  return f(caf::meta::type_name("st::page"), x.items, x.total, x.query);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, fitness& x) {
  return f(caf::meta::type_name("st::fitness"), x.present, x.ctl, x.atl, x.tsb,
           x.date, x.data_as_of);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, fitness_query& x) {
  return f(caf::meta::type_name("st::fitness_query"), x.today, x.dated);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sleep_record& x) {
  return f(caf::meta::type_name("st::sleep_record"), x.id, x.extracted_data,
           x.created_at, x.night_sleep, x.night_date, x.can_reanalyze);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sleep_reanalysis& x) {
  return f(caf::meta::type_name("st::sleep_reanalysis"), x.id, x.correction,
           x.language);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_key& x) {
  return f(caf::meta::type_name("st::image_key"), x.path);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sleep_input& x) {
  return f(caf::meta::type_name("st::sleep_input"), x.extracted_data);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sleep_query& x) {
  return f(caf::meta::type_name("st::sleep_query"), x.from, x.to, x.limit);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, reminder_stats& x) {
  return f(caf::meta::type_name("st::reminder_stats"), x.num_claimed,
           x.num_fired, x.num_moved, x.num_pending, x.pending_bytes,
           x.mailbox_depth, x.overdue, x.due_next_minute, x.claimed_now,
           x.next_due, x.outlook_at);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, user_registry_stats& x) {
  return f(caf::meta::type_name("st::user_registry_stats"), x.num_resident,
           x.num_spawned, x.num_passivated, x.num_restarted, x.mailbox_depth,
           x.user_mailbox_max, x.user_mailbox_p95);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_webhook_event& x) {
  return f(caf::meta::type_name("st::strava_webhook_event"), x.object_type,
           x.object_id, x.aspect_type, x.owner_id, x.subscription_id,
           x.event_time, x.updates, x.deauthorized);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, fault_probe& x) {
  return f(caf::meta::type_name("st::fault_probe"), x.crash);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, upstream_request& x) {
  return f(caf::meta::type_name("st::upstream_request"), x.method, x.url,
           x.headers, x.body, x.background, x.until, x.max_attempts,
           x.attempt_timeout_ms, x.aws_sigv4, x.aws_credentials);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, upstream_response& x) {
  return f(caf::meta::type_name("st::upstream_response"), x.status, x.body,
           x.attempts, x.retry_after_ms, x.headers);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, upstream_outcome& x) {
  return f(caf::meta::type_name("st::upstream_outcome"), x.id, x.status, x.body,
           x.retry_after, x.headers, x.timed_out, x.too_large, x.error);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, upstream_stats& x) {
  return f(caf::meta::type_name("st::upstream_stats"), x.num_requests,
           x.num_attempts, x.num_retries, x.num_failed, x.num_waiting,
           x.num_in_flight, x.num_refused, x.num_expired, x.mailbox_depth);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_code& x) {
  return f(caf::meta::type_name("st::strava_code"), x.code, x.scope, x.nonce);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_job& x) {
  return f(caf::meta::type_name("st::strava_job"), x.id, x.status, x.pages_done,
           x.activities_stored, x.attempts, x.last_error, x.requested_at,
           x.finished_at, x.next_attempt_at);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_status& x) {
  return f(caf::meta::type_name("st::strava_status"), x.linked, x.athlete_id,
           x.job, x.unlinked_reason);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_ticket& x) {
  return f(caf::meta::type_name("st::strava_ticket"), x.status, x.job_id);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_activity& x) {
  return f(caf::meta::type_name("st::strava_activity"), x.id, x.name,
           x.start_date, x.duration_sec, x.distance_km, x.tss, x.type);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_lease_request& x) {
  return f(caf::meta::type_name("st::strava_lease_request"), x.user_id,
           x.wanted, x.interactive, x.wait, x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_lease& x) {
  return f(caf::meta::type_name("st::strava_lease"), x.granted, x.window_end);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_call& x) {
  return f(caf::meta::type_name("st::strava_call"), x.user_id, x.budgeted,
           x.request);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, strava_stats& x) {
  return f(caf::meta::type_name("st::strava_stats"), x.window_used,
           x.window_limit, x.day_used, x.day_limit, x.available, x.confirmed,
           x.num_granted, x.num_sent, x.num_throttled, x.num_waiting,
           x.num_refused, x.mailbox_depth);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, intervals_link& x) {
  return f(caf::meta::type_name("st::intervals_link"), x.athlete_id, x.api_key);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, sync_report& x) {
  return f(caf::meta::type_name("st::sync_report"), x.ok, x.detail,
           x.finished_at, x.background, x.activities_synced,
           x.wellness_days_synced, x.activities_skipped,
           x.wellness_days_skipped, x.db_round_trips, x.fetch_ms, x.db_ms,
           x.total_ms);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, intervals_status& x) {
  return f(caf::meta::type_name("st::intervals_status"), x.linked, x.athlete_id,
           x.last_sync, x.next_refresh_at);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, intervals_event& x) {
  return f(caf::meta::type_name("st::intervals_event"), x.id, x.title,
           x.start_date, x.end_date, x.type);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, intervals_activity& x) {
  return f(caf::meta::type_name("st::intervals_activity"), x.id, x.name,
           x.start_date, x.duration_sec, x.distance_km, x.tss);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, planned_event& x) {
  return f(caf::meta::type_name("st::planned_event"), x.name,
           x.start_date_local, x.category, x.type, x.description,
           x.moving_time);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, model_image& x) {
  return f(caf::meta::type_name("st::model_image"), x.mime_type, x.base64,
           x.width, x.height);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, image_to_keep& x) {
  return f(caf::meta::type_name("st::image_to_keep"), x.user_id, x.image);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_analysis& x) {
  return f(caf::meta::type_name("st::food_analysis"), x.id, x.name,
           x.portion_grams, x.calories, x.protein_g, x.fat_g, x.carbs_g,
           x.extended_nutrients);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, photo_workout& x) {
  return f(caf::meta::type_name("st::photo_workout"), x.name, x.date,
           x.sport_type, x.duration_sec, x.distance_m, x.calories, x.avg_hr,
           x.max_hr, x.tss, x.notes);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, meal_text& x) {
  return f(caf::meta::type_name("st::meal_text"), x.name, x.portion_grams,
           x.correction, x.language);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, meal_text_entry& x) {
  return f(caf::meta::type_name("st::meal_text_entry"), x.dish, x.meal_type,
           x.date);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, food_reanalysis& x) {
  return f(caf::meta::type_name("st::food_reanalysis"), x.id, x.dish,
           x.portion_given);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, photo_analysis& x) {
  return f(caf::meta::type_name("st::photo_analysis"), x.type, x.food, x.sleep,
           x.rhr, x.hrv, x.workout);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, plan_item& x) {
  return f(caf::meta::type_name("st::plan_item"), x.title, x.start_date,
           x.end_date, x.description, x.type, x.raw);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, readiness_signal& x) {
  return f(caf::meta::type_name("st::readiness_signal"), x.signal, x.unit,
           x.value, x.baseline, x.band_low, x.band_high, x.flag, x.note);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, daily_decision& x) {
  return f(caf::meta::type_name("st::daily_decision"), x.decision, x.reason,
           x.modified_plan, x.suggestions_next_days, x.evening_tips,
           x.plan_tomorrow, x.source, x.date, x.slot, x.created_at,
           x.model_decision, x.readiness, x.teaser);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_request& x) {
  return f(caf::meta::type_name("st::decision_request"), x.for_date,
           x.client_now, x.language);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, decision_query& x) {
  return f(caf::meta::type_name("st::decision_query"), x.days);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_line& x) {
  return f(caf::meta::type_name("st::chat_line"), x.role, x.content,
           x.timestamp);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_history_query& x) {
  return f(caf::meta::type_name("st::chat_history_query"), x.limit, x.thread_id,
           x.language);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_thread& x) {
  return f(caf::meta::type_name("st::chat_thread"), x.id, x.title,
           x.created_at);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, thread_ref& x) {
  return f(caf::meta::type_name("st::thread_ref"), x.id);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, thread_title& x) {
  return f(caf::meta::type_name("st::thread_title"), x.title, x.language);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, chat_reply& x) {
  return f(caf::meta::type_name("st::chat_reply"), x.reply);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, gemini_call& x) {
  return f(caf::meta::type_name("st::gemini_call"), x.body, x.priority,
           x.stream, x.until);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, gemini_answer& x) {
  return f(caf::meta::type_name("st::gemini_answer"), x.text, x.finish_reason,
           x.model, x.prompt_tokens, x.output_tokens, x.cached_tokens,
           x.attempts);
}

template<class Inspector>
typename Inspector::result_type inspect(Inspector& f, gemini_stats& x) {
  return f(caf::meta::type_name("st::gemini_stats"), x.configured, x.model,
           x.fallback_model, x.max_concurrency, x.num_in_flight,
           x.max_in_flight, x.num_queued_interactive, x.num_queued_batch,
           x.num_calls, x.num_attempts, x.num_retries, x.num_succeeded,
           x.num_failed, x.num_refused, x.num_expired, x.num_fallbacks,
           x.prompt_tokens, x.output_tokens, x.cached_tokens, x.breaker,
           x.breaker_opened, x.paused_until, x.alarms, x.num_quota_pauses,
           x.mailbox_depth);
}

} // namespace st

// Local only: shared, immutable payloads that are never copied per hop.
// Sending them to another node needs an inspect() first.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::fit_upload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::password_reset_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::password_reset)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::password_check)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::export_page)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::fit_reading)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::image_upload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::meal_photo)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::photo_upload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::sleep_photo)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::chat_message)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::page_ptr<st::wellness_day>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::page_ptr<st::workout>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::page_ptr<st::chat_thread>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::analytics_query)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::analytics_report)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::insight_request)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(st::insight_reply)
