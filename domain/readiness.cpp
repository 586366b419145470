#include "domain/readiness.hpp"

#include "protocols/dates.hpp"

#include <cstdio>

namespace st {

namespace {

/// The thresholds of docs/decisions.md.
constexpr double skip_sleep_hours = 5.0;
constexpr double modify_sleep_hours = 6.5;
constexpr double skip_hrv_ratio = 0.75;   ///< today / 7-day baseline
constexpr double modify_hrv_ratio = 0.90; ///< today / 7-day baseline
constexpr double suppressed_week = 0.90;  ///< 7-day / 60-day baseline
constexpr double skip_rhr_rise = 10;      ///< bpm above the baseline
constexpr double modify_rhr_rise = 5;
constexpr double skip_tsb = -30;
constexpr double modify_tsb = -20;

struct mean_of {
  double sum = 0;
  int n = 0;

  void add(const opt_double& x) {
    if (x) {
      sum += *x;
      ++n;
    }
  }

  [[nodiscard]] opt_double at_least(int k) const {
    if (n < k)
      return caf::none;
    return sum / n;
  }
};

std::string one_decimal(double x) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", x);
  return buf;
}

} // namespace

readiness_reading read_readiness(const readiness_input& x) {
  readiness_reading r;
  mean_of hrv7, hrv60, rhr7, rhr60;
  for (auto& day : x.history) {
    auto d = parse_date(day.date);
    if (!d)
      continue;
    auto age = x.today - *d;
    if (age == 0) {
      r.sleep_hours = day.sleep_hours;
      r.hrv = day.hrv;
      r.rhr = day.rhr;
    } else if (age > 0 && age <= 60) {
      hrv60.add(day.hrv);
      rhr60.add(day.rhr);
      if (age <= 7) {
        hrv7.add(day.hrv);
        rhr7.add(day.rhr);
      }
    }
  }
  if (!r.sleep_hours)
    r.sleep_hours = x.photo_sleep_hours;
  r.hrv_7d = hrv7.at_least(3);
  r.hrv_60d = hrv60.at_least(14);
  r.rhr_baseline = rhr60.at_least(7);
  if (!r.rhr_baseline)
    r.rhr_baseline = rhr7.at_least(3);
  if (x.load.present)
    r.tsb = x.load.tsb;
  return r;
}

rule_decision decide_by_rules(const readiness_input& x) {
  auto r = read_readiness(x);
  std::vector<std::string> skip, modify;
  if (r.sleep_hours) {
    auto h = *r.sleep_hours;
    if (h < skip_sleep_hours)
      skip.push_back("sleep " + one_decimal(h) + " h (under 5 h)");
    else if (h < modify_sleep_hours)
      modify.push_back("sleep " + one_decimal(h) + " h (under 6.5 h)");
  }
  if (r.hrv && r.hrv_7d && *r.hrv_7d > 0) {
    auto ratio = *r.hrv / *r.hrv_7d;
    auto said = "HRV " + one_decimal(*r.hrv) + " ms vs 7-day baseline " +
                one_decimal(*r.hrv_7d) + " ms";
    if (ratio < skip_hrv_ratio)
      skip.push_back(said + " (more than 25 % below)");
    else if (ratio < modify_hrv_ratio)
      modify.push_back(said + " (more than 10 % below)");
  }
  if (r.hrv_7d && r.hrv_60d && *r.hrv_7d < suppressed_week * *r.hrv_60d)
    modify.push_back("7-day HRV baseline " + one_decimal(*r.hrv_7d) +
                     " ms is more than 10 % under the 60-day baseline " +
                     one_decimal(*r.hrv_60d) + " ms");
  if (r.rhr && r.rhr_baseline) {
    auto rise = *r.rhr - *r.rhr_baseline;
    auto said = "resting HR " + one_decimal(*r.rhr) + " bpm vs baseline " +
                one_decimal(*r.rhr_baseline) + " bpm";
    if (rise >= skip_rhr_rise)
      skip.push_back(said + " (10+ above)");
    else if (rise >= modify_rhr_rise)
      modify.push_back(said + " (5+ above)");
  }
  if (r.tsb) {
    if (*r.tsb < skip_tsb)
      skip.push_back("TSB " + one_decimal(*r.tsb) + " (under -30)");
    else if (*r.tsb < modify_tsb)
      modify.push_back("TSB " + one_decimal(*r.tsb) + " (under -20)");
  }
  auto joined = [](const std::vector<std::string>& xs) {
    std::string out;
    for (auto& x : xs)
      out += (out.empty() ? "" : "; ") + x;
    return out;
  };
  constexpr const char* prefix = "Rule-based decision: ";
  if (!skip.empty()) {
    auto all = skip;
    all.insert(all.end(), modify.begin(), modify.end());
    return {"Skip", prefix + joined(all) + "."};
  }
  if (!modify.empty())
    return {"Modify", prefix + joined(modify) + "; keep today easy."};
  bool readiness_known = r.sleep_hours || (r.hrv && r.hrv_7d);
  if (!readiness_known) {
    bool anything = r.hrv || r.rhr || r.tsb || !x.history.empty();
    if (!anything)
      return {"Skip", std::string{prefix} +
                        "no sleep, HRV, resting HR or training data to "
                        "judge readiness; log sleep or link a tracker."};
    return {"Modify", std::string{prefix} +
                        "no sleep or HRV reading today to judge readiness; "
                        "keep today easy."};
  }
  return {"Go", std::string{prefix} +
                  "sleep, HRV, resting HR and load are within the "
                  "athlete's usual range."};
}

} // namespace st
