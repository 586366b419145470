#include "protocols/http/multipart.hpp"

#include <catch2/catch.hpp>

using namespace st;

TEST_CASE("multipart/form-data: parts, names, file names, binary data") {
  std::string body =
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"meal_type\"\r\n\r\n"
    "lunch\r\n"
    "--b0undary\r\n"
    "Content-Disposition: form-data; name=\"file\"; "
    "filename=\"workout.fit\"\r\n"
    "Content-Type: application/octet-stream\r\n\r\n" +
    std::string("\x0e\x00\r\n--b\xff", 8) + "\r\n--b0undary--\r\n";
  auto parts = parse_multipart("multipart/form-data; boundary=b0undary", body);
  REQUIRE(parts);
  REQUIRE(parts->size() == 2);
  CHECK((*parts)[0].name == "meal_type");
  CHECK((*parts)[0].data == "lunch");
  CHECK_FALSE((*parts)[0].filename);
  CHECK((*parts)[1].name == "file");
  CHECK(*(*parts)[1].filename == "workout.fit");
  CHECK((*parts)[1].content_type == "application/octet-stream");
  CHECK((*parts)[1].data == std::string("\x0e\x00\r\n--b\xff", 8));
  auto quoted =
    parse_multipart("multipart/form-data; boundary=\"b0undary\"", body);
  CHECK(quoted);
}

TEST_CASE("multipart/form-data: malformed bodies are refused") {
  CHECK_FALSE(parse_multipart("application/json", "{}"));
  CHECK_FALSE(parse_multipart("multipart/form-data", "--x\r\n"));
  CHECK_FALSE(parse_multipart("multipart/form-data; boundary=x", "garbage"));
  CHECK_FALSE(parse_multipart("multipart/form-data; boundary=x",
                              "--x\r\nContent-Disposition: form-data; "
                              "name=\"file\"\r\n\r\nno closing delimiter"));
  auto empty = parse_multipart("multipart/form-data; boundary=x", "--x--\r\n");
  REQUIRE(empty);
  CHECK(empty->empty());
}
