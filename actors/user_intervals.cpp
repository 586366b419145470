#include "actors/user_intervals.hpp"

#include "actors/user.hpp"
#include "actors/user_db.hpp"
#include "protocols/errors.hpp"
#include "protocols/intervals.hpp"
#include "protocols/sql/arrays.hpp"

#include <functional>

#include "util/dates.hpp"
#include "util/log.hpp"

namespace st {

using namespace user_db;

namespace {

using clock_type = std::chrono::steady_clock;
using link_ptr = std::shared_ptr<const intervals_credentials>;
using link_result = caf::expected<link_ptr>;
using sync_promise = caf::typed_response_promise<sync_report>;

/// What the sync in flight measures while it runs.
struct sync_run {
  bool background = false;
  clock_type::time_point started = clock_type::now();
  double fetch_ms = 0;
};

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
  return *self->state.cfg->intervals;
}

user_intervals_part& part(user_self self) {
  return self->state.part<user_intervals_part>();
}

caf::error not_linked() {
  return make_error(intervals_ec::not_linked, "Intervals.icu is not linked.");
}

caf::error unreadable_key() {
  return make_error(intervals_ec::link_refused,
                    "Invalid stored credentials. Link Intervals.icu again.");
}

caf::error unreachable() {
  return make_error(intervals_ec::unavailable,
                    "Intervals.icu could not be reached; try again later.");
}

/// What an unwanted upstream status means for our caller.
caf::error failure_of(const upstream_response& r) {
  if (r.status == 401 || r.status == 403)
    return make_error(intervals_ec::link_refused,
                      "Intervals.icu rejected the stored API key. Link "
                      "Intervals.icu again.");
  if (r.status == 404)
    return make_error(intervals_ec::link_refused,
                      "Intervals.icu does not know the linked athlete id. "
                      "Link Intervals.icu again.");
  if (r.status == 429 || r.status >= 500)
    return make_error(intervals_ec::unavailable,
                      "Intervals.icu is unavailable right now; try again "
                      "later.");
  return make_error(intervals_ec::bad_answer,
                    "Intervals.icu refused the request (status " +
                      std::to_string(r.status) + ").");
}

/// A call of the user's; a background one (no caller) gets the background
/// sync's own time, others the deadline of the request in progress.
upstream_request call(user_self self, std::string method, std::string url,
                      const std::string& api_key, bool background) {
  upstream_request result;
  result.method = std::move(method);
  result.url = std::move(url);
  result.headers = {intervals::auth_header(api_key),
                    "Accept: application/json"};
  result.background = background;
  result.until = background ? deadline::in(config(self).background_call_time)
                            : self->state.until;
  return result;
}

/// Sends `req` through the upstream client, which answers every call
/// (within its deadline): no timer of our own.
auto request_upstream(user_self self, upstream_request req) {
  return self->request(self->state.cfg->upstream, caf::infinite, atom::fetch_v,
                       std::move(req));
}

/// Writes when the background refresh is next due (`delay` from now), or
/// drops the reminder (none): the actor owns its schedule, the scheduler
/// only fires it.
void schedule_refresh(user_self self,
                      std::optional<std::chrono::milliseconds> delay) {
  auto& st = self->state;
  constexpr auto kind = user_intervals_part::refresh_reminder;
  if (delay) {
    auto due = std::chrono::system_clock::now() + *delay;
    part(self).next_refresh = iso_of(due);
    st.write_in_background(self, st.remind_at(kind, due),
                           "the refresh reminder");
  } else {
    part(self).next_refresh = caf::none;
    st.write_in_background(self, st.forget_reminder(kind),
                           "the refresh reminder");
  }
}

/// The next refresh a period from now, when linked and refresh is on.
void reschedule_refresh(user_self self) {
  auto period = config(self).refresh_period;
  auto& link = part(self).link;
  if (period.count() > 0 && link && *link)
    schedule_refresh(self, std::chrono::milliseconds{period});
  else
    schedule_refresh(self, std::nullopt);
}

/// Runs `k` with the user's link, loading it once. The load is awaited,
/// so it stays in order with link and unlink.
void with_link(user_self self, std::function<void(link_result)> k) {
  if (part(self).link)
    return k(*part(self).link);
  request_db(self, batch_of({statement_of(stmt::intervals_credentials,
                                          {self->state.uid()})}))
    .await(
      [=](db_reply& r) {
        auto& p = part(self);
        p.remember_link(first_row(r));
        k(*p.link);
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
    auto key = reveal_secret(config(self).key, (*link)->stored_key);
    if (key.empty())
      return fail(unreadable_key());
    k((*link)->athlete_id, key);
  });
}

intervals_status status_of(const user_intervals_part& p) {
  intervals_status result;
  if (!p.link || !*p.link)
    return result;
  result.linked = true;
  result.athlete_id = (*p.link)->athlete_id;
  if (p.last_sync)
    result.last_sync = *p.last_sync;
  result.next_refresh_at = p.next_refresh;
  return result;
}

void finish_sync(user_self self, const std::shared_ptr<sync_run>& run,
                 caf::expected<sync_report> outcome) {
  auto& st = self->state;
  auto& p = part(self);
  sync_report report;
  if (outcome)
    report = std::move(*outcome);
  else
    report.detail = error_detail(outcome.error());
  report.finished_at = iso_of(std::chrono::system_clock::now());
  report.background = run->background;
  report.fetch_ms = run->fetch_ms;
  report.total_ms = ms_since(run->started);
  bool linked = p.link && *p.link;
  if (linked)
    p.last_sync = std::make_shared<const sync_report>(report);
  if (outcome)
    p.flight.finish(report);
  else
    p.flight.finish(outcome.error());
  if (run->background && !report.ok)
    log_warn("intervals", "background sync of user " + std::to_string(st.id) +
                            " failed: " + report.detail);
  // The next refresh is a period after this sync, whoever asked for it.
  if (run->background || (linked && p.next_refresh))
    reschedule_refresh(self);
  st.work_ended(self);
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
void write_sync(user_self self, const std::shared_ptr<sync_run>& run,
                const sync_fetch& fetched) {
  auto activities = intervals::parse_activity_rows(*fetched.activities);
  auto days = intervals::parse_wellness_rows(*fetched.wellness);
  if (!activities || !days)
    return finish_sync(self, run,
                       make_error(intervals_ec::bad_answer,
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
  run->fetch_ms = ms_since(run->started);
  auto db_started = clock_type::now();
  // The sync's own deadline: a background one has no caller waiting.
  auto until = run->background ? deadline::in(config(self).background_call_time)
                               : self->state.until;
  request_db(self, std::move(batch), until)
    .then(
      [=](db_reply& r) mutable {
        self->state.rows_changed(user_table::wellness);
        self->state.rows_changed(user_table::workouts);
        report.db_round_trips = r.num_round_trips;
        report.db_ms = ms_since(db_started);
        finish_sync(self, run, std::move(report));
      },
      [=](caf::error& err) {
        finish_sync(self, run, std::move(err));
      });
}

void start_sync(user_self self, std::optional<sync_promise> rp,
                bool background) {
  part(self).flight.join(std::move(rp), [=] {
    auto run = std::make_shared<sync_run>();
    run->background = background;
    with_key(
      self,
      [=](const std::string& athlete, const std::string& key) {
        auto& cfg = config(self);
        auto today = self->state.today();
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
            return finish_sync(self, run, fetched->failure);
          write_sync(self, run, *fetched);
        };
        auto fetch = [=](bool is_activities, std::string url) {
          request_upstream(self,
                           call(self, "GET", std::move(url), key, background))
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
        finish_sync(self, run, std::move(err));
      });
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
      self,
      call(self, "GET", intervals::activity_url(cfg.base_url, *id), key, false))
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
void live_read(user_self self, UrlOf url_of, Read read, bool background,
               std::function<void(std::vector<T>)> answer) {
  with_key(
    self,
    [=](const std::string& athlete, const std::string& key) {
      request_upstream(self,
                       call(self, "GET", url_of(config(self).base_url, athlete),
                            key, background))
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
}

/// A live read answering the request in progress.
template<class T, class UrlOf, class Read>
caf::result<std::vector<T>> live_answer(user_self self, UrlOf url_of,
                                        Read read) {
  auto rp = self->make_response_promise<std::vector<T>>();
  live_read<T>(self, url_of, read, false, [rp](std::vector<T> xs) mutable {
    rp.deliver(std::move(xs));
  });
  return rp;
}

/// Reads an events answer ([] when unreadable).
void read_events(user_self, const std::string&, upstream_response& r,
                 std::function<void(std::vector<intervals_event>)> k) {
  k(intervals::parse_events(r.body).value_or(std::vector<intervals_event>{}));
}

} // namespace

caf::result<intervals_status> user_intervals_part::status(user_self self) {
  auto rp = self->make_response_promise<intervals_status>();
  with_link(self, [=](link_result link) mutable {
    if (!link)
      return void(rp.deliver(std::move(link.error())));
    rp.deliver(status_of(part(self)));
  });
  return rp;
}

caf::result<intervals_status> user_intervals_part::link_key(user_self self,
                                                            intervals_link x) {
  auto& cfg = config(self);
  if (cfg.refuse_plaintext)
    return make_error(intervals_ec::unavailable,
                      "Credential storage is not configured on this server "
                      "(ENCRYPTION_KEY).");
  auto rp = self->make_response_promise<intervals_status>();
  auto epoch = ++link_epoch;
  auto until = self->state.until;
  // The key check upstream does not hold the user's other requests; a link
  // or unlink that arrives meanwhile wins over this one.
  request_upstream(
    self, call(self, "GET", intervals::athlete_url(cfg.base_url, x.athlete_id),
               x.api_key, false))
    .then(
      [=](upstream_response& r) mutable {
        if (r.status == 401 || r.status == 403 || r.status == 404)
          return void(rp.deliver(
            make_error(intervals_ec::link_refused,
                       "Intervals.icu did not accept this athlete id and API "
                       "key.")));
        if (r.status != 200)
          return void(rp.deliver(
            make_error(intervals_ec::unavailable,
                       "Intervals.icu could not be reached to verify the key; "
                       "try again later.")));
        if (part(self).link_epoch != epoch)
          return void(rp.deliver(make_error(intervals_ec::overtaken,
                                            "Intervals.icu was linked or "
                                            "unlinked again while this key was "
                                            "being checked.")));
        auto& cfg = config(self);
        auto stored = seal_secret(cfg.key, x.api_key);
        // Awaited: the write is ordered with the requests after it.
        request_db(
          self,
          batch_of({statement_of(stmt::intervals_link_upsert,
                                 {self->state.uid(), stored, x.athlete_id})}),
          until)
          .await(
            [=](db_reply&) mutable {
              auto& p = part(self);
              p.link = std::make_shared<const intervals_credentials>(
                intervals_credentials{x.athlete_id, stored});
              p.last_sync.reset();
              self->state.rows_changed(user_table::intervals);
              auto period = config(self).refresh_period;
              if (period.count() > 0)
                schedule_refresh(self, std::chrono::milliseconds{period});
              rp.deliver(status_of(p));
            },
            [=](caf::error& err) mutable {
              rp.deliver(std::move(err));
            });
      },
      [=](caf::error&) mutable {
        rp.deliver(make_error(intervals_ec::unavailable,
                              "Intervals.icu could not be reached to verify "
                              "the key; try again later."));
      });
  return rp;
}

caf::result<bool> user_intervals_part::unlink(user_self self) {
  ++link_epoch;
  return run<bool>(
    self,
    batch_of({statement_of(stmt::intervals_unlink, {self->state.uid()}),
              self->state.forget_reminder(refresh_reminder)},
             true),
    [=](db_reply& r) -> caf::expected<bool> {
      auto& p = part(self);
      p.link = link_ptr{};
      p.last_sync.reset();
      p.next_refresh = caf::none;
      self->state.rows_changed(user_table::intervals);
      return r.results[0].affected > 0;
    });
}

caf::result<sync_report> user_intervals_part::sync(user_self self) {
  auto rp = self->make_response_promise<sync_report>();
  start_sync(self, rp, false);
  return rp;
}

caf::result<std::vector<intervals_event>>
user_intervals_part::events(user_self self, list_query q) {
  q = self->state.resolve_window(std::move(q));
  return live_answer<intervals_event>(
    self,
    [q](const std::string& base, const std::string& athlete) {
      return intervals::events_url(base, athlete, q.from, q.to);
    },
    read_events);
}

caf::result<std::vector<intervals_activity>>
user_intervals_part::activities(user_self self, list_query q) {
  q = self->state.resolve_window(std::move(q));
  return live_answer<intervals_activity>(
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

caf::result<intervals_event> user_intervals_part::push_event(user_self self,
                                                             planned_event x) {
  auto rp = self->make_response_promise<intervals_event>();
  push(self, std::move(x), false,
       [rp](caf::expected<intervals_event> event) mutable {
         if (event)
           rp.deliver(std::move(*event));
         else
           rp.deliver(std::move(event.error()));
       });
  return rp;
}

void user_intervals_part::push(
  user_self self, planned_event x, bool background,
  std::function<void(caf::expected<intervals_event>)> k) {
  with_key(
    self,
    [=](const std::string& athlete, const std::string& key) mutable {
      auto& cfg = config(self);
      auto req =
        call(self, "POST", intervals::events_url(cfg.base_url, athlete), key,
             background);
      req.headers.emplace_back("Content-Type: application/json");
      req.body = intervals::event_json(x);
      request_upstream(self, std::move(req))
        .then(
          [=](upstream_response& r) mutable {
            if (r.status == 200 || r.status == 201) {
              if (auto event = intervals::parse_event(r.body))
                return k(std::move(*event));
              return k(make_error(intervals_ec::bad_answer,
                                  "Intervals.icu sent an answer that could "
                                  "not be read."));
            }
            if (r.status == 400 || r.status == 422)
              return k(
                make_error(intervals_ec::event_refused,
                           "Intervals.icu refused the event: " + r.body));
            k(failure_of(r));
          },
          [=](caf::error&) mutable {
            k(unreachable());
          });
    },
    [=](caf::error err) mutable {
      k(std::move(err));
    });
}

void user_intervals_part::events_of_day(
  user_self self, const std::string& day, bool background,
  std::function<void(std::vector<intervals_event>)> k) {
  live_read<intervals_event>(
    self,
    [day](const std::string& base, const std::string& athlete) {
      return intervals::events_url(base, athlete, day, day);
    },
    read_events, background, std::move(k));
}

void user_intervals_part::remember_link(const std::vector<db_value>* row) {
  if (row == nullptr) {
    link = link_ptr{};
    return;
  }
  link = std::make_shared<const intervals_credentials>(
    intervals_credentials{*(*row)[0], *(*row)[1]});
  next_refresh = text((*row)[2]);
}

void user_intervals_part::refresh_due(user_self self) {
  if (config(self).refresh_period.count() == 0)
    return schedule_refresh(self, std::nullopt); // refresh is off now
  // Unlinked meanwhile: the sync finds no link and drops the reminder.
  start_sync(self, std::nullopt, true);
}

user_intervals_part::facet::behavior_type user_intervals_part::behavior() {
  return {
    [](deadline d, atom::get, atom::intervals) {
      return serve(d, &user_intervals_part::status);
    },
    [](deadline d, atom::link, intervals_link& x) {
      return serve(d, &user_intervals_part::link_key, std::move(x));
    },
    [](deadline d, atom::unlink) {
      return serve(d, &user_intervals_part::unlink);
    },
    [](deadline d, atom::sync) {
      return serve(d, &user_intervals_part::sync);
    },
    [](deadline d, atom::get, atom::events, list_query& q) {
      return serve(d, &user_intervals_part::events, std::move(q));
    },
    [](deadline d, atom::get, atom::activities, list_query& q) {
      return serve(d, &user_intervals_part::activities, std::move(q));
    },
    [](deadline d, atom::add, planned_event& x) {
      return serve(d, &user_intervals_part::push_event, std::move(x));
    },
  };
}

void user_intervals_part::remind(user_self self, std::string_view) {
  if (self->state.cfg->intervals)
    refresh_due(self);
}

} // namespace st
