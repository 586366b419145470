#include "actors/user_intervals.hpp"

#include "actors/user_db.hpp"
#include "config/defaults.hpp"
#include "protocols/dates.hpp"
#include "protocols/errors.hpp"
#include "protocols/intervals.hpp"
#include "protocols/sql/arrays.hpp"
#include "util/log.hpp"

#include <functional>

namespace st::user_intervals {

using namespace user_db;

namespace {

using clock_type = std::chrono::steady_clock;
using link_ptr = std::shared_ptr<const intervals_credentials>;
using link_result = caf::expected<link_ptr>;
using sync_promise = caf::typed_response_promise<sync_report>;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t)
    .count();
}

std::string iso_of(std::chrono::system_clock::time_point t) {
  return format_unix(
    std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count());
}

const intervals_settings& config(user_self self) {
  return *self->state.cfg.intervals;
}

caf::error not_linked() {
  return make_error(api_ec::bad_request, "Intervals.icu is not linked.");
}

caf::error unreadable_key() {
  return make_error(api_ec::bad_request,
                    "Invalid stored credentials. Link Intervals.icu again.");
}

caf::error unreachable() {
  return make_error(api_ec::unavailable,
                    "Intervals.icu could not be reached; try again later.");
}

/// What an unwanted upstream status means for our caller.
caf::error failure_of(const upstream_response& r) {
  if (r.status == 401 || r.status == 403)
    return make_error(api_ec::bad_request,
                      "Intervals.icu rejected the stored API key. Link "
                      "Intervals.icu again.");
  if (r.status == 404)
    return make_error(api_ec::bad_request,
                      "Intervals.icu does not know the linked athlete id. "
                      "Link Intervals.icu again.");
  if (r.status == 429 || r.status >= 500)
    return make_error(api_ec::unavailable,
                      "Intervals.icu is unavailable right now; try again "
                      "later.");
  return make_error(api_ec::bad_gateway,
                    "Intervals.icu refused the request (status " +
                      std::to_string(r.status) + ").");
}

/// The API key in clear; empty when the stored value cannot be read.
std::string reveal(const intervals_settings& cfg, const std::string& stored) {
  if (stored.empty() || !cfg.key)
    return stored;
  if (auto plain = fernet_decrypt(*cfg.key, stored))
    return *plain;
  // Rows written while no key was configured hold the key as sent (the
  // reference made users relink); a Fernet token starts with "gA".
  if (stored.rfind("gA", 0) != 0)
    return stored;
  return {};
}

upstream_request call(std::string method, std::string url,
                      const std::string& api_key, bool background) {
  upstream_request result;
  result.method = std::move(method);
  result.url = std::move(url);
  result.headers = {intervals::auth_header(api_key),
                    "Accept: application/json"};
  result.background = background;
  return result;
}

/// Sends `req` through the upstream client, with the deadline of one call.
auto request_upstream(user_self self, upstream_request req) {
  return self->request(self->state.cfg.upstream, config(self).call_timeout,
                       atom::fetch_v, std::move(req));
}

void arm_refresh(user_self self, std::chrono::milliseconds delay) {
  auto& st = self->state;
  auto generation = ++st.refresh_generation;
  st.next_refresh = std::chrono::system_clock::now() + delay;
  self->delayed_send(self, delay, atom::internal_v, atom::refresh_v,
                     generation);
}

/// Runs `k` with the user's link, loading it once. The load is awaited,
/// so it stays in order with link and unlink.
void with_link(user_self self, std::function<void(link_result)> k) {
  if (self->state.link)
    return k(*self->state.link);
  self
    ->request(self->state.db, user_db::timeout, atom::exec_v,
              batch_of({statement_of(stmt::intervals_credentials,
                                     {self->state.uid()})}))
    .await(
      [=](db_reply& r) {
        link_ptr link;
        if (auto row = first_row(r))
          link = std::make_shared<const intervals_credentials>(
            intervals_credentials{*(*row)[0], *(*row)[1]});
        self->state.link = link;
        if (self->state.keeps_refresh_timer() && !self->state.next_refresh) {
          self->send(self->state.registry, atom::internal_v, atom::pin_v,
                     self->state.id, true);
          arm_refresh(
            self, refresh_offset(self->state.id, config(self).refresh_period));
        }
        k(link);
      },
      [=](caf::error& err) {
        k(std::move(err));
      });
}

/// Runs `k` with the linked athlete and the key in clear, or answers
/// `fail` with why not.
void with_key(user_self self,
              std::function<void(const std::string&, const std::string&)> k,
              std::function<void(caf::error)> fail) {
  with_link(self, [=](link_result link) {
    if (!link)
      return fail(std::move(link.error()));
    if (!*link)
      return fail(not_linked());
    auto key = reveal(config(self), (*link)->stored_key);
    if (key.empty())
      return fail(unreadable_key());
    k((*link)->athlete_id, key);
  });
}

void disarm_refresh(user_self self) {
  ++self->state.refresh_generation;
  self->state.next_refresh.reset();
}

intervals_status status_of(const user_state& st) {
  intervals_status result;
  if (!st.link || !*st.link)
    return result;
  result.linked = true;
  result.athlete_id = (*st.link)->athlete_id;
  if (st.last_sync)
    result.last_sync = *st.last_sync;
  if (st.next_refresh)
    result.next_refresh_at = iso_of(*st.next_refresh);
  return result;
}

void finish_sync(user_self self, caf::expected<sync_report> outcome) {
  auto& st = self->state;
  auto flight = std::move(st.flight);
  sync_report report;
  if (outcome)
    report = std::move(*outcome);
  else
    report.detail = error_detail(outcome.error());
  report.finished_at = iso_of(std::chrono::system_clock::now());
  report.background = flight->background;
  report.fetch_ms = flight->fetch_ms;
  report.total_ms = ms_since(flight->started);
  if (st.link && *st.link)
    st.last_sync = std::make_shared<const sync_report>(report);
  for (auto& rp : flight->waiting) {
    if (outcome)
      rp.deliver(report);
    else
      rp.deliver(outcome.error());
  }
  if (flight->background && !report.ok)
    log_warn("intervals", "background sync of user " + std::to_string(st.id) +
                            " failed: " + report.detail);
  if (st.keeps_refresh_timer())
    arm_refresh(self, config(self).refresh_period);
  if (st.quit_after_flight)
    self->quit();
}

/// Both upstream answers of a sync, as they arrive.
struct sync_fetch {
  std::optional<std::string> activities;
  std::optional<std::string> wellness;
  caf::error failure;
  int pending = 2;
};

/// Writes the fetched rows: one statement per table, one transaction,
/// one round trip.
void write_sync(user_self self, const sync_fetch& fetched) {
  auto activities = intervals::parse_activity_rows(*fetched.activities);
  auto days = intervals::parse_wellness_rows(*fetched.wellness);
  if (!activities || !days)
    return finish_sync(self, make_error(api_ec::bad_gateway,
                                        "Intervals.icu sent an answer that "
                                        "could not be read."));
  std::vector<db_value> ids, starts, names, types, durations, distances, tss,
    raws;
  for (auto& a : activities->rows) {
    ids.emplace_back(a.external_id);
    starts.emplace_back(a.start_date);
    names.push_back(a.name);
    types.push_back(a.type);
    durations.push_back(param(a.duration_sec));
    distances.push_back(param(a.distance_m));
    tss.push_back(param(a.tss));
    raws.emplace_back(a.raw);
  }
  std::vector<db_value> dates, sleep, rhr, hrv, ctl, atl, tsb, weight, sport;
  for (auto& d : days->rows) {
    dates.emplace_back(d.date);
    sleep.push_back(param(d.sleep_hours));
    rhr.push_back(param(d.rhr));
    hrv.push_back(param(d.hrv));
    ctl.push_back(param(d.ctl));
    atl.push_back(param(d.atl));
    tsb.push_back(param(d.tsb));
    weight.push_back(param(d.weight_kg));
    sport.push_back(d.sport_info);
  }
  auto uid = self->state.uid();
  auto batch = batch_of(
    {statement_of(stmt::sync_workouts_upsert,
                  {uid, sql_array(ids), sql_array(starts), sql_array(names),
                   sql_array(types), sql_array(durations), sql_array(distances),
                   sql_array(tss), sql_array(raws)}),
     statement_of(stmt::sync_wellness_upsert,
                  {uid, sql_array(dates), sql_array(sleep), sql_array(rhr),
                   sql_array(hrv), sql_array(ctl), sql_array(atl),
                   sql_array(tsb), sql_array(weight), sql_array(sport)})},
    true);
  batch.bulk = true;
  sync_report report;
  report.ok = true;
  report.activities_synced = static_cast<int64_t>(activities->rows.size());
  report.wellness_days_synced = static_cast<int64_t>(days->rows.size());
  report.activities_skipped = activities->skipped;
  report.wellness_days_skipped = days->skipped;
  auto& st = self->state;
  st.flight->fetch_ms = ms_since(st.flight->started);
  auto db_started = clock_type::now();
  self
    ->request(st.db, defaults::db_bulk_timeout, atom::exec_v, std::move(batch))
    .then(
      [=](db_reply& r) mutable {
        self->state.wellness_changed();
        self->state.workouts_changed();
        report.db_round_trips = r.num_round_trips;
        report.db_ms = ms_since(db_started);
        finish_sync(self, std::move(report));
      },
      [=](caf::error& err) {
        finish_sync(self, std::move(err));
      });
}

void start_sync(user_self self, std::optional<sync_promise> rp,
                bool background) {
  auto& st = self->state;
  if (st.flight) {
    if (rp)
      st.flight->waiting.push_back(std::move(*rp));
    return;
  }
  st.flight = std::make_unique<sync_flight>();
  st.flight->background = background;
  st.flight->started = clock_type::now();
  if (rp)
    st.flight->waiting.push_back(std::move(*rp));
  with_key(
    self,
    [=](const std::string& athlete, const std::string& key) {
      auto& cfg = config(self);
      auto today = today_utc();
      auto newest = format_date(today);
      auto oldest = format_date(today - intervals::sync_days);
      auto fetched = std::make_shared<sync_fetch>();
      // The upstream calls do not hold the user's other requests: only
      // the write phase is ordered with them.
      auto arrived = [=](bool is_activities,
                         caf::expected<upstream_response> x) {
        if (!x)
          fetched->failure = unreachable();
        else if (x->status != 200)
          fetched->failure = failure_of(*x);
        else
          (is_activities ? fetched->activities : fetched->wellness) =
            std::move(x->body);
        if (--fetched->pending > 0)
          return;
        if (fetched->failure)
          return finish_sync(self, fetched->failure);
        write_sync(self, *fetched);
      };
      auto fetch = [=](bool is_activities, std::string url) {
        request_upstream(self, call("GET", std::move(url), key, background))
          .then(
            [=](upstream_response& r) {
              arrived(is_activities, std::move(r));
            },
            [=](caf::error& err) {
              arrived(is_activities, std::move(err));
            });
      };
      fetch(true,
            intervals::activities_url(cfg.base_url, athlete, oldest, newest,
                                      intervals::sync_activity_limit));
      fetch(false,
            intervals::wellness_url(cfg.base_url, athlete, oldest, newest));
    },
    [=](caf::error err) {
      finish_sync(self, std::move(err));
    });
}

/// Fetches the details of the listed activities that lack them, one call
/// each (paced by the upstream client; a failed one stays a stub), then
/// hands the mapped list to `k`.
void complete_details(user_self self, const std::string& key,
                      std::vector<intervals::listed_activity> listed,
                      std::function<void(std::vector<intervals_activity>)> k) {
  auto items = std::make_shared<std::vector<intervals::listed_activity>>(
    std::move(listed));
  auto pending = std::make_shared<size_t>(1);
  auto done = [=] {
    if (--*pending > 0)
      return;
    std::vector<intervals_activity> result;
    for (auto& x : *items)
      result.push_back(intervals::activity_of(x.object));
    k(std::move(result));
  };
  auto& cfg = config(self);
  for (size_t i = 0; i < items->size(); ++i) {
    auto& id = (*items)[i].detail_id;
    if (!id)
      continue;
    ++*pending;
    request_upstream(
      self, call("GET", intervals::activity_url(cfg.base_url, *id), key, false))
      .then(
        [=](upstream_response& detail) {
          if (detail.status == 200)
            (*items)[i].object =
              intervals::merge_detail((*items)[i].object, detail.body);
          done();
        },
        [=](caf::error&) {
          done();
        });
  }
  done();
}

/// A live read (http-api.md §3.9.5–3.9.6): with the user's key, GET
/// `url_of(base, athlete)`; `read` turns a 200 into the answer. Not
/// linked, an unreadable key or a failed call answer `[]`, as the
/// reference does.
template<class T, class UrlOf, class Read>
caf::result<std::vector<T>> live_read(user_self self, UrlOf url_of, Read read) {
  auto rp = self->make_response_promise<std::vector<T>>();
  std::function<void(std::vector<T>)> answer = [rp](std::vector<T> xs) mutable {
    rp.deliver(std::move(xs));
  };
  with_key(
    self,
    [=](const std::string& athlete, const std::string& key) {
      request_upstream(
        self, call("GET", url_of(config(self).base_url, athlete), key, false))
        .then(
          [=](upstream_response& r) {
            if (r.status == 200)
              read(self, key, r, answer);
            else
              answer({});
          },
          [=](caf::error&) {
            answer({});
          });
    },
    [=](caf::error) {
      answer({});
    });
  return rp;
}

} // namespace

caf::result<intervals_status> status(user_self self) {
  auto rp = self->make_response_promise<intervals_status>();
  with_link(self, [=](link_result link) mutable {
    if (!link)
      return void(rp.deliver(std::move(link.error())));
    rp.deliver(status_of(self->state));
  });
  return rp;
}

caf::result<intervals_status> link(user_self self, intervals_link x) {
  auto& cfg = config(self);
  if (cfg.refuse_plaintext)
    return make_error(api_ec::unavailable,
                      "Credential storage is not configured on this server "
                      "(ENCRYPTION_KEY).");
  auto rp = self->make_response_promise<intervals_status>();
  // Awaited: a link is ordered with the user's other requests (an unlink
  // sent right after it must win).
  request_upstream(
    self, call("GET", intervals::athlete_url(cfg.base_url, x.athlete_id),
               x.api_key, false))
    .await(
      [=](upstream_response& r) mutable {
        if (r.status == 401 || r.status == 403 || r.status == 404)
          return void(rp.deliver(
            make_error(api_ec::bad_request,
                       "Intervals.icu did not accept this athlete id and API "
                       "key.")));
        if (r.status != 200)
          return void(rp.deliver(
            make_error(api_ec::unavailable,
                       "Intervals.icu could not be reached to verify the key; "
                       "try again later.")));
        auto& cfg = config(self);
        auto stored = cfg.key ? fernet_encrypt(*cfg.key, x.api_key) : x.api_key;
        self
          ->request(
            self->state.db, user_db::timeout, atom::exec_v,
            batch_of({statement_of(stmt::intervals_link_upsert,
                                   {self->state.uid(), stored, x.athlete_id})}))
          .await(
            [=](db_reply&) mutable {
              auto& st = self->state;
              st.link = std::make_shared<const intervals_credentials>(
                intervals_credentials{x.athlete_id, stored});
              st.last_sync.reset();
              if (st.keeps_refresh_timer()) {
                self->send(st.registry, atom::internal_v, atom::pin_v, st.id,
                           true);
                arm_refresh(self, config(self).refresh_period);
              }
              rp.deliver(status_of(st));
            },
            [=](caf::error& err) mutable {
              rp.deliver(std::move(err));
            });
      },
      [=](caf::error&) mutable {
        rp.deliver(make_error(api_ec::unavailable,
                              "Intervals.icu could not be reached to verify "
                              "the key; try again later."));
      });
  return rp;
}

caf::result<bool> unlink(user_self self) {
  return run<bool>(
    self, batch_of({statement_of(stmt::intervals_unlink, {self->state.uid()})}),
    [=](db_reply& r) -> caf::expected<bool> {
      auto& st = self->state;
      st.link = link_ptr{};
      st.last_sync.reset();
      disarm_refresh(self);
      self->send(st.registry, atom::internal_v, atom::pin_v, st.id, false);
      return r.results[0].affected > 0;
    });
}

caf::result<sync_report> sync(user_self self) {
  auto rp = self->make_response_promise<sync_report>();
  start_sync(self, rp, false);
  return rp;
}

caf::result<std::vector<intervals_event>> events(user_self self, list_query q) {
  return live_read<intervals_event>(
    self,
    [q](const std::string& base, const std::string& athlete) {
      return intervals::events_url(base, athlete, q.from, q.to);
    },
    [](user_self, const std::string&, upstream_response& r,
       std::function<void(std::vector<intervals_event>)> k) {
      k(intervals::parse_events(r.body).value_or(
        std::vector<intervals_event>{}));
    });
}

caf::result<std::vector<intervals_activity>> activities(user_self self,
                                                        list_query q) {
  return live_read<intervals_activity>(
    self,
    [q](const std::string& base, const std::string& athlete) {
      return intervals::activities_url(base, athlete, q.from, q.to,
                                       intervals::list_activity_limit);
    },
    [](user_self self, const std::string& key, upstream_response& r,
       std::function<void(std::vector<intervals_activity>)> k) {
      auto listed = intervals::parse_activity_list(r.body);
      if (!listed)
        return k({});
      complete_details(self, key, std::move(*listed), std::move(k));
    });
}

caf::result<intervals_event> push_event(user_self self, planned_event x) {
  auto rp = self->make_response_promise<intervals_event>();
  with_key(
    self,
    [=](const std::string& athlete, const std::string& key) mutable {
      auto& cfg = config(self);
      auto req =
        call("POST", intervals::events_url(cfg.base_url, athlete), key, false);
      req.headers.emplace_back("Content-Type: application/json");
      req.body = intervals::event_json(x);
      request_upstream(self, std::move(req))
        .then(
          [=](upstream_response& r) mutable {
            if (r.status == 200 || r.status == 201) {
              if (auto event = intervals::parse_event(r.body))
                return void(rp.deliver(std::move(*event)));
              return void(rp.deliver(make_error(api_ec::bad_gateway,
                                                "Intervals.icu sent an answer "
                                                "that could not be read.")));
            }
            if (r.status == 400 || r.status == 422)
              return void(rp.deliver(
                make_error(api_ec::unprocessable,
                           "Intervals.icu refused the event: " + r.body)));
            rp.deliver(failure_of(r));
          },
          [=](caf::error&) mutable {
            rp.deliver(unreachable());
          });
    },
    [=](caf::error err) mutable {
      rp.deliver(std::move(err));
    });
  return rp;
}

void wake(user_self self) {
  // No database work here: at start the registry wakes every linked user
  // at once. The link is read when the timer fires, spread over the period.
  auto period = config(self).refresh_period;
  if (period.count() > 0 && !self->state.next_refresh)
    arm_refresh(self, refresh_offset(self->state.id, period));
}

void on_refresh(user_self self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.refresh_generation)
    return;
  st.next_refresh.reset();
  // Unlinked meanwhile: the sync finds no link, records nothing and does
  // not re-arm, so the actor may passivate.
  if (config(self).refresh_period.count() > 0)
    start_sync(self, std::nullopt, true);
}

std::chrono::milliseconds refresh_offset(int32_t user,
                                         std::chrono::seconds period) {
  // splitmix64: consecutive ids land far apart in the period.
  auto z = static_cast<uint64_t>(user) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  auto span = static_cast<uint64_t>(
    std::chrono::duration_cast<std::chrono::milliseconds>(period).count());
  return std::chrono::milliseconds{span == 0 ? 0 : z % span};
}

} // namespace st::user_intervals
