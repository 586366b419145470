#pragma once

#include "protocols/atoms.hpp"
#include "protocols/messages.hpp"

#include <caf/typed_actor.hpp>

namespace st {

/// Shared protocol: counters of a database component.
using db_status_actor =
  caf::typed_actor<caf::replies_to<atom::status>::with<db_stats>>;

/// A DB connection actor, and the pool in front of them (same protocol, so
/// callers cannot tell one connection from the pool).
using db_actor = db_status_actor::extend<
  /// Runs a batch in one round trip; answers its rows or a db_ec error.
  caf::replies_to<atom::exec, db_batch>::with<db_reply>>;

/// The pool in front of the DB actors: their protocol, plus its own sweep.
using db_pool_actor = db_actor::extend<
  /// INTERNAL: fails waiting batches whose caller has given up.
  caf::reacts_to<atom::internal, atom::tick>>;

/// A bcrypt worker, and the pool in front of them. A job whose deadline
/// passed while it waited is answered call_ec::expired, not computed.
using password_hasher_actor = caf::typed_actor<
  /// Hashes a password with a fresh salt; answers the `$2b$` string.
  caf::replies_to<atom::hash, deadline, std::string>::with<std::string>,
  /// Checks a password against a stored hash; answers whether it matches.
  caf::replies_to<atom::verify, deadline, std::string,
                  std::string>::with<bool>>;

/// Accounts and tokens (http-api.md §2.2, §3.2).
using auth_actor = caf::typed_actor<
  /// Creates an account; answers a token pair or auth_ec::invalid_signup.
  caf::replies_to<atom::signup, credentials>::with<token_pair>,
  /// Checks credentials; answers a token pair or auth_ec::not_authenticated.
  caf::replies_to<atom::login, credentials>::with<token_pair>,
  /// Rotates a refresh token; answers a new pair or auth_ec::not_authenticated.
  caf::replies_to<atom::refresh, std::string>::with<token_pair>,
  /// Revokes a refresh token; answers whether a row was removed.
  caf::replies_to<atom::logout, std::string>::with<bool>,
  /// The live account of a verified token's user id, or
  /// auth_ec::not_authenticated (the HTTP front verifies tokens, once).
  caf::replies_to<atom::identify, int32_t>::with<user_identity>,
  /// Mails a password-reset link when the address has an account; answers
  /// true alike for every address (no enumeration), or auth_ec::throttled
  /// / mail_unavailable.
  caf::replies_to<atom::forgot, password_reset_request>::with<bool>,
  /// Sets a new password with a mailed token (once); answers a fresh token
  /// pair, every other session and reset token of the account revoked, or
  /// auth_ec::invalid_reset.
  caf::replies_to<atom::reset, password_reset>::with<token_pair>,
  /// Checks an account's own password (before it is deleted); answers
  /// true or auth_ec::wrong_password.
  caf::replies_to<atom::verify, password_check>::with<bool>,
  /// The account was deleted: its tokens are refused from now on (the
  /// identity it had in the cache goes).
  caf::reacts_to<atom::erase, int32_t>,
  /// INTERNAL: purges expired refresh tokens, then re-arms the timer.
  caf::reacts_to<atom::internal, atom::purge>>;

/// The one way out to third-party HTTP APIs (Intervals.icu now, Strava
/// and Gemini later): paces every host to its request-rate cap, puts
/// interactive calls before background ones, retries 429/5xx/timeouts with
/// backoff (honouring `Retry-After`). Transfers run on libcurl's multi
/// interface on a thread of its own.
using upstream_actor = caf::typed_actor<
  /// Performs a call; answers the final response (any status, after the
  /// retries) or an upstream_ec error when no answer came.
  caf::replies_to<atom::fetch, upstream_request>::with<upstream_response>,
  /// Counters.
  caf::replies_to<atom::status>::with<upstream_stats>,
  /// INTERNAL (curl thread): a transfer ended.
  caf::reacts_to<atom::internal, atom::done, upstream_outcome>,
  /// INTERNAL: the wait before retrying request `id` is over.
  caf::reacts_to<atom::internal, atom::retry, uint64_t>,
  /// INTERNAL: the rate window of a host moved on; start what waits.
  caf::reacts_to<atom::internal, atom::tick, std::string>>;

/// The only way to Gemini (external-apis.md §1): a global concurrency
/// limit and per-minute budgets, interactive calls before batch work
/// (which ages into a turn), bounded queues, retries with backoff, quota
/// classification, a fallback model and a circuit breaker.
using gemini_broker_actor = caf::typed_actor<
  /// Sends a call (retrying it); answers the text or an ai_ec error.
  caf::replies_to<atom::generate, gemini_call>::with<gemini_answer>,
  /// Counters, breaker, pause and alarms.
  caf::replies_to<atom::status>::with<gemini_stats>,
  /// INTERNAL: the wait before retrying call `id` is over.
  caf::reacts_to<atom::internal, atom::retry, uint64_t>,
  /// INTERNAL: a budget window moved, the breaker may probe, or the daily
  /// pause ended: start what waits.
  caf::reacts_to<atom::internal, atom::tick>>;

/// The only way to Strava (external-apis.md §2): owns the app-wide rate
/// budget as Strava counts it (domain/strava_budget), leases each user a
/// fair share of the current window, and never sends a budgeted request
/// that no lease covers. Lease requests wait in two FIFOs (interactive
/// first) until a window opens.
using strava_gateway_actor = caf::typed_actor<
  /// Up to `wanted` requests of the current window for the user, when
  /// there is room (strava_ec::rate_limited at once if `wait` is false,
  /// call_ec::expired past the deadline).
  caf::replies_to<atom::lease, strava_lease_request>::with<strava_lease>,
  /// Gives back what is left of the user's lease.
  caf::reacts_to<atom::release, int32_t>,
  /// Sends a call; a budgeted one spends one request of the caller's
  /// lease (strava_ec::no_lease without one). Answers any status.
  caf::replies_to<atom::fetch, strava_call>::with<upstream_response>,
  /// The budget and counters.
  caf::replies_to<atom::status>::with<strava_stats>,
  /// INTERNAL: a window opened (or a deadline passed): serve what waits.
  caf::reacts_to<atom::internal, atom::tick>>;

/// Detached workers for uploads, and the pool in front of them (same
/// protocol): image conversion for the model, FIT decoding and the
/// upload's checksum never run on an HTTP thread or a scheduler thread.
/// A job whose deadline passed while it waited is answered
/// call_ec::expired; a full queue call_ec::overloaded.
using upload_pool_actor = caf::typed_actor<
  /// Converts an image for the model (user_ec::unreadable_file,
  /// user_ec::unsupported_file).
  caf::replies_to<atom::convert, deadline, image_upload>::with<model_image>,
  /// Decodes a FIT file and hashes the upload.
  caf::replies_to<atom::decode, deadline, fit_upload>::with<fit_reading>>;

/// Where sleep screenshots are kept for a later re-analysis: an
/// S3-compatible store, or PostgreSQL (runtime/ picks one). Answers
/// upstream_ec / db_ec errors when the store cannot be reached, and
/// user_ec::not_found for a key it does not hold.
using image_store_actor = caf::typed_actor<
  /// Keeps an image under a fresh key of its user; answers the key.
  caf::replies_to<deadline, atom::put, image_to_keep>::with<image_key>,
  /// The image kept under a key.
  caf::replies_to<deadline, atom::get, image_key>::with<model_image>,
  /// Forgets a key (a key it does not hold is no error).
  caf::replies_to<deadline, atom::del, image_key>::with<bool>>;

// -- the user actor, facet by facet -------------------------------------------
//
// Every request to a user's actor starts with the caller's deadline: past
// it, the request is answered call_ec::expired without doing anything.
// Not-found answers are user_ec::not_found; a deleted account
// user_ec::account_gone.

/// The athlete's profile and time zone (http-api.md §3.4).
using user_profile_facet = caf::typed_actor<
  /// The profile with effective weight/FTP, display name and time zone.
  caf::replies_to<deadline, atom::get, atom::profile>::with<athlete_profile>,
  /// Applies the given profile fields (creating the row); answers it.
  caf::replies_to<deadline, atom::patch, profile_patch>::with<athlete_profile>>;

/// Nutrition and sleep records (http-api.md §3.5–3.6).
using user_diary_facet = caf::typed_actor<
  /// Stores a food entry (`timestamp` = its date; empty = the user's
  /// today); answers it.
  caf::replies_to<deadline, atom::add, food_entry>::with<food_entry>,
  /// One food entry.
  caf::replies_to<deadline, atom::get, food_ref>::with<food_entry>,
  /// Applies the given food fields; answers the entry.
  caf::replies_to<deadline, atom::patch, food_ref,
                  food_patch>::with<food_entry>,
  /// Deletes a food entry.
  caf::replies_to<deadline, atom::del, food_ref>::with<bool>,
  /// The entries of one day (empty = the user's today) with totals.
  caf::replies_to<deadline, atom::get, atom::day, std::string>::with<food_day>,
  /// Stores a sleep extraction (and what it says in the day's wellness);
  /// answers the record.
  caf::replies_to<deadline, atom::add, sleep_input>::with<sleep_record>,
  /// Deletes a sleep reading, and the day's sleep it gave
  /// (user_ec::not_found).
  caf::replies_to<deadline, atom::del, sleep_ref>::with<bool>,
  /// Sleep extractions uploaded within a window, newest first.
  caf::replies_to<deadline, atom::get,
                  sleep_query>::with<std::vector<sleep_record>>>;

/// Wellness, workouts, fitness and FIT imports (http-api.md §3.7–3.8).
using user_training_facet = caf::typed_actor<
  /// Upserts the user's values for a day; answers the day.
  caf::replies_to<deadline, atom::put, wellness_input>::with<wellness_day>,
  /// Clears the user-entered values of a day (user_ec::not_found without a
  /// row); the row goes when nothing else is left in it.
  caf::replies_to<deadline, atom::del, wellness_clear>::with<bool>,
  /// Wellness days of a window, ascending (a cached page, shared).
  caf::replies_to<deadline, atom::get, atom::wellness,
                  list_query>::with<page_ptr<wellness_day>>,
  /// Creates a manual workout; answers it.
  caf::replies_to<deadline, atom::add, workout_input>::with<workout>,
  /// Applies the given workout fields; answers the workout.
  caf::replies_to<deadline, atom::patch, workout_ref,
                  workout_input>::with<workout>,
  /// Deletes a workout.
  caf::replies_to<deadline, atom::del, workout_ref>::with<bool>,
  /// Workouts of a window, newest first, duplicates collapsed (shared).
  caf::replies_to<deadline, atom::get, atom::workouts,
                  list_query>::with<page_ptr<workout>>,
  /// CTL/ATL/TSB (domain.md §6, or Intervals' values when linked).
  caf::replies_to<deadline, atom::get, fitness_query>::with<fitness>,
  /// Imports a FIT file as a workout (user_ec::unreadable_file,
  /// user_ec::duplicate).
  caf::replies_to<deadline, atom::add, fit_upload>::with<workout>,
  /// What a FIT file would import as, stored nowhere
  /// (user_ec::unreadable_file).
  caf::replies_to<deadline, atom::analyze, fit_upload>::with<fit_preview>>;

/// The Intervals.icu link (http-api.md §3.9).
using user_intervals_facet = caf::typed_actor<
  /// Link state and the last sync (http-api.md §3.9.1).
  caf::replies_to<deadline, atom::get, atom::intervals>::with<intervals_status>,
  /// Verifies the key upstream, then stores it encrypted (400 invalid key,
  /// 503 unreachable or no encryption key in production).
  caf::replies_to<deadline, atom::link, intervals_link>::with<intervals_status>,
  /// Deletes the credentials; answers whether a row existed.
  caf::replies_to<deadline, atom::unlink>::with<bool>,
  /// Syncs 90 days of activities and wellness; joins a sync in flight.
  caf::replies_to<deadline, atom::sync>::with<sync_report>,
  /// Planned events of a window, live from Intervals.icu ([] on failure).
  caf::replies_to<deadline, atom::get, atom::events,
                  list_query>::with<std::vector<intervals_event>>,
  /// Completed activities of a window, live ([] on failure).
  caf::replies_to<deadline, atom::get, atom::activities,
                  list_query>::with<std::vector<intervals_activity>>,
  /// Puts a planned workout on the athlete's calendar; answers the event.
  caf::replies_to<deadline, atom::add, planned_event>::with<intervals_event>>;

/// Photos read by the model (http-api.md §3.5.1, §3.6.1–3.6.2): the image
/// converted on the upload pool, the call through the broker, the result
/// mended into its bounds and saved as the reference does.
using user_photo_facet = caf::typed_actor<
  /// A dish estimate from a meal photo, saved as a food entry.
  caf::replies_to<deadline, atom::analyze, meal_photo>::with<food_analysis>,
  /// Food, sleep screen or wellness screen, extracted (saved unless a
  /// preview).
  caf::replies_to<deadline, atom::analyze, photo_upload>::with<photo_analysis>,
  /// A sleep tracker screenshot, saved as a sleep extraction.
  caf::replies_to<deadline, atom::analyze, sleep_photo>::with<sleep_record>,
  /// A dish described in words, estimated, stored nowhere (premium).
  caf::replies_to<deadline, atom::analyze, meal_text>::with<food_analysis>,
  /// A dish described in words, estimated and stored as a food entry.
  caf::replies_to<deadline, atom::add, meal_text_entry>::with<food_entry>,
  /// A stored food entry estimated again from words (premium).
  caf::replies_to<deadline, atom::analyze, food_reanalysis>::with<food_entry>,
  /// A sleep reading's kept screenshot read again (premium).
  caf::replies_to<deadline, atom::analyze,
                  sleep_reanalysis>::with<sleep_record>>;

/// The Strava link (strava-endpoints.md §4): OAuth, the durable sync job,
/// reads of the stored activities, the profile refresh.
using user_strava_facet = caf::typed_actor<
  /// Link state, the latest job's progress, why Strava ended a link.
  caf::replies_to<deadline, atom::get, atom::strava>::with<strava_status>,
  /// A signed, single-use, expiring OAuth `state` for the authorize URL.
  caf::replies_to<deadline, atom::authorize>::with<std::string>,
  /// The callback: takes the state's nonce once, exchanges the code,
  /// stores the link and queues the first sync (never run inside it).
  caf::replies_to<deadline, atom::link, strava_code>::with<strava_ticket>,
  /// Queues a sync (one live job per user) and starts it when it can.
  caf::replies_to<deadline, atom::sync, atom::strava>::with<strava_ticket>,
  /// Deauthorizes at Strava and deletes the link and its data.
  caf::replies_to<deadline, atom::unlink, atom::strava>::with<bool>,
  /// Stored activities of a window (the athlete's dates), newest first.
  caf::replies_to<deadline, atom::get, atom::strava,
                  list_query>::with<std::vector<strava_activity>>,
  /// CTL/ATL/TSB from the stored activities' TSS.
  caf::replies_to<deadline, atom::get, atom::strava,
                  atom::fitness>::with<fitness>,
  /// Fetches the athlete from Strava into the profile's Strava fields.
  caf::replies_to<deadline, atom::refresh, atom::strava>::with<athlete_profile>,
  /// INTERNAL (the athlete's sync job): a background GET of this Strava
  /// URL with the athlete's token and lease; answers any status, or why
  /// no call was made (no budget in time, link gone or revoked).
  caf::replies_to<deadline, atom::fetch, atom::strava,
                  std::string>::with<upstream_response>,
  /// INTERNAL (the athlete's webhook events): a deauthorization arrived;
  /// refreshes the token now, which asks Strava whether the grant stands
  /// (true; strava_ec::revoked when it ended the link).
  caf::replies_to<deadline, atom::refresh, atom::strava,
                  atom::link>::with<bool>>;

/// The coach (http-api.md §3.10, http-api-head.md §3.9): daily decisions,
/// the chat and its threads.
using user_coach_facet = caf::typed_actor<
  /// Decides the day now (interactive), stores it; answers it.
  caf::replies_to<deadline, atom::decide,
                  decision_request>::with<daily_decision>,
  /// The stored decisions of the last days, newest first.
  caf::replies_to<deadline, atom::get,
                  decision_query>::with<std::vector<daily_decision>>,
  /// The newest chat messages of a thread, oldest first
  /// (user_ec::not_found: not the athlete's thread).
  caf::replies_to<deadline, atom::get,
                  chat_history_query>::with<std::vector<chat_line>>,
  /// A page of the athlete's threads, newest first.
  caf::replies_to<deadline, atom::get, atom::chat,
                  list_query>::with<page_ptr<chat_thread>>,
  /// Creates a thread; answers it.
  caf::replies_to<deadline, atom::add, thread_title>::with<chat_thread>,
  /// Renames a thread (user_ec::not_found); answers it.
  caf::replies_to<deadline, atom::patch, thread_ref,
                  thread_title>::with<chat_thread>,
  /// Deletes a thread and its messages (user_ec::not_found).
  caf::replies_to<deadline, atom::del, thread_ref>::with<bool>,
  /// Deletes a thread's messages and keeps it (user_ec::not_found).
  caf::replies_to<deadline, atom::purge, thread_ref>::with<bool>,
  /// A chat message and the coach's reply (or a streamed one).
  caf::replies_to<deadline, atom::chat, chat_message>::with<chat_reply>>;

/// The analytics tab (http-api-head.md §3.10): each chart in the
/// athlete's days, in one round trip; a chart explained by the model.
using user_analytics_facet = caf::typed_actor<
  /// A chart's figures over a window.
  caf::replies_to<deadline, atom::get, analytics_query>::with<analytics_report>,
  /// The model's explanation of a chart's data (a free athlete's: a
  /// counted one-sentence teaser).
  caf::replies_to<deadline, atom::analyze,
                  insight_request>::with<insight_reply>>;

/// What every user actor does whatever its facets.
using user_core_facet = caf::typed_actor<
  /// INTERNAL (scheduler, via the registry): the reminder of `kind` is due;
  /// answered once taken (the account loaded, its facet's work started).
  caf::replies_to<atom::internal, atom::remind, std::string>::with<bool>,
  /// Deletes the account and every row of it (one statement: the foreign
  /// keys cascade) after its Strava link is deauthorized upstream (a
  /// failure there is logged); from then on every request of it answers
  /// account_gone, and the actor ends once its work in flight is done.
  caf::replies_to<deadline, atom::erase>::with<bool>,
  /// A page of the athlete's data export: `(id, row JSON)` rows.
  caf::replies_to<deadline, atom::fetch, export_page>::with<db_rows>,
  /// INTERNAL (registry's idle sweep): ask to passivate if idle.
  caf::reacts_to<atom::internal, atom::tick>,
  /// INTERNAL: the registry agreed to passivation; quit now.
  caf::reacts_to<atom::internal, atom::passivate>>;

#ifdef ST_TEST_HOOKS
/// The test build's hooks (FAULT_INJECTION=true); absent from the service.
using user_test_hooks_facet = caf::typed_actor<
  /// Throws inside the actor (supervision tests).
  caf::replies_to<deadline, fault_probe>::with<bool>,
  /// Sets a reminder of kind "probe" due at the next time the user's
  /// clock shows the given second of the day.
  caf::replies_to<deadline, atom::remind, int64_t>::with<std::string>>;
#endif

/// One athlete's actor: owns the user's cached data; every read and write
/// of the user's rows goes through it, one request at a time, in arrival
/// order.
using user_actor =
  user_core_facet::extend_with<user_profile_facet, user_diary_facet,
                               user_training_facet, user_intervals_facet,
                               user_photo_facet, user_strava_facet,
                               user_coach_facet, user_analytics_facet
#ifdef ST_TEST_HOOKS
                               ,
                               user_test_hooks_facet
#endif
                               >;

/// One running Strava sync job of one athlete (actors/strava_sync_job):
/// spawned and monitored by the athlete's actor, which hears how it ended
/// from its exit. It claims the athlete's due job in strava_sync_queue,
/// fetches the pages through the athlete's actor (the owner of the link,
/// the token and the lease), stores each page with its progress and a
/// renewed claim, writes how the job ended and follows the queue. It
/// advances by these steps, each a message to itself.
using strava_sync_job_actor = caf::typed_actor<
  /// Claim the due job; without one, follow the queue and end.
  caf::reacts_to<atom::internal, atom::claim>,
  /// Fetch the next page.
  caf::reacts_to<atom::internal, atom::fetch>,
  /// Store the page fetched; the last one ends the job done.
  caf::reacts_to<atom::internal, atom::store>,
  /// No budget in time: renew the claim, then fetch again.
  caf::reacts_to<atom::internal, atom::lease>,
  /// Write how the job ended, follow the queue, quit.
  caf::reacts_to<atom::internal, atom::done>>;

/// One pass over an athlete's Strava webhook events
/// (actors/strava_events_job): spawned and monitored by the athlete's
/// actor. It reads the waiting events and applies them in arrival order,
/// each a hint checked with Strava through the athlete's actor before
/// anything is upserted or deleted; deletes the applied ones; and reads
/// again until none is left, or until Strava could not be reached (the
/// events' reminder then retries later).
using strava_events_job_actor = caf::typed_actor<
  /// Read the waiting events.
  caf::reacts_to<atom::internal, atom::events>,
  /// Apply the next one.
  caf::reacts_to<atom::internal, atom::webhook>,
  /// Delete the applied ones; read again or quit.
  caf::reacts_to<atom::internal, atom::done>>;

/// Spawns user actors on first need (and only then: start-up spawns
/// nobody), restarts them after a crash (state is reloaded from the
/// database), and lets idle ones passivate.
using user_registry_actor = caf::typed_actor<
  /// The user's actor, spawned if needed.
  caf::replies_to<atom::get, int32_t>::with<user_actor>,
  /// INTERNAL (from a user actor): it has been idle; forget it, then tell
  /// it to quit. Requests routed before this reach it first.
  caf::reacts_to<atom::internal, atom::passivate, int32_t>,
  /// INTERNAL (scheduler): wake the user's actor for a due reminder;
  /// answered by the user's actor once it has taken it.
  caf::replies_to<atom::internal, atom::remind, int32_t,
                  std::string>::with<bool>,
  /// A Strava webhook event: stored (strava_events) for the athletes
  /// linked to its owner, whose actors are then woken for it; answered
  /// once stored.
  caf::replies_to<deadline, atom::webhook, strava_webhook_event>::with<bool>,
  /// INTERNAL: the idle sweep (asks every live actor whether it is idle).
  caf::reacts_to<atom::internal, atom::tick>,
  /// Resident, spawned, passivated, restarted; the mailbox depths.
  caf::replies_to<atom::status>::with<user_registry_stats>>;

/// Durable reminders (user_reminders): keeps only the next few minutes in
/// memory, claims due rows so that several processes on one database fire
/// each reminder once, and wakes the user's actor through the registry.
/// The user actor writes its own next due times.
using reminder_scheduler_actor = caf::typed_actor<
  /// Counters and what is held in memory.
  caf::replies_to<atom::status>::with<reminder_stats>,
  /// INTERNAL: claim what is due soon (the poll).
  caf::reacts_to<atom::internal, atom::tick>,
  /// INTERNAL: a claimed reminder is due; fire what is due now.
  caf::reacts_to<atom::internal, atom::remind>>;

} // namespace st
