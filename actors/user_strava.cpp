#include "actors/user_strava.hpp"

#include "actors/strava_events_job.hpp"
#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "config/defaults.hpp"
#include "protocols/errors.hpp"
#include "protocols/sql/arrays.hpp"
#include "protocols/strava.hpp"
#include "protocols/tokens.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "domain/training_load.hpp"
#include "util/dates.hpp"
#include "util/log.hpp"
#include "util/text.hpp"

namespace st {

using namespace user_db;

namespace {

using link_ptr = std::shared_ptr<strava_link>;
using done_fn = std::function<void(caf::error)>;
using answer_fn = std::function<void(caf::expected<upstream_response>)>;

const strava_settings& config(user_self self) {
  return *self->state.cfg->strava;
}

user_strava_part& part(user_self self) {
  return self->state.part<user_strava_part>();
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

caf::error not_linked() {
  return make_error(strava_ec::not_linked, "Strava not linked.");
}

caf::error refused(std::string detail) {
  return make_error(strava_ec::refused, std::move(detail));
}

caf::error bad_answer(std::string detail) {
  return make_error(strava_ec::bad_answer, std::move(detail));
}

bool linked(user_self self) {
  return part(self).link && *part(self).link;
}

/// A call to Strava of this user through the gateway.
auto request_gateway(user_self self, strava_call x) {
  x.user_id = self->state.id;
  return self->request(config(self).gateway, caf::infinite, atom::fetch_v,
                       std::move(x));
}

upstream_request api_request(user_self self, std::string url,
                             const std::string& token, bool background) {
  upstream_request r;
  r.url = std::move(url);
  r.headers = {strava::bearer(token), "Accept: application/json"};
  r.background = background;
  r.until =
    background ? deadline::in(config(self).lease_wait * 2) : self->state.until;
  return r;
}

upstream_request oauth_request(user_self self, const std::string& path,
                               std::string form) {
  upstream_request r;
  r.method = "POST";
  r.url = config(self).oauth_base_url + path;
  r.headers = {"Content-Type: application/x-www-form-urlencoded",
               "Accept: application/json"};
  r.body = std::move(form);
  r.until = deadline::in(defaults::strava_oauth_time);
  return r;
}

/// Runs `k` with the user's link, loading it once (awaited: in order with
/// link and unlink).
void with_link(user_self self, std::function<void(caf::expected<link_ptr>)> k) {
  if (part(self).link)
    return k(*part(self).link);
  request_db(self,
             batch_of({statement_of(stmt::strava_link, {self->state.uid()})}))
    .await(
      [=](db_reply& r) {
        link_ptr link;
        if (auto row = first_row(r)) {
          auto& key = config(self).key;
          link = std::make_shared<strava_link>();
          link->athlete_id = integer((*row)[0]).value_or(0);
          link->refresh_token = reveal_secret(key, (*row)[1].value_or(""));
          link->access_token = reveal_secret(key, (*row)[2].value_or(""));
          link->expires_at = integer((*row)[3]).value_or(0);
        }
        part(self).link = link;
        k(link);
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// The row statements of a profile's Strava fields.
db_statement profile_update(user_self self, const strava::athlete_fields& a) {
  return statement_of(stmt::strava_profile_update,
                      {self->state.uid(), param(a.weight_kg), param(a.ftp),
                       a.firstname, a.lastname, a.profile_url, a.sex});
}

/// Forgets the link in memory after its rows went.
void drop_link(user_self self) {
  auto& p = part(self);
  ++p.link_epoch;
  p.link = link_ptr{};
  p.lease_left = 0;
  self->send(config(self).gateway, atom::release_v, self->state.id);
  self->state.reload_profile(self); // its Strava fields went
}

/// Strava ended the grant (revoked, deauthorized): everything of the link
/// goes, as an unlink would, and the status says why.
void revoke(user_self self, const std::string& reason, done_fn k) {
  log_warn("strava", "user " + std::to_string(self->state.id) +
                       ": link ended by Strava: " + reason);
  auto uid = self->state.uid();
  request_db(self,
             batch_of({statement_of(stmt::strava_unlink, {uid}),
                       statement_of(stmt::strava_revoked, {uid, reason})},
                      true),
             deadline::in(defaults::strava_write_time))
    .then(
      [=](db_reply&) {
        drop_link(self);
        k(make_error(strava_ec::revoked, reason));
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

const char* revoked_reason = "Strava access was revoked; connect Strava again.";

/// Runs `k` with a usable access token: the stored one until 5 minutes
/// before it expires, else a refreshed one (one refresh however many
/// ask; the rotated pair is stored together).
void with_token(user_self self,
                std::function<void(caf::expected<std::string>)> k) {
  auto& p = part(self);
  if (!linked(self))
    return k(not_linked());
  auto link = *p.link;
  auto margin = std::chrono::duration_cast<std::chrono::seconds>(
                  defaults::strava_refresh_margin)
                  .count();
  if (!link->access_token.empty() && link->expires_at - margin > unix_now())
    return k(link->access_token);
  p.token_waiters.push_back(std::move(k));
  if (p.token_waiters.size() > 1)
    return; // joins the refresh in flight
  auto finish = [=](caf::expected<std::string> x) {
    auto waiters = std::move(part(self).token_waiters);
    part(self).token_waiters.clear();
    for (auto& w : waiters)
      w(x);
  };
  if (link->refresh_token.empty())
    return revoke(self,
                  "The stored Strava credentials cannot be read; "
                  "connect Strava again.",
                  [=](caf::error err) {
                    finish(std::move(err));
                  });
  auto& cfg = config(self);
  auto epoch = p.link_epoch;
  strava_call call;
  call.budgeted = false;
  call.request =
    oauth_request(self, "/token",
                  strava::refresh_form(cfg.client_id, cfg.client_secret,
                                       link->refresh_token));
  request_gateway(self, std::move(call))
    .then(
      [=](upstream_response& r) {
        if (part(self).link_epoch != epoch)
          return finish(not_linked());
        if (strava::grant_revoked(r.status, r.body))
          return revoke(self, revoked_reason, [=](caf::error err) {
            finish(std::move(err));
          });
        auto grant =
          r.status == 200 ? strava::parse_token_grant(r.body) : std::nullopt;
        if (!grant)
          return finish(bad_answer("Strava token refresh failed (status " +
                                   std::to_string(r.status) + ")."));
        if (!grant->refresh_token.empty())
          link->refresh_token = grant->refresh_token;
        link->access_token = grant->access_token;
        link->expires_at = grant->expires_at;
        auto& key = config(self).key;
        request_db(self,
                   batch_of({statement_of(
                     stmt::strava_tokens_update,
                     {self->state.uid(), seal_secret(key, link->refresh_token),
                      seal_secret(key, link->access_token),
                      std::to_string(link->expires_at)})}),
                   deadline::in(defaults::strava_write_time))
          .then(
            [=](db_reply&) {
              finish(link->access_token);
            },
            [=](caf::error& err) {
              // Not stored: the old refresh token may be spent already;
              // use this access token, the next refresh tries again.
              log_warn("strava",
                       "cannot store rotated tokens: " + to_string(err));
              finish(link->access_token);
            });
      },
      [=](caf::error&) {
        finish(bad_answer("Strava could not be reached to refresh the "
                          "access token."));
      });
}

/// Takes one request of the user's lease, asking the gateway for more
/// (`wanted`) when it is spent or its window ended.
void spend_lease(user_self self, bool interactive, bool wait, int64_t wanted,
                 done_fn k) {
  auto& p = part(self);
  auto now = config(self).clock.now();
  if (p.lease_left > 0 && now < p.lease_window_end) {
    --p.lease_left;
    return k(caf::none);
  }
  strava_lease_request x;
  x.user_id = self->state.id;
  x.wanted = std::max<int64_t>(1, wanted);
  x.interactive = interactive;
  x.wait = wait;
  x.until =
    interactive ? self->state.until : deadline::in(config(self).lease_wait);
  self->request(config(self).gateway, caf::infinite, atom::lease_v, x)
    .then(
      [=](strava_lease& l) {
        auto& p = part(self);
        p.lease_left = l.granted - 1;
        p.lease_window_end = l.window_end;
        k(caf::none);
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// A budgeted GET of the user's: lease, token, call. A 401 refreshes the
/// token and tries once more, then ends the link. A lease that ran out
/// between grant and send (its window ended) is taken again at once; a
/// 429 too for a caller who waits, while background work gets it as an
/// error (a job renews its claim first). A few tries at most.
void api_get(user_self self, std::string url, bool interactive, bool wait,
             int64_t wanted, answer_fn k, int tries = 0,
             bool refreshed = false) {
  auto epoch = part(self).link_epoch;
  auto again = [=](caf::error why) {
    part(self).lease_left = 0; // nothing more in this window
    // A lease that ended with its window is taken again at once, for
    // background work too; a 429 is the caller's (a job renews its claim).
    bool retry = interactive || why == strava_ec::no_lease;
    if (!retry || tries + 1 >= defaults::strava_call_tries)
      return k(std::move(why));
    api_get(self, url, interactive, wait, wanted, k, tries + 1, refreshed);
  };
  spend_lease(self, interactive, wait, wanted, [=](caf::error err) {
    if (err)
      return k(std::move(err));
    with_token(self, [=](caf::expected<std::string> token) {
      if (!token)
        return k(std::move(token.error()));
      strava_call call;
      call.request = api_request(self, url, *token, !interactive);
      request_gateway(self, std::move(call))
        .then(
          [=](upstream_response& r) {
            if (part(self).link_epoch != epoch)
              return k(not_linked());
            if (r.status == 429)
              return again(make_error(strava_ec::rate_limited,
                                      "Strava rate limit reached; try again "
                                      "later.",
                                      int64_t{60}));
            if (r.status == 401) {
              if (refreshed)
                return revoke(self, revoked_reason, [=](caf::error e) {
                  k(std::move(e));
                });
              if (linked(self))
                (*part(self).link)->expires_at = 0; // refresh first
              return api_get(self, url, interactive, wait, wanted, k, tries,
                             true);
            }
            k(std::move(r));
          },
          [=](caf::error& e) {
            if (e == strava_ec::no_lease)
              return again(std::move(e));
            k(std::move(e));
          });
    });
  });
}

// -- the jobs -----------------------------------------------------------------

strava_job_context job_context(user_self self) {
  auto& st = self->state;
  return {st.id, caf::actor_cast<user_actor>(self), st.db, st.cfg->strava};
}

/// Starts the user's sync job actor (it claims the due job, or follows
/// the queue) unless one runs; `ended` hears how it ended.
void run_job(user_self self) {
  if (part(self).sync_job)
    return;
  with_link(self, [=](caf::expected<link_ptr> link) {
    auto& st = self->state;
    if (!link || !*link) {
      if (link)
        st.write_in_background(
          self, st.forget_reminder(user_strava_part::sync_reminder),
          "the Strava sync reminder");
      return st.work_ended(self);
    }
    if (part(self).sync_job)
      return;
    part(self).sync_job =
      self->spawn<caf::monitored>(strava_sync_job, job_context(self));
  });
}

strava_ticket ticket_of(const std::string& status, int64_t job) {
  return strava_ticket{status, job};
}

/// Queues the user's job (one live job per user, made due now) and its
/// reminder; answers the ticket, then starts it.
void enqueue(user_self self, caf::typed_response_promise<strava_ticket> rp,
             std::vector<db_statement> before = {}) {
  bool profile_written = !before.empty();
  auto& st = self->state;
  before.push_back(statement_of(stmt::strava_job_enqueue, {st.uid()}));
  before.push_back(st.remind_at(user_strava_part::sync_reminder,
                                std::chrono::system_clock::now()));
  auto job_index = before.size() - 2;
  request_db(self, batch_of(std::move(before), true))
    .await(
      [=](db_reply& r) mutable {
        auto row = first_row(r, job_index);
        auto job = row ? integer((*row)[0]).value_or(0) : 0;
        if (profile_written)
          self->state.reload_profile(self);
        // "syncing" when the budget has room for it now, as the
        // reference's limiter decided (the work runs in the background
        // either way).
        self->request(config(self).gateway, caf::infinite, atom::status_v)
          .then(
            [=](strava_stats& s) mutable {
              rp.deliver(ticket_of(
                s.available > 0 || part(self).sync_job ? "syncing" : "queued",
                job));
              run_job(self);
            },
            [=](caf::error&) mutable {
              rp.deliver(ticket_of("queued", job));
              run_job(self);
            });
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
}

/// The athlete's local wall time: Strava's `start_date_local` (local time
/// written with a `Z`) minus the true instant is the offset.
int64_t local_offset(int64_t utc, const opt_string& local) {
  if (!local)
    return 0;
  auto wall = parse_unix(*local);
  if (!wall)
    return 0;
  auto offset = (*wall - utc) / 60 * 60;
  return std::abs(offset) <= 18 * 3600 ? offset : 0;
}

} // namespace

std::vector<strava_activity> user_strava_part::activities_of(const db_rows& r,
                                                             opt_double ftp,
                                                             int64_t from,
                                                             int64_t to) {
  std::vector<strava_activity> result;
  for (auto& row : r.rows) {
    auto utc = integer(row[2]).value_or(0);
    auto offset = local_offset(utc, row[3]);
    auto local_secs = utc + offset;
    auto day =
      local_secs >= 0 ? local_secs / 86400 : (local_secs - 86399) / 86400;
    if (day < from || day > to)
      continue;
    strava_activity a;
    a.id = integer(row[0]).value_or(0);
    a.name = text(row[1]);
    a.start_date = format_with_offset(utc, offset);
    a.duration_sec = integer(row[4]);
    if (auto d = num(row[5]))
      a.distance_km = round_to(*d / 1000, 1);
    a.type = text(row[6]);
    auto power = num(row[7]);
    if (!power)
      power = num(row[8]);
    a.tss = strava_tss(a.duration_sec, a.type, power, ftp);
    result.push_back(std::move(a));
  }
  return result;
}

db_statement user_strava_part::activity_range(const user_state& st,
                                              int64_t from, int64_t to) {
  // The UTC instants around the local days (offsets reach ±14 h).
  auto first = from * 86400 - 86400;
  auto last = (to + 2) * 86400;
  return statement_of(stmt::strava_activity_range,
                      {st.uid(), std::to_string(first), std::to_string(last)});
}

namespace {

/// Reads the stored activities of days [from, to] (local dates) with the
/// effective FTP, then `k`.
void read_activities(
  user_self self, int64_t from, int64_t to,
  std::function<void(caf::expected<std::vector<strava_activity>>)> k) {
  request_db(
    self, batch_of({statement_of(stmt::effective_ftp, {self->state.uid()}),
                    user_strava_part::activity_range(self->state, from, to)}))
    .await(
      [=](db_reply& r) {
        opt_double ftp;
        if (auto row = first_row(r, 0))
          ftp = num((*row)[0]);
        k(user_strava_part::activities_of(r.results[1], ftp, from, to));
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// GET /athlete into the profile's Strava fields, if the budget has room
/// now (never waits: someone is waiting for the answer); answers the
/// profile.
void fetch_athlete(user_self self,
                   std::function<void(caf::expected<athlete_profile>)> k) {
  api_get(self, strava::athlete_url(config(self).api_base_url), true, false, 1,
          [=](caf::expected<upstream_response> r) {
            if (!r) {
              if (r.error() == strava_ec::rate_limited ||
                  r.error() == strava_ec::revoked ||
                  r.error() == strava_ec::not_linked)
                return k(std::move(r.error()));
              return k(bad_answer("Failed to fetch athlete from Strava."));
            }
            auto athlete =
              r->status == 200 ? strava::parse_athlete(r->body) : std::nullopt;
            if (!athlete)
              return k(bad_answer("Failed to fetch athlete from Strava."));
            if (trim(r->body) == "{}")
              return k(bad_answer("Empty response from Strava."));
            request_db(self, batch_of({profile_update(self, *athlete),
                                       statement_of(stmt::profile_by_user,
                                                    {self->state.uid()})},
                                      true))
              .then(
                [=](db_reply& r) {
                  auto row = first_row(r, 1);
                  if (row == nullptr)
                    return k(
                      make_error(user_ec::account_gone, "User not found"));
                  k(self->state.profile_row_read(self, *row));
                },
                [=](caf::error& err) {
                  k(std::move(err));
                });
          });
}

/// Delivers an outcome to `rp`.
template<class T>
std::function<void(caf::expected<T>)>
deliver_to(caf::typed_response_promise<T> rp) {
  return [rp](caf::expected<T> x) mutable {
    if (x)
      rp.deliver(std::move(*x));
    else
      rp.deliver(std::move(x.error()));
  };
}

/// Runs `k(rp)` once the link is known to exist; answers why not otherwise.
template<class T, class F>
caf::result<T> when_linked(user_self self, F k) {
  auto rp = self->make_response_promise<T>();
  with_link(self, [=](caf::expected<link_ptr> link) mutable {
    if (!link)
      return void(rp.deliver(std::move(link.error())));
    if (!*link)
      return void(rp.deliver(not_linked()));
    k(rp);
  });
  return rp;
}

} // namespace

// -- requests
// -------------------------------------------------------------------

caf::result<strava_status> user_strava_part::status(user_self self) {
  auto rp = self->make_response_promise<strava_status>();
  with_link(self, [=](caf::expected<link_ptr> link) mutable {
    if (!link)
      return void(rp.deliver(std::move(link.error())));
    request_db(self, batch_of({statement_of(stmt::strava_job_latest,
                                            {self->state.uid()})}))
      .await(
        [=](db_reply& r) mutable {
          strava_status s;
          s.linked = *link != nullptr;
          if (s.linked && (*link)->athlete_id != 0)
            s.athlete_id = (*link)->athlete_id;
          if (auto row = first_row(r)) {
            strava_job job;
            job.id = integer((*row)[0]).value_or(0);
            job.status = (*row)[1].value_or("");
            job.pages_done = integer((*row)[2]).value_or(0);
            job.activities_stored = integer((*row)[3]).value_or(0);
            job.attempts = integer((*row)[4]).value_or(0);
            job.last_error = text((*row)[5]);
            job.requested_at = text((*row)[6]);
            job.finished_at = text((*row)[7]);
            job.next_attempt_at = text((*row)[8]);
            if (job.status == "revoked") {
              if (!s.linked)
                s.unlinked_reason = job.last_error;
            } else {
              s.job = std::move(job);
            }
          }
          rp.deliver(std::move(s));
        },
        [=](caf::error& err) mutable {
          rp.deliver(std::move(err));
        });
  });
  return rp;
}

caf::result<std::string> user_strava_part::authorize(user_self self) {
  auto& cfg = config(self);
  strava::oauth_state s;
  s.user_id = self->state.id;
  s.nonce = random_hex(16);
  s.expires_at = unix_now() + std::chrono::duration_cast<std::chrono::seconds>(
                                defaults::strava_state_lifetime)
                                .count();
  auto state = strava::sign_state(cfg.state_key, s);
  return run<std::string>(
    self,
    batch_of({statement_of(
      stmt::strava_state_insert,
      {self->state.uid(), s.nonce, std::to_string(s.expires_at)})}),
    [state](db_reply&) -> caf::expected<std::string> {
      return state;
    });
}

caf::result<strava_ticket> user_strava_part::link_code(user_self self,
                                                       strava_code x) {
  auto& cfg = config(self);
  if (cfg.refuse_plaintext)
    return make_error(strava_ec::not_configured,
                      "Credential storage is not configured on this server "
                      "(ENCRYPTION_KEY).");
  auto rp = self->make_response_promise<strava_ticket>();
  auto until = self->state.until;
  // The nonce is taken first (awaited): a replayed state finds nothing.
  request_db(self, batch_of({statement_of(stmt::strava_state_take,
                                          {self->state.uid(), x.nonce})}))
    .await(
      [=](db_reply& r) mutable {
        if (first_row(r) == nullptr)
          return void(rp.deliver(refused("Invalid state.")));
        if (!strava::grants_activities(x.scope))
          return void(rp.deliver(
            refused("Strava did not grant access to activities; connect "
                    "again and allow it.")));
        auto& cfg = config(self);
        strava_call call;
        call.budgeted = false;
        call.request =
          oauth_request(self, "/token",
                        strava::exchange_form(cfg.client_id, cfg.client_secret,
                                              x.code, cfg.redirect_uri));
        call.request.until = until;
        auto epoch = ++part(self).link_epoch;
        request_gateway(self, std::move(call))
          .then(
            [=](upstream_response& r) mutable {
              if (r.status != 200)
                return void(
                  rp.deliver(refused("Failed to exchange code for tokens.")));
              auto grant = strava::parse_token_grant(r.body);
              if (!grant || grant->refresh_token.empty())
                return void(
                  rp.deliver(refused("No refresh token in response.")));
              if (part(self).link_epoch != epoch)
                return void(rp.deliver(
                  refused("Strava was linked or unlinked again meanwhile.")));
              auto& key = config(self).key;
              auto link = std::make_shared<strava_link>();
              link->athlete_id = grant->athlete_id.value_or(0);
              link->refresh_token = grant->refresh_token;
              link->access_token = grant->access_token;
              link->expires_at = grant->expires_at;
              std::vector<db_statement> xs{statement_of(
                stmt::strava_link_upsert,
                {self->state.uid(), seal_secret(key, link->refresh_token),
                 seal_secret(key, link->access_token),
                 std::to_string(link->expires_at),
                 link->athlete_id != 0
                   ? db_value{std::to_string(link->athlete_id)}
                   : db_value{caf::none}})};
              if (grant->athlete)
                xs.push_back(profile_update(self, *grant->athlete));
              part(self).link = link;
              // The first sync is queued with the link, never run inside
              // the callback: a Strava failure cannot lose the link.
              enqueue(self, rp, std::move(xs));
              // Weight and FTP are only in the full athlete: fetched when
              // the budget has room now (as the reference did), else left
              // to refresh-strava.
              fetch_athlete(self, [](caf::expected<athlete_profile>) {});
            },
            [=](caf::error&) mutable {
              rp.deliver(refused("Failed to exchange code for tokens."));
            });
      },
      [=](caf::error& err) mutable {
        rp.deliver(std::move(err));
      });
  return rp;
}

caf::result<strava_ticket> user_strava_part::sync(user_self self) {
  return when_linked<strava_ticket>(self, [=](auto rp) {
    enqueue(self, rp);
  });
}

namespace {

/// Asks Strava to deauthorize the app for the athlete (Strava frees the
/// app's athlete slot only when asked, reference defect 16); a failure is
/// logged and keeps nothing.
void deauthorize(user_self self, const link_ptr& link) {
  if (!link || link->access_token.empty())
    return;
  strava_call call;
  call.budgeted = false;
  call.request = oauth_request(self, "/deauthorize",
                               strava::deauthorize_form(link->access_token));
  auto uid = self->state.id;
  request_gateway(self, std::move(call))
    .then(
      [uid](upstream_response& r) {
        if (r.status != 200 && r.status != 401)
          log_warn("strava", "deauthorize of user " + std::to_string(uid) +
                               " answered " + std::to_string(r.status));
      },
      [uid](caf::error& err) {
        log_warn("strava", "deauthorize of user " + std::to_string(uid) +
                             " failed: " + to_string(err));
      });
}

} // namespace

void user_strava_part::deauthorize_link(user_self self,
                                        std::function<void()> then) {
  with_link(self, [=](caf::expected<link_ptr> link) {
    if (link)
      deauthorize(self, *link);
    else
      log_warn("strava", "user " + std::to_string(self->state.id) +
                           ": link unreadable, not deauthorized: " +
                           to_string(link.error()));
    then();
  });
}

caf::result<bool> user_strava_part::unlink(user_self self) {
  auto rp = self->make_response_promise<bool>();
  with_link(self, [=](caf::expected<link_ptr> link) mutable {
    if (!link)
      return void(rp.deliver(std::move(link.error())));
    deauthorize(self, *link);
    request_db(
      self, batch_of({statement_of(stmt::strava_unlink, {self->state.uid()})}))
      .await(
        [=](db_reply&) mutable {
          drop_link(self);
          rp.deliver(true);
        },
        [=](caf::error& err) mutable {
          rp.deliver(std::move(err));
        });
  });
  return rp;
}

caf::result<std::vector<strava_activity>>
user_strava_part::activities(user_self self, list_query q) {
  q = self->state.resolve_window(std::move(q));
  auto rp = self->make_response_promise<std::vector<strava_activity>>();
  read_activities(self, *parse_date(q.from), *parse_date(q.to), deliver_to(rp));
  return rp;
}

caf::result<fitness> user_strava_part::fitness_of(user_self self) {
  auto today = self->state.today();
  auto rp = self->make_response_promise<fitness>();
  // A year of load: the EMA starts at the first day with an activity, so
  // a longer history than the reference's 90 days reads CTL closer.
  read_activities(self, today - 365, today,
                  [=](caf::expected<std::vector<strava_activity>> x) mutable {
                    if (!x)
                      return void(rp.deliver(std::move(x.error())));
                    std::map<int64_t, double> daily;
                    for (auto& a : *x)
                      if (auto day = parse_date(a.start_date.substr(0, 10)))
                        daily[*day] += a.tss;
                    if (daily.empty() || daily.rbegin()->first < today - 90)
                      return void(rp.deliver(fitness{}));
                    std::vector<std::pair<int64_t, double>> days(daily.begin(),
                                                                 daily.end());
                    rp.deliver(compute_fitness(days, today));
                  });
  return rp;
}

caf::result<upstream_response>
user_strava_part::fetch_for_job(user_self self, std::string url) {
  return when_linked<upstream_response>(self, [=](auto rp) {
    api_get(self, url, false, true, defaults::strava_job_pages_per_lease,
            deliver_to(rp));
  });
}

caf::result<bool> user_strava_part::recheck_grant(user_self self) {
  return when_linked<bool>(self, [=](auto rp) mutable {
    (*part(self).link)->expires_at = 0; // refresh first
    with_token(self, [rp](caf::expected<std::string> token) mutable {
      if (token)
        rp.deliver(true);
      else
        rp.deliver(std::move(token.error()));
    });
  });
}

void user_strava_part::ended(user_self self, const caf::down_msg& dm) {
  auto user = std::to_string(self->state.id);
  if (sync_job && dm.source == sync_job.address()) {
    sync_job = nullptr;
    if (dm.reason)
      log_warn("strava", "sync job of user " + user +
                           " stopped: " + to_string(dm.reason) +
                           " (its claim's reminder resumes it)");
    if (lease_left > 0) {
      lease_left = 0;
      self->send(config(self).gateway, atom::release_v, self->state.id);
    }
  } else if (events_job && dm.source == events_job.address()) {
    events_job = nullptr;
    if (dm.reason)
      log_warn("strava", "webhook events of user " + user +
                           " stopped: " + to_string(dm.reason) +
                           " (their reminder retries them)");
    if (events_again)
      return events_due(self);
  } else {
    return;
  }
  self->state.work_ended(self);
}

caf::result<athlete_profile> user_strava_part::refresh_profile(user_self self) {
  return when_linked<athlete_profile>(self, [=](auto rp) {
    fetch_athlete(self, deliver_to(rp));
  });
}

// -- reminders
// ------------------------------------------------------------------

void user_strava_part::sync_due(user_self self) {
  run_job(self);
}

void user_strava_part::events_due(user_self self) {
  if (events_job) {
    events_again = true; // an event arrived meanwhile: look again after
    return;
  }
  events_again = false;
  events_job =
    self->spawn<caf::monitored>(strava_events_job, job_context(self));
}

void user_strava_part::purge_due(user_self self) {
  auto& st = self->state;
  auto days = config(self).cache_days;
  if (days <= 0)
    return st.write_in_background(self, st.forget_reminder(purge_reminder),
                                  "the Strava purge reminder");
  auto batch = batch_of(
    {statement_of(stmt::strava_purge, {st.uid(), std::to_string(days)}),
     st.remind_at(purge_reminder, std::chrono::system_clock::now() +
                                    defaults::strava_purge_period)},
    true);
  batch.bulk = true;
  request_db(self, std::move(batch),
             deadline::in(defaults::strava_page_write_time))
    .then([](db_reply&) {},
          [=](caf::error& err) {
            log_warn("strava", "purge of user " +
                                 std::to_string(self->state.id) +
                                 " failed: " + to_string(err));
          });
}

user_strava_part::facet::behavior_type user_strava_part::behavior() {
  return {
    [](deadline d, atom::get, atom::strava) {
      return serve(d, &user_strava_part::status);
    },
    [](deadline d, atom::authorize) {
      return serve(d, &user_strava_part::authorize);
    },
    [](deadline d, atom::link, strava_code& x) {
      return serve(d, &user_strava_part::link_code, std::move(x));
    },
    [](deadline d, atom::sync, atom::strava) {
      return serve(d, &user_strava_part::sync);
    },
    [](deadline d, atom::unlink, atom::strava) {
      return serve(d, &user_strava_part::unlink);
    },
    [](deadline d, atom::get, atom::strava, list_query& q) {
      return serve(d, &user_strava_part::activities, std::move(q));
    },
    [](deadline d, atom::get, atom::strava, atom::fitness) {
      return serve(d, &user_strava_part::fitness_of);
    },
    [](deadline d, atom::refresh, atom::strava) {
      return serve(d, &user_strava_part::refresh_profile);
    },
    [](deadline d, atom::fetch, atom::strava, std::string& url) {
      return serve(d, &user_strava_part::fetch_for_job, std::move(url));
    },
    [](deadline d, atom::refresh, atom::strava, atom::link) {
      return serve(d, &user_strava_part::recheck_grant);
    },
  };
}

void user_strava_part::remind(user_self self, std::string_view kind) {
  if (!self->state.cfg->strava)
    return;
  if (kind == sync_reminder)
    sync_due(self);
  else if (kind == events_reminder)
    events_due(self);
  else
    purge_due(self);
}

} // namespace st
