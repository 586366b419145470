#include "runtime/router.hpp"

#include "config/defaults.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("router: parameters, 405 methods, trailing-slash redirects") {
  router r;
  std::string hit;
  auto handler = [&hit](std::string name) {
    return [&hit, name](api_request&, responder) {
      hit = name;
    };
  };
  r.add(http::verb::get, "/api/v1/workouts", handler("list"));
  r.add(http::verb::post, "/api/v1/workouts", handler("create"));
  r.add(http::verb::delete_, "/api/v1/workouts/{workout_id}", handler("del"));
  r.add(http::verb::post, "/api/v1/workouts/upload-fit", handler("fit"),
        body_kind::upload);
  r.add(http::verb::get, "/api/v1/workouts/fitness", handler("fitness"));

  auto m = r.match(http::verb::delete_, "/api/v1/workouts/17");
  REQUIRE(m.handler != nullptr);
  CHECK(m.params.at("workout_id") == "17");
  api_request req;
  (*m.handler)(req, responder{});
  CHECK(hit == "del");

  m = r.match(http::verb::get, "/api/v1/workouts/fitness");
  REQUIRE(m.handler != nullptr);
  (*m.handler)(req, responder{});
  CHECK(hit == "fitness"); // a literal segment wins over a parameter

  m = r.match(http::verb::put, "/api/v1/workouts");
  CHECK(m.handler == nullptr);
  CHECK(m.allowed ==
        std::vector<http::verb>{http::verb::get, http::verb::post});

  m = r.match(http::verb::get, "/api/v1/workouts/");
  CHECK(m.handler == nullptr);
  CHECK(m.redirect == "/api/v1/workouts");

  m = r.match(http::verb::get, "/api/v1/nothing");
  CHECK(m.handler == nullptr);
  CHECK(m.allowed.empty());
  CHECK(m.redirect.empty());

  CHECK(r.body_limit("/api/v1/workouts/upload-fit") ==
        defaults::max_upload_body_bytes);
  CHECK(r.body_limit("/api/v1/workouts") == defaults::max_json_body_bytes);
}
