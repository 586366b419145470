#include "runtime/openapi.hpp"

#include "runtime/api_routes.hpp"
#include "runtime/router.hpp"
#include "tests/support/openapi_check.hpp"

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

TEST_CASE("every documented operation is served by the route of its "
          "template") {
  // The other way round (a served route the document lacks) is caught by
  // openapi:every-answer-fits-the-document on every answer of the suite.
  api_context ctx;
  ctx.strava_routes = std::make_shared<const strava_route_settings>();
  auto routes = make_api_routes(ctx);
  auto documented = documented_routes();
  for (auto& op : documented) {
    INFO("documented: " << op);
    auto space = op.find(' ');
    auto method = http::string_to_verb(op.substr(0, space));
    auto pattern = op.substr(space + 1);
    // Each `{param}` as a plain segment value.
    std::string path;
    for (auto& part : router::split(pattern))
      path +=
        "/" + (!part.empty() && part[0] == '{' ? std::string{"x1"} : part);
    auto hit = routes.match(method, path);
    REQUIRE(hit.handler != nullptr);
    CHECK(*hit.pattern == pattern);
  }
  CHECK(documented.size() > 50);
}

TEST_CASE("answers are held to the document as a validating proxy holds "
          "them") {
  auto doc_text = yaml_to_json(R"(
paths:
  /api/v1/things/{id}:
    get:
      responses:
        "200":
          description: OK
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
        "422":
          description: Invalid
          content:
            application/json:
              schema:
                type: object
                properties:
                  loc: {type: array, items: {oneOf: [{type: string}, {type: integer}]}}
  /api/v1/things/special:
    get:
      responses:
        default:
          description: Any
components:
  schemas:
    Thing:
      type: object
      required: [id, day]
      additionalProperties: false
      properties:
        id: {type: integer}
        day: {type: string, format: date}
        at: {type: string, format: date-time, nullable: true}
)");
  rapidjson::Document doc;
  doc.Parse(doc_text.c_str());
  auto check = [&](const std::string& target, int status,
                   const std::string& type, const std::string& body) {
    return test::answer_mismatch(doc, "GET", target, status, type, body);
  };
  auto json = "application/json";
  CHECK(check("/api/v1/things/7", 200, json, R"({"id":7,"day":"2026-12-01"})")
          .empty());
  CHECK(check("/api/v1/things/7?x=1", 200, "application/json; charset=utf-8",
              R"({"id":7,"day":"2026-12-01","at":null})")
          .empty());
  CHECK(check("/api/v1/things/7", 404, json, R"({"detail":"x"})") ==
        "status 404 not documented");
  // A path the document lacks: only a "no such route" answer fits.
  CHECK(
    check("/api/v1/widgets", 404, json, R"({"detail":"Not Found"})").empty());
  CHECK(check("/api/v1/widgets", 200, json, "[]") ==
        "status 200 for an operation the document does not have");
  CHECK(check("/api/v1/things/7", 200, "text/plain", "7") ==
        "status 200: media type 'text/plain' not documented");
  CHECK(check("/api/v1/things/7", 200, json, "{") ==
        "status 200: the body is not JSON");
  CHECK(
    check("/api/v1/things/7", 200, json, R"({"id":"7","day":"2026-12-01"})") ==
    "status 200: $.id: expected integer, got string");
  CHECK(
    check("/api/v1/things/7", 200, json, R"({"id":7,"day":"01.12.2026"})") ==
    "status 200: $.day: not a date");
  CHECK(check("/api/v1/things/7", 200, json,
              R"({"id":7,"day":"2026-12-01","at":"2026-12-01T07:00:00"})") ==
        "status 200: $.at: not a date-time");
  CHECK(check("/api/v1/things/7", 200, json,
              R"({"id":7,"day":"2026-12-01","extra":1})") ==
        "status 200: $: property extra not allowed");
  CHECK(check("/api/v1/things/7", 200, json, R"({"id":7})") ==
        "status 200: $: missing required day");
  CHECK(check("/api/v1/things/7", 422, json, R"({"loc":["path",0]})").empty());
  CHECK(check("/api/v1/things/7", 422, json, R"({"loc":[true]})") ==
        "status 422: $.loc[0]: fits 0 of oneOf");
  // A literal segment wins over a template.
  CHECK(check("/api/v1/things/special", 503, json, "").empty());
}

TEST_CASE("YAML reads as JSON with typed scalars") {
  auto json =
    yaml_to_json("a: 1\nb: \"1\"\nc: [true, null, x, 2.5]\nd:\n  e: -3\n");
  CHECK(json == R"({"a":1,"b":"1","c":[true,null,"x",2.5],"d":{"e":-3}})");
  CHECK_THROWS(yaml_to_json("a: [1, 2"));
}

} // namespace st
