#include "domain/readiness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "util/dates.hpp"

namespace st {

namespace {

// The thresholds of docs/decisions.md, with their sources there.
constexpr double skip_sleep_hours = 5.0;
constexpr double modify_sleep_hours = 6.5;
/// HRV: the rolling week is today and the 6 days before; the baseline the
/// rest of the 60 days before today.
constexpr int64_t hrv_week_days = 7;
constexpr int64_t window_days = 60;
constexpr size_t hrv_min_week_values = 3;
constexpr size_t hrv_min_baseline_values = 14;
/// The smallest worthwhile change: ±0.5 SD of the baseline.
constexpr double hrv_swc_sd = 0.5;
/// Far below: a week mean beyond it is Skip, one morning beyond it Modify.
constexpr double hrv_far_sd = 1.5;
/// The least SD a baseline counts with (ln units, about 3 % of RMSSD): a
/// flat baseline must not flag the smallest dip.
constexpr double hrv_min_sd = 0.03;
constexpr double skip_rhr_rise = 10; ///< bpm above the baseline
constexpr double modify_rhr_rise = 5;
constexpr size_t rhr_min_baseline_values = 7;
constexpr size_t rhr_min_week_values = 3;
constexpr double skip_tsb = -30;
constexpr double modify_tsb = -20;

struct mean_of {
  double sum = 0;
  size_t n = 0;

  void add(const opt_double& x) {
    if (x) {
      sum += *x;
      ++n;
    }
  }

  [[nodiscard]] opt_double at_least(size_t k) const {
    if (n < k || n == 0)
      return caf::none;
    return sum / static_cast<double>(n);
  }
};

double mean(const std::vector<double>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0.0) /
         static_cast<double>(xs.size());
}

/// The sample SD (n − 1) of at least two values.
double sample_sd(const std::vector<double>& xs) {
  auto m = mean(xs);
  double squares = 0;
  for (auto x : xs)
    squares += (x - m) * (x - m);
  return std::sqrt(squares / static_cast<double>(xs.size() - 1));
}

/// `x` with `digits` decimals.
std::string decimals(double x, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, x);
  return buf;
}

/// Beats per minute as people write them: "59", "58.5".
std::string bpm(double x) {
  auto text = decimals(x, 1);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
    text.resize(text.size() - 2);
  return text;
}

/// "ln(RMSSD) 3.80 (44.7 ms)".
std::string ln_rmssd(double x) {
  return "ln(RMSSD) " + decimals(x, 2) + " (" + decimals(std::exp(x), 1) +
         " ms)";
}

std::string band_text(double lo, double hi) {
  return decimals(lo, 2) + "–" + decimals(hi, 2);
}

std::string joined(const std::vector<std::string>& xs) {
  std::string result;
  for (auto& x : xs)
    result += (result.empty() ? "" : "; ") + x;
  return result;
}

/// The day's readings, sorted by age (0 = today).
struct day_readings {
  opt_double sleep;
  opt_double hrv_today;
  opt_double rhr_today;
  std::vector<double> week_ln;     ///< ln RMSSD of ages 0–6
  std::vector<double> baseline_ln; ///< ln RMSSD of ages 7–60
  mean_of rhr_60d;                 ///< ages 1–60
  mean_of rhr_7d;                  ///< ages 1–7
  bool any = false;                ///< any row of the 60 days
};

day_readings readings_of(const readiness_input& x) {
  day_readings result;
  for (auto& day : x.history) {
    auto d = parse_date(day.date);
    if (!d)
      continue;
    auto age = x.today - *d;
    if (age < 0 || age > window_days)
      continue;
    result.any = true;
    if (age == 0) {
      result.sleep = day.sleep_hours;
      result.hrv_today = day.hrv;
      result.rhr_today = day.rhr;
    } else {
      result.rhr_60d.add(day.rhr);
      if (age <= 7)
        result.rhr_7d.add(day.rhr);
    }
    if (day.hrv && *day.hrv > 0)
      (age < hrv_week_days ? result.week_ln : result.baseline_ln)
        .push_back(std::log(*day.hrv));
  }
  if (!result.sleep)
    result.sleep = x.photo_sleep_hours;
  return result;
}

/// Collects the signals and the flags they raise.
struct judge {
  readiness_assessment result;
  std::vector<std::string> skip;
  std::vector<std::string> modify;
  bool hrv_judged = false;

  readiness_signal& add(std::string signal, std::string unit,
                        opt_double value) {
    readiness_signal s;
    s.signal = std::move(signal);
    s.unit = std::move(unit);
    s.value = value;
    result.signals.push_back(std::move(s));
    return result.signals.back();
  }

  void flag(readiness_signal& s, bool is_skip, std::string why) {
    s.flag = is_skip ? "skip" : "modify";
    (is_skip ? skip : modify).push_back(std::move(why));
  }

  void sleep(const opt_double& hours) {
    if (!hours)
      return;
    auto& s = add("sleep", "h", *hours);
    s.band_low = modify_sleep_hours;
    auto said = "sleep " + decimals(*hours, 1) + " h";
    if (*hours < skip_sleep_hours)
      flag(s, true, said + " (under 5 h)");
    else if (*hours < modify_sleep_hours)
      flag(s, false, said + " (under 6.5 h)");
  }

  void hrv(const day_readings& r) {
    if (r.week_ln.empty() && r.baseline_ln.empty())
      return;
    auto& week = add("hrv_7d", "ln_rmssd", caf::none);
    if (r.week_ln.size() >= hrv_min_week_values)
      week.value = mean(r.week_ln);
    if (r.baseline_ln.size() < hrv_min_baseline_values) {
      auto n = std::to_string(r.baseline_ln.size());
      week.note = "too little history: " + n +
                  " mornings with HRV in the 54 days before this week, 14 "
                  "needed for a baseline";
      if (!r.week_ln.empty())
        flag(week, false,
             "HRV has too little history for a baseline (" + n +
               " of 14 mornings before this week)");
      return;
    }
    auto mu = mean(r.baseline_ln);
    auto sd = std::max(sample_sd(r.baseline_ln), hrv_min_sd);
    week.baseline = mu;
    week.band_low = mu - hrv_swc_sd * sd;
    week.band_high = mu + hrv_swc_sd * sd;
    auto band = band_text(*week.band_low, *week.band_high);
    if (!week.value) {
      week.note = std::to_string(r.week_ln.size()) +
                  " mornings with HRV this week, 3 needed for a 7-day mean";
    } else {
      hrv_judged = true;
      auto m = *week.value;
      auto far = mu - hrv_far_sd * sd;
      auto said = "7-day HRV " + ln_rmssd(m);
      if (m < far) {
        // One low morning alone never makes a Skip: the week without its
        // lowest morning must be far below too.
        auto rest = r.week_ln;
        rest.erase(std::min_element(rest.begin(), rest.end()));
        bool sustained = mean(rest) < far;
        flag(week, sustained,
             said + ", more than 1.5 SD under your baseline " +
               decimals(mu, 2) +
               (sustained ? "" : " (mostly one low morning)"));
      } else if (m < *week.band_low) {
        flag(week, false, said + ", under your band " + band);
      }
    }
    if (!r.hrv_today || *r.hrv_today <= 0)
      return;
    auto x = std::log(*r.hrv_today);
    auto& today = add("hrv_today", "ln_rmssd", x);
    today.baseline = mu;
    today.band_low = mu - hrv_far_sd * sd;
    today.band_high = mu + hrv_far_sd * sd;
    if (x < *today.band_low)
      flag(today, false,
           "this morning's HRV " + ln_rmssd(x) +
             ", more than 1.5 SD under your baseline " + decimals(mu, 2));
  }

  void rhr(const day_readings& r) {
    if (!r.rhr_today)
      return;
    auto base = r.rhr_60d.at_least(rhr_min_baseline_values);
    const char* span = "60-day";
    if (!base) {
      base = r.rhr_7d.at_least(rhr_min_week_values);
      span = "7-day";
    }
    auto& s = add("rhr", "bpm", r.rhr_today);
    if (!base) {
      s.note = std::string{"too little history: a baseline needs 7 mornings "
                           "of the 60 days before today"};
      return;
    }
    s.baseline = *base;
    s.band_high = *base + modify_rhr_rise;
    auto rise = *r.rhr_today - *base;
    auto said = "resting HR " + bpm(*r.rhr_today) + " bpm, " + bpm(rise) +
                " above your " + span + " mean";
    if (rise >= skip_rhr_rise)
      flag(s, true, said);
    else if (rise >= modify_rhr_rise)
      flag(s, false, said);
  }

  void tsb(const fitness& load) {
    if (!load.present)
      return;
    auto& s = add("tsb", "tsb", load.tsb);
    s.band_low = modify_tsb;
    auto said = "TSB " + decimals(load.tsb, 1);
    if (load.tsb < skip_tsb)
      flag(s, true, said + " (under -30)");
    else if (load.tsb < modify_tsb)
      flag(s, false, said + " (under -20)");
  }
};

} // namespace

readiness_reading read_readiness(const readiness_input& x) {
  readiness_reading result;
  mean_of hrv7, hrv60, rhr7, rhr60;
  for (auto& day : x.history) {
    auto d = parse_date(day.date);
    if (!d)
      continue;
    auto age = x.today - *d;
    if (age <= 0 || age > window_days)
      continue;
    hrv60.add(day.hrv);
    rhr60.add(day.rhr);
    if (age <= 7) {
      hrv7.add(day.hrv);
      rhr7.add(day.rhr);
    }
  }
  result.hrv_7d = hrv7.at_least(3);
  result.hrv_60d = hrv60.at_least(14);
  result.rhr_baseline = rhr60.at_least(rhr_min_baseline_values);
  if (!result.rhr_baseline)
    result.rhr_baseline = rhr7.at_least(rhr_min_week_values);
  return result;
}

readiness_assessment assess_readiness(const readiness_input& x) {
  auto r = readings_of(x);
  judge j;
  j.sleep(r.sleep);
  j.hrv(r);
  j.rhr(r);
  j.tsb(x.load);
  auto& result = j.result;
  bool readiness_known = r.sleep || j.hrv_judged;
  result.judgeable = readiness_known || x.load.present;
  if (!j.skip.empty()) {
    auto all = j.skip;
    all.insert(all.end(), j.modify.begin(), j.modify.end());
    result.decision = "Skip";
    result.findings = joined(all) + ".";
  } else if (!j.modify.empty()) {
    result.decision = "Modify";
    result.findings = joined(j.modify) + "; keep today easy.";
  } else if (!readiness_known && !r.any && !x.load.present) {
    result.decision = "Skip";
    result.findings = "no sleep, HRV, resting HR or training data to judge "
                      "readiness; log sleep or link a tracker.";
  } else if (!readiness_known) {
    result.decision = "Modify";
    result.findings = "no sleep or HRV reading today to judge readiness; "
                      "keep today easy.";
  } else {
    result.decision = "Go";
    result.findings = "sleep, HRV, resting HR and load are within the "
                      "athlete's usual range.";
  }
  result.reason = "Rule-based decision: " + result.findings;
  return result;
}

int caution_of(const std::string& decision) {
  if (decision == "Go")
    return 0;
  return decision == "Modify" ? 1 : 2;
}

daily_decision rules_decision(const readiness_assessment& rules) {
  daily_decision result;
  result.decision = rules.decision;
  result.reason = rules.reason;
  result.source = "rules";
  result.readiness = rules.signals;
  return result;
}

daily_decision rules_advice(const readiness_assessment& rules) {
  auto result = rules_decision(rules);
  result.decision = "Advice";
  result.reason = "Rule-based advice: " + rules.findings;
  return result;
}

daily_decision overseen(daily_decision model,
                        const readiness_assessment& rules) {
  auto by_model = caution_of(model.decision);
  auto by_rules = caution_of(rules.decision);
  model.model_decision = model.decision;
  model.readiness = rules.signals;
  if (by_rules > by_model) {
    // The rules' own word and reason: none of the model's training advice
    // (its plan, next days, tomorrow's session); its evening's food and
    // sleep tips stay, they only help recovery.
    model.decision = rules.decision;
    model.reason = rules.reason;
    model.modified_plan = caf::none;
    model.suggestions_next_days = caf::none;
    model.plan_tomorrow = caf::none;
    model.source = "ai+rules";
  } else {
    model.source = by_rules > 0 && by_rules == by_model ? "ai+rules" : "ai";
  }
  return model;
}

daily_decision advised(daily_decision model,
                       const readiness_assessment& rules) {
  model.model_decision = model.decision;
  model.readiness = rules.signals;
  model.modified_plan = caf::none;
  model.source = "ai";
  return model;
}

} // namespace st
