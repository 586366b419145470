#include "domain/strava_budget.hpp"

#include "config/defaults.hpp"

#include <algorithm>
#include <cmath>

namespace st {

namespace {

int64_t floor_div(int64_t x, int64_t d) {
  return x >= 0 ? x / d : (x - d + 1) / d;
}

int64_t kept_back(int64_t limit, double margin) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(limit * margin)));
}

} // namespace

strava_budget::strava_budget(double margin)
  : margin_(margin), overall_{{defaults::strava_limit_15min,
                               defaults::strava_limit_day}},
    read_{
      {defaults::strava_read_limit_15min, defaults::strava_read_limit_day}} {}

void strava_budget::roll(int64_t now) {
  auto window = floor_div(now, window_ms);
  auto day = floor_div(now, day_ms);
  if (window != window_) {
    window_ = window;
    overall_.used.first = read_.used.first = 0;
  }
  if (day != day_) {
    day_ = day;
    overall_.used.second = read_.used.second = 0;
  }
}

int64_t strava_budget::available(int64_t now) {
  roll(now);
  int64_t result = INT64_MAX;
  for (auto* t : {&overall_, &read_}) {
    result =
      std::min(result, t->limit.first - kept_back(t->limit.first, margin_) -
                         t->used.first);
    result =
      std::min(result, t->limit.second - kept_back(t->limit.second, margin_) -
                         t->used.second);
  }
  return std::max<int64_t>(0, result);
}

void strava_budget::spend(int64_t now, int64_t n) {
  roll(now);
  // A negative `n` gives back requests leased but never sent.
  for (auto* t : {&overall_, &read_}) {
    t->used.first = std::max<int64_t>(0, t->used.first + n);
    t->used.second = std::max<int64_t>(0, t->used.second + n);
  }
}

void strava_budget::observe(int64_t sent, const rate_reading& x) {
  roll(std::max(sent, window_ * window_ms));
  bool same_window = floor_div(sent, window_ms) == window_;
  bool same_day = floor_div(sent, day_ms) == day_;
  auto apply = [&](tier& t, const std::optional<rate_pair>& limit,
                   const std::optional<rate_pair>& usage) {
    if (limit && limit->first > 0 && limit->second > 0)
      t.limit = *limit;
    if (!usage)
      return;
    confirmed_ = true;
    if (same_window)
      t.used.first = std::max(t.used.first, usage->first);
    if (same_day)
      t.used.second = std::max(t.used.second, usage->second);
  };
  apply(overall_, x.limit, x.usage);
  apply(read_, x.read_limit, x.read_usage);
}

void strava_budget::refused(int64_t sent, const rate_reading& x) {
  observe(sent, x);
  if (floor_div(sent, window_ms) != window_)
    return;
  auto day_spent = [](const std::optional<rate_pair>& limit,
                      const std::optional<rate_pair>& usage) {
    return limit && usage && usage->second >= limit->second;
  };
  bool whole_day =
    day_spent(x.limit, x.usage) || day_spent(x.read_limit, x.read_usage);
  for (auto* t : {&overall_, &read_}) {
    t->used.first = std::max(t->used.first, t->limit.first);
    if (whole_day)
      t->used.second = std::max(t->used.second, t->limit.second);
  }
}

int64_t strava_budget::next_opening(int64_t now) {
  roll(now);
  auto next_window = (window_ + 1) * window_ms;
  auto next_day = (day_ + 1) * day_ms;
  // Spent for the day: the next quarter hour would not help.
  for (auto* t : {&overall_, &read_})
    if (t->used.second + kept_back(t->limit.second, margin_) >= t->limit.second)
      return next_day;
  return next_window;
}

rate_pair strava_budget::used(int64_t now) {
  roll(now);
  return {std::max(overall_.used.first, read_.used.first),
          std::max(overall_.used.second, read_.used.second)};
}

rate_pair strava_budget::limits() const {
  return {std::min(overall_.limit.first, read_.limit.first),
          std::min(overall_.limit.second, read_.limit.second)};
}

} // namespace st
