#include "domain/readiness.hpp"

#include <catch2/catch.hpp>

#include <cmath>

#include "util/dates.hpp"

using namespace st;

namespace {

constexpr int64_t today = 20'000;

// The baseline of `history_of`: 27 mornings of 55 ms and 27 of 65 ms on
// the 54 days before the week (ages 7–60). By hand: ln 55 = 4.007333,
// ln 65 = 4.174387; mean 4.090860; every deviation ±0.083527, so the
// sample SD is sqrt(54 × 0.083527² / 53) = 0.084311. The band (±0.5 SD)
// is 4.048705–4.133016; 1.5 SD under the mean is 3.964393.
constexpr double baseline_mean = 4.090860;
constexpr double baseline_sd = 0.084311;

/// 60 days of history: sleep 7.5 h and resting HR 50 bpm every day, HRV
/// alternating 55/65 ms before the week, then `week` (ages 6..0, today
/// last) and today's sleep and resting HR.
readiness_input history_of(std::vector<double> week, opt_double sleep = 7.5,
                           opt_double rhr = 50.0) {
  readiness_input x;
  x.today = today;
  for (int age = 60; age >= 0; --age) {
    wellness_day w;
    w.date = format_date(today - age);
    w.sleep_hours = age == 0 ? sleep : opt_double{7.5};
    w.rhr = age == 0 ? rhr : opt_double{50.0};
    if (age >= 7)
      w.hrv = age % 2 == 0 ? 55.0 : 65.0;
    else if (static_cast<size_t>(6 - age) < week.size())
      w.hrv = week[static_cast<size_t>(6 - age)];
    x.history.push_back(w);
  }
  return x;
}

const readiness_signal* signal_of(const readiness_assessment& a,
                                  const std::string& name) {
  for (auto& s : a.signals)
    if (s.signal == name)
      return &s;
  return nullptr;
}

bool says(const std::string& reason, const std::string& part) {
  return reason.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("HRV: ln(RMSSD), the 7-day mean against the baseline and its "
          "smallest worthwhile change, by hand") {
  auto a = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 60}));
  auto* week = signal_of(a, "hrv_7d");
  REQUIRE(week != nullptr);
  CHECK(week->unit == "ln_rmssd");
  CHECK(*week->value == Approx(std::log(60.0)).epsilon(1e-9));
  CHECK(*week->baseline == Approx(baseline_mean).margin(1e-6));
  CHECK(*week->band_low ==
        Approx(baseline_mean - 0.5 * baseline_sd).margin(1e-6));
  CHECK(*week->band_high ==
        Approx(baseline_mean + 0.5 * baseline_sd).margin(1e-6));
  CHECK(week->flag.empty());
  auto* morning = signal_of(a, "hrv_today");
  REQUIRE(morning != nullptr);
  CHECK(*morning->band_low ==
        Approx(baseline_mean - 1.5 * baseline_sd).margin(1e-6));
  CHECK(a.decision == "Go");
  CHECK(a.judgeable);
}

TEST_CASE("HRV: a week under the band is Modify, far under it Skip") {
  // ln 56 = 4.025352: under 4.048705, over 3.964393.
  auto under = assess_readiness(history_of({56, 56, 56, 56, 56, 56, 56}));
  CHECK(under.decision == "Modify");
  CHECK(signal_of(under, "hrv_7d")->flag == "modify");
  CHECK(says(under.reason, "7-day HRV ln(RMSSD) 4.03 (56.0 ms), under your "
                           "band 4.05–4.13"));
  // ln 52 = 3.951244: beyond 1.5 SD, and so is the week without its
  // lowest morning.
  auto far = assess_readiness(history_of({52, 52, 52, 52, 52, 52, 52}));
  CHECK(far.decision == "Skip");
  CHECK(signal_of(far, "hrv_7d")->flag == "skip");
  CHECK(says(far.reason, "more than 1.5 SD under your baseline 4.09"));
}

TEST_CASE("HRV: one low morning in a normal week is at most Modify, never "
          "Skip by itself") {
  // Six mornings at 60 ms, today 35 ms: the week's mean 4.017345 is under
  // the band; today's ln 3.555348 is beyond 1.5 SD.
  auto low = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 35}));
  CHECK(low.decision == "Modify");
  CHECK(*signal_of(low, "hrv_7d")->value == Approx(4.017345).margin(1e-6));
  CHECK(signal_of(low, "hrv_today")->flag == "modify");
  CHECK(says(low.reason, "this morning's HRV ln(RMSSD) 3.56"));
  // Even 10 ms drags the mean (3.838379) beyond 1.5 SD, but the week
  // without it (4.094345) is normal: Modify.
  auto lower = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 10}));
  CHECK(*signal_of(lower, "hrv_7d")->value == Approx(3.838379).margin(1e-6));
  CHECK(signal_of(lower, "hrv_7d")->flag == "modify");
  CHECK(lower.decision == "Modify");
  CHECK(says(lower.reason, "mostly one low morning"));
}

TEST_CASE("HRV: too little history says so and is never Go") {
  readiness_input x;
  x.today = today;
  for (int age = 9; age >= 0; --age) {
    wellness_day w;
    w.date = format_date(today - age);
    w.sleep_hours = 8.0;
    w.hrv = 60.0;
    x.history.push_back(w);
  }
  auto a = assess_readiness(x);
  CHECK(a.decision == "Modify");
  auto* week = signal_of(a, "hrv_7d");
  REQUIRE(week != nullptr);
  CHECK(week->flag == "modify");
  CHECK_FALSE(week->baseline);
  REQUIRE(week->note);
  CHECK(says(*week->note, "3 mornings with HRV in the 54 days before this "
                          "week, 14 needed"));
  CHECK(says(a.reason, "HRV has too little history for a baseline (3 of 14"));
}

TEST_CASE("sleep, resting HR and TSB keep their thresholds, each flag named "
          "with the athlete's value") {
  auto normal = std::vector<double>{60, 60, 60, 60, 60, 60, 60};
  auto short_night = assess_readiness(history_of(normal, 4.0));
  CHECK(short_night.decision == "Skip");
  CHECK(says(short_night.reason, "sleep 4.0 h (under 5 h)"));
  CHECK(assess_readiness(history_of(normal, 6.0)).decision == "Modify");
  auto rhr = assess_readiness(history_of(normal, 7.5, 62.0));
  CHECK(rhr.decision == "Skip");
  CHECK(says(rhr.reason, "resting HR 62 bpm, 12 above your 60-day mean"));
  CHECK(*signal_of(rhr, "rhr")->baseline == Approx(50.0));
  CHECK(*signal_of(rhr, "rhr")->band_high == Approx(55.0));
  CHECK(assess_readiness(history_of(normal, 7.5, 56.0)).decision == "Modify");
  auto x = history_of(normal);
  x.load = fitness{true, 80, 122, -42, "", {}};
  auto heavy = assess_readiness(x);
  CHECK(heavy.decision == "Skip");
  CHECK(says(heavy.reason, "TSB -42.0 (under -30)"));
  x.load.tsb = -25;
  CHECK(assess_readiness(x).decision == "Modify");
  x.load.tsb = -5;
  CHECK(assess_readiness(x).decision == "Go");
  // Several flags: every one is named, Skip first.
  auto many = history_of({52, 52, 52, 52, 52, 52, 52}, 6.0, 62.0);
  many.load = fitness{true, 80, 122, -42, "", {}};
  auto all = assess_readiness(many);
  CHECK(all.decision == "Skip");
  for (auto part : {"7-day HRV", "resting HR 62 bpm", "TSB -42.0",
                    "sleep 6.0 h (under 6.5 h)"})
    CHECK(says(all.reason, part));
}

TEST_CASE("nothing to judge: never Go, and nothing the model could judge") {
  readiness_input nothing;
  nothing.today = today;
  auto a = assess_readiness(nothing);
  CHECK(a.decision == "Skip");
  CHECK_FALSE(a.judgeable);
  CHECK(a.signals.empty());
  // Resting HR alone: Modify, still nothing to judge.
  readiness_input rhr_only;
  rhr_only.today = today;
  wellness_day w;
  w.date = format_date(today);
  w.rhr = 50.0;
  rhr_only.history.push_back(w);
  auto b = assess_readiness(rhr_only);
  CHECK(b.decision == "Modify");
  CHECK_FALSE(b.judgeable);
  // Load alone is something to judge, but no readiness: Modify.
  readiness_input load_only;
  load_only.today = today;
  load_only.load = fitness{true, 40, 35, 5, "", {}};
  auto c = assess_readiness(load_only);
  CHECK(c.judgeable);
  CHECK(c.decision == "Modify");
}

TEST_CASE("the rules hold a veto over the model: the more cautious word "
          "stands, the rules' own reason when they overrule") {
  auto rules = assess_readiness(
    history_of({60, 60, 60, 60, 60, 60, 60}, 4.0)); // Skip: sleep
  daily_decision model;
  model.decision = "Go";
  model.reason = "You slept 9 hours, go hard.";
  model.suggestions_next_days = std::string{"Intervals tomorrow."};
  model.modified_plan = plan_item{"Hard", "2026-12-01", {}, {}, "workout", {}};
  model.source = "ai";
  auto d = overseen(model, rules);
  CHECK(d.decision == "Skip");
  CHECK(d.source == "ai+rules");
  CHECK(d.model_decision == opt_string{"Go"});
  CHECK(d.reason == rules.reason);
  CHECK_FALSE(says(d.reason, "9 hours"));
  CHECK_FALSE(d.modified_plan);
  CHECK_FALSE(d.suggestions_next_days);
  CHECK(d.readiness.size() == rules.signals.size());
  // The evening's texts: tomorrow's session goes with the overruled word,
  // the food and sleep tips stay.
  model.plan_tomorrow = std::string{"VO2max intervals."};
  model.evening_tips = std::string{"Eat carbs, bed by 22:00."};
  auto evening = overseen(model, rules);
  CHECK_FALSE(evening.plan_tomorrow);
  CHECK(evening.evening_tips == model.evening_tips);
  model.plan_tomorrow = caf::none;
  model.evening_tips = caf::none;
  // A green day: the model's word stands, also a more cautious one.
  auto green = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 60}));
  REQUIRE(green.decision == "Go");
  model.decision = "Skip";
  auto cautious = overseen(model, green);
  CHECK(cautious.decision == "Skip");
  CHECK(cautious.source == "ai");
  CHECK(cautious.reason == model.reason);
  model.decision = "Go";
  CHECK(overseen(model, green).source == "ai");
  // Both flag the same word: the model's text, both named as the source.
  auto modify = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 60}, 6.0));
  model.decision = "Modify";
  auto agreed = overseen(model, modify);
  CHECK(agreed.decision == "Modify");
  CHECK(agreed.source == "ai+rules");
  CHECK(agreed.reason == model.reason);
  CHECK(agreed.modified_plan);
  // The rules alone.
  auto alone = rules_decision(rules);
  CHECK(alone.source == "rules");
  CHECK_FALSE(alone.model_decision);
  CHECK(caution_of("Go") < caution_of("Modify"));
  CHECK(caution_of("Modify") < caution_of("Skip"));
  CHECK(caution_of("Proceed") == caution_of("Skip"));
}

TEST_CASE("advice: no verdict for the rules to judge, never a plan, and "
          "the rules' own advice names their findings") {
  auto rules = assess_readiness(history_of({60, 60, 60, 60, 60, 60, 60}, 4.0));
  REQUIRE(rules.decision == "Skip");
  daily_decision model;
  model.decision = "Advice";
  model.reason = "Rest today and sleep early.";
  model.modified_plan = plan_item{"Run", "2026-12-01", {}, {}, "workout", {}};
  auto d = advised(model, rules);
  CHECK(d.decision == "Advice");
  CHECK(d.reason == model.reason);
  CHECK(d.source == "ai");
  CHECK(d.model_decision == opt_string{"Advice"});
  CHECK_FALSE(d.modified_plan);
  CHECK(d.readiness.size() == rules.signals.size());
  auto alone = rules_advice(rules);
  CHECK(alone.decision == "Advice");
  CHECK(alone.source == "rules");
  CHECK(alone.reason == "Rule-based advice: " + rules.findings);
  CHECK(says(alone.reason, "sleep 4.0 h (under 5 h)"));
  CHECK(rules.reason == "Rule-based decision: " + rules.findings);
}
