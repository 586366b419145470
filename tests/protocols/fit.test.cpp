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
  CHECK(
    fit_raw_json(x) ==
    R"({"avg_heart_rate":140,"max_heart_rate":170,"avg_power":200,"normalized_power":220,"total_calories":800,"sport":"cycling"})");
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
