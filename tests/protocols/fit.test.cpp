#include "protocols/fit.hpp"

#include "tests/support/fit_samples.hpp"

#include <catch2/catch.hpp>

#include "domain/training_load.hpp"

using namespace st;
using namespace st::test;

TEST_CASE("FIT: a ride with power, compressed timestamps, developer fields") {
  auto result = decode_fit(cycling_with_power());
  REQUIRE(std::holds_alternative<fit_summary>(result));
  auto& x = std::get<fit_summary>(result);
  CHECK(x.start_unix == sample_start);
  CHECK(x.duration_sec == 3600);
  CHECK(*x.distance_m == 30000.0);
  CHECK(*x.avg_power == 200);
  CHECK(*x.normalized_power == 220);
  CHECK(*x.avg_heart_rate == 140);
  CHECK(*x.max_heart_rate == 170);
  CHECK(*x.total_calories == 800);
  CHECK(*x.sport == "cycling");
  CHECK(x.num_records == 21);
  CHECK(x.num_laps == 1);
  CHECK(estimate_tss(x, 250.0) == 77.4);
  CHECK(estimate_tss(x, std::nullopt) == 55.0);
  CHECK(workout_name_of(x.sport) == "Cycling");
  // Records every second: the series keeps those 2 s apart.
  REQUIRE(x.series.size() == 11);
  CHECK(x.series[0].elapsed_sec == 0);
  CHECK(*x.series[0].power == 180);
  CHECK(*x.series[0].heart_rate == 120);
  CHECK(x.series[1].elapsed_sec == 2);
  CHECK(*x.series[1].heart_rate == 122);
  CHECK(x.series[10].elapsed_sec == 20);
  CHECK_FALSE(x.series[10].speed);
  auto raw = fit_raw_json(x);
  CHECK(
    raw.substr(0, raw.find(",\"series\"")) ==
    R"({"avg_heart_rate":140,"max_heart_rate":170,"avg_power":200,"normalized_power":220,"total_calories":800,"sport":"cycling")");
  CHECK(
    raw.find(
      R"("series":[{"elapsed_sec":0,"power":180,"speed":null,"heart_rate":120},{"elapsed_sec":2,"power":200,)") !=
    std::string::npos);
}

TEST_CASE("FIT: a long file's series is at most 3600 samples, evenly "
          "spread, with the enhanced speed in m/s") {
  fit_encoder e;
  e.define(0, 20, {{253, 4, 0}, {6, 2, 0}, {73, 4, 0}, {7, 2, 0}});
  for (uint32_t i = 0; i < 20000; ++i)
    e.data(0, {{253, 4, fit_time(sample_start + 10 + i)},
               {6, 2, 1000},
               {73, 4, 7414 + i % 3},
               {7, 2, 0xFFFF}});
  e.define(1, 18, {{253, 4, 0}, {2, 4, 0}, {7, 4, 0}});
  e.data(1, {{253, 4, fit_time(sample_start + 20010)},
             {2, 4, fit_time(sample_start)},
             {7, 4, 20010000}});
  auto result = decode_fit(e.file());
  REQUIRE(std::holds_alternative<fit_summary>(result));
  auto& series = std::get<fit_summary>(result).series;
  REQUIRE(series.size() == max_fit_samples);
  CHECK(series.front().elapsed_sec == 10); // timed from the session start
  CHECK(*series.front().speed == 7.41);
  CHECK_FALSE(series.front().power); // 0xFFFF: no power
  for (size_t i = 1; i < series.size(); ++i) {
    auto gap = series[i].elapsed_sec - series[i - 1].elapsed_sec;
    CHECK(gap >= min_sample_gap_sec);
    CHECK(gap <= 8);
  }
  CHECK(series.back().elapsed_sec > 19000);
}

TEST_CASE("FIT: a run with heart rate only") {
  auto result = decode_fit(running_heart_rate_only());
  REQUIRE(std::holds_alternative<fit_summary>(result));
  auto& x = std::get<fit_summary>(result);
  CHECK(x.start_unix == sample_start + 86400);
  CHECK(x.duration_sec == 2700); // total_timer_time when elapsed is absent
  CHECK_FALSE(x.avg_power);
  CHECK_FALSE(x.total_calories); // 0xFFFF is FIT's "invalid"
  CHECK(*x.sport == "running");
  CHECK(estimate_tss(x, 250.0) == 45.0);
}

TEST_CASE("FIT: truncated files, bad CRCs and junk are errors, never crashes") {
  auto good = cycling_with_power();
  for (size_t n :
       {size_t{0}, size_t{5}, size_t{13}, good.size() / 2, good.size() - 1})
    CHECK(std::holds_alternative<fit_error>(decode_fit(good.substr(0, n))));
  auto bad_crc = good;
  bad_crc.back() ^= 0x55;
  CHECK(std::get<fit_error>(decode_fit(bad_crc)).reason == "file CRC mismatch");
  auto bad_header = good;
  bad_header[12] ^= 0x01;
  CHECK(std::get<fit_error>(decode_fit(bad_header)).reason ==
        "header CRC mismatch");
  CHECK(std::holds_alternative<fit_error>(decode_fit("not a fit file at all")));
  fit_encoder empty;
  empty.define(0, 0, {{0, 1, 0}});
  empty.data(0, {{0, 1, 4}});
  CHECK(std::get<fit_error>(decode_fit(empty.file())).reason ==
        "no start time");
}
