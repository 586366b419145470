#include "protocols/http/operator_stats.hpp"

#include "protocols/http/json.hpp"

#include <map>
#include <prometheus/text_serializer.h>

#include "util/dates.hpp"

namespace st {

namespace {

enum class figure_kind { gauge, counter };

struct figure {
  const char* name;
  uint64_t value;
  figure_kind kind = figure_kind::gauge;
};

/// One component's figures; a mailbox group names its actor kind.
struct figure_group {
  const char* key;
  const char* mailbox_kind; ///< null unless a mailbox group
  std::vector<figure> figures;
};

constexpr auto counter = figure_kind::counter;

uint64_t count(int64_t x) {
  return x > 0 ? static_cast<uint64_t>(x) : 0;
}

figure_group mailbox(const char* kind, uint64_t actors, uint64_t max,
                     uint64_t p95) {
  return {"mailbox", kind, {{"actors", actors}, {"max", max}, {"p95", p95}}};
}

/// A singleton's depth, seen when it answered its status.
figure_group mailbox(const char* kind, uint64_t depth) {
  return mailbox(kind, 1, depth, depth);
}

/// The one table both renderings read: JSON keys and Prometheus names.
std::vector<figure_group> groups_of(const system_stats& x) {
  auto& u = x.users;
  auto& d = x.db;
  auto& up = x.upstream;
  auto& g = x.gemini;
  auto& s = x.strava;
  auto& r = x.reminders;
  return {
    {"user_actors",
     nullptr,
     {{"resident", u.num_resident},
      {"spawned", u.num_spawned, counter},
      {"passivated", u.num_passivated, counter},
      {"restarted", u.num_restarted, counter},
      {"cache_bytes", x.user_cache_bytes}}},
    {"db",
     nullptr,
     {{"num_round_trips", d.num_round_trips, counter},
      {"num_statements", d.num_statements, counter},
      {"num_batches", d.num_batches, counter},
      {"num_failed", d.num_failed, counter},
      {"num_refused", d.num_refused, counter},
      {"num_expired", d.num_expired, counter},
      {"num_reconnects", d.num_reconnects, counter},
      {"num_queued", d.num_queued},
      {"num_queued_interactive", d.num_queued - d.num_queued_bulk},
      {"num_queued_bulk", d.num_queued_bulk},
      {"num_busy", d.num_busy},
      {"max_busy", d.max_busy},
      {"num_connections", d.num_connections}}},
    {"upstream",
     nullptr,
     {{"num_requests", up.num_requests, counter},
      {"num_attempts", up.num_attempts, counter},
      {"num_retries", up.num_retries, counter},
      {"num_failed", up.num_failed, counter},
      {"num_refused", up.num_refused, counter},
      {"num_expired", up.num_expired, counter},
      {"num_waiting", up.num_waiting},
      {"num_in_flight", up.num_in_flight}}},
    {"gemini",
     nullptr,
     {{"max_concurrency", g.max_concurrency},
      {"num_in_flight", g.num_in_flight},
      {"max_in_flight", g.max_in_flight},
      {"num_queued_interactive", g.num_queued_interactive},
      {"num_queued_batch", g.num_queued_batch},
      {"num_calls", g.num_calls, counter},
      {"num_attempts", g.num_attempts, counter},
      {"num_retries", g.num_retries, counter},
      {"num_succeeded", g.num_succeeded, counter},
      {"num_failed", g.num_failed, counter},
      {"num_refused", g.num_refused, counter},
      {"num_expired", g.num_expired, counter},
      {"num_fallbacks", g.num_fallbacks, counter},
      {"num_quota_pauses", g.num_quota_pauses, counter},
      {"prompt_tokens", g.prompt_tokens, counter},
      {"output_tokens", g.output_tokens, counter},
      {"cached_tokens", g.cached_tokens, counter},
      {"breaker_opened", g.breaker_opened, counter},
      {"breaker_open", g.breaker == "closed" ? 0u : 1u}}},
    {"strava",
     nullptr,
     {{"window_used", count(s.window_used)},
      {"window_limit", count(s.window_limit)},
      {"day_used", count(s.day_used)},
      {"day_limit", count(s.day_limit)},
      {"available", count(s.available)},
      {"num_granted", s.num_granted, counter},
      {"num_sent", s.num_sent, counter},
      {"num_throttled", s.num_throttled, counter},
      {"num_refused", s.num_refused, counter},
      {"num_waiting", s.num_waiting}}},
    {"reminders",
     nullptr,
     {{"num_claimed", r.num_claimed, counter},
      {"num_fired", r.num_fired, counter},
      {"num_moved", r.num_moved, counter},
      {"num_pending", r.num_pending},
      {"pending_bytes", r.pending_bytes},
      {"overdue", r.overdue},
      {"due_next_minute", r.due_next_minute},
      {"claimed_now", r.claimed_now},
      {"next_due_unix", count(r.next_due)}}},
    {"http",
     nullptr,
     {{"open_connections", x.http.open_connections},
      {"in_flight", x.http.in_flight},
      {"num_requests", x.http.num_requests, counter}}},
    {"process",
     nullptr,
     {{"rss_bytes", x.process.rss_bytes},
      {"threads", x.process.threads},
      {"open_files", x.process.open_files},
      {"uptime_seconds", x.process.uptime_seconds}}},
    mailbox("user", u.num_resident, u.user_mailbox_max, u.user_mailbox_p95),
    mailbox("user_registry", u.mailbox_depth),
    mailbox("db_pool", d.mailbox_depth),
    mailbox("upstream_client", up.mailbox_depth),
    mailbox("gemini_broker", g.mailbox_depth),
    mailbox("strava_gateway", s.mailbox_depth),
    mailbox("reminder_scheduler", r.mailbox_depth),
  };
}

/// The figures that are not numbers, after a group's counters.
void write_texts(json_writer& w, const std::string& key,
                 const system_stats& x) {
  auto nullable = [&](const char* name, const std::string& v) {
    w.Key(name);
    if (v.empty())
      w.Null();
    else
      w.String(v.c_str());
  };
  if (key == "gemini") {
    auto& g = x.gemini;
    w.Key("configured");
    w.Bool(g.configured);
    w.Key("model");
    w.String(g.model.c_str());
    w.Key("fallback_model");
    w.String(g.fallback_model.c_str());
    w.Key("breaker");
    w.String(g.breaker.c_str());
    nullable("paused_until", g.paused_until);
    w.Key("alarms");
    w.StartArray();
    for (auto& a : g.alarms)
      w.String(a.c_str());
    w.EndArray();
  } else if (key == "strava") {
    w.Key("confirmed");
    w.Bool(x.strava.confirmed);
  } else if (key == "reminders") {
    auto& r = x.reminders;
    nullable("next_due", r.next_due > 0 ? format_unix(r.next_due) : "");
    nullable("outlook_at", r.outlook_at > 0 ? format_unix(r.outlook_at) : "");
  }
}

} // namespace

std::string system_stats_json(const system_stats& x) {
  rapidjson::StringBuffer buf;
  json_writer w{buf};
  w.StartObject();
  bool in_mailboxes = false;
  for (auto& group : groups_of(x)) {
    if (group.mailbox_kind != nullptr && !in_mailboxes) {
      w.Key("mailboxes");
      w.StartObject();
      in_mailboxes = true;
    }
    w.Key(group.mailbox_kind != nullptr ? group.mailbox_kind : group.key);
    w.StartObject();
    for (auto& f : group.figures) {
      w.Key(f.name);
      w.Uint64(f.value);
    }
    write_texts(w, group.key, x);
    w.EndObject();
  }
  if (in_mailboxes)
    w.EndObject();
  w.EndObject();
  return buf.GetString();
}

std::string system_stats_prometheus(const system_stats& x,
                                    const prometheus::Registry& registry) {
  auto families = registry.Collect();
  // Families by name, in the table's order (mailbox kinds share theirs).
  std::map<std::string, size_t> index;
  for (auto& group : groups_of(x)) {
    for (auto& f : group.figures) {
      auto name = std::string{"smart_trainer_"} + group.key + "_" + f.name;
      if (f.kind == counter)
        name += "_total";
      auto [i, added] = index.emplace(name, families.size());
      if (added) {
        prometheus::MetricFamily family;
        family.name = name;
        family.help = std::string{group.key} + " " + f.name;
        family.type = f.kind == counter ? prometheus::MetricType::Counter
                                        : prometheus::MetricType::Gauge;
        families.push_back(std::move(family));
      }
      prometheus::ClientMetric metric;
      if (group.mailbox_kind != nullptr)
        metric.label.push_back({"kind", group.mailbox_kind});
      auto value = static_cast<double>(f.value);
      if (f.kind == counter)
        metric.counter.value = value;
      else
        metric.gauge.value = value;
      families[i->second].metric.push_back(std::move(metric));
    }
  }
  // The series every Prometheus client library exports, under their
  // standard names (stock dashboards read these).
  auto standard = [&](const char* name, const char* help, double value,
                      bool is_counter) {
    prometheus::MetricFamily family;
    family.name = name;
    family.help = help;
    family.type = is_counter ? prometheus::MetricType::Counter
                             : prometheus::MetricType::Gauge;
    prometheus::ClientMetric metric;
    if (is_counter)
      metric.counter.value = value;
    else
      metric.gauge.value = value;
    family.metric.push_back(std::move(metric));
    families.push_back(std::move(family));
  };
  auto& p = x.process;
  standard("process_cpu_seconds_total",
           "Total user and system CPU time spent in seconds.", p.cpu_seconds,
           true);
  standard("process_open_fds", "Number of open file descriptors.",
           static_cast<double>(p.open_files), false);
  standard("process_max_fds", "Maximum number of open file descriptors.",
           static_cast<double>(p.max_files), false);
  standard("process_virtual_memory_bytes", "Virtual memory size in bytes.",
           static_cast<double>(p.virtual_bytes), false);
  standard("process_resident_memory_bytes", "Resident memory size in bytes.",
           static_cast<double>(p.rss_bytes), false);
  standard("process_start_time_seconds",
           "Start time of the process since unix epoch in seconds.",
           p.start_time, false);
  return prometheus::TextSerializer{}.Serialize(families);
}

} // namespace st
