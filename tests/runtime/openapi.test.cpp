#include "runtime/openapi.hpp"

#include "runtime/api_routes.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <set>

namespace st {

namespace {

/// Every `METHOD /path` the OpenAPI document lists.
std::set<std::string> documented_routes() {
  rapidjson::Document doc;
  auto json = openapi_json();
  doc.Parse(json.c_str());
  REQUIRE(doc.IsObject());
  std::set<std::string> result;
  for (auto& path : doc["paths"].GetObject())
    for (auto& op : path.value.GetObject()) {
      std::string method = op.name.GetString();
      if (method == "parameters")
        continue;
      for (auto& c : method)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      result.insert(method + " " + path.name.GetString());
    }
  return result;
}

} // namespace

TEST_CASE("the OpenAPI document lists exactly the router's routes") {
  api_context ctx;
  ctx.strava_routes = std::make_shared<const strava_route_settings>();
  auto routes = make_api_routes(ctx).templates();
  std::set<std::string> served(routes.begin(), routes.end());
  auto documented = documented_routes();
  for (auto& r : served) {
    INFO("served, not documented: " << r);
    CHECK(documented.count(r) == 1);
  }
  for (auto& r : documented) {
    INFO("documented, not served: " << r);
    CHECK(served.count(r) == 1);
  }
  CHECK(served.size() > 50);
}

TEST_CASE("YAML reads as JSON with typed scalars") {
  auto json =
    yaml_to_json("a: 1\nb: \"1\"\nc: [true, null, x, 2.5]\nd:\n  e: -3\n");
  CHECK(json == R"({"a":1,"b":"1","c":[true,null,"x",2.5],"d":{"e":-3}})");
  CHECK_THROWS(yaml_to_json("a: [1, 2"));
}

} // namespace st
