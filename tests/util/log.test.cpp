#include "util/log.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace st {

namespace {

/// What `write` sends to stdout, read back from a file it is redirected to.
template<class F>
std::string captured_stdout(F write) {
  char path[] = "/tmp/st-log-test-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  flush_log();
  int saved = dup(STDOUT_FILENO);
  dup2(fd, STDOUT_FILENO);
  write();
  flush_log();
  dup2(saved, STDOUT_FILENO);
  close(saved);
  close(fd);
  std::ifstream in{path};
  std::stringstream text;
  text << in.rdbuf();
  std::remove(path);
  return text.str();
}

} // namespace

TEST_CASE("log settings read case-insensitively, unknown ones refused") {
  CHECK(parse_log_level(" Warning ") == log_level::warning);
  CHECK(parse_log_level("WARN") == log_level::warning);
  CHECK(parse_log_level("debug") == log_level::debug);
  CHECK(!parse_log_level("verbose"));
  CHECK(parse_log_format("JSON") == log_format::json);
  CHECK(!parse_log_format("xml"));
}

TEST_CASE("JSON lines at a threshold, with the thread's context") {
  auto out = captured_stdout([] {
    configure_log(log_format::json, log_level::warning);
    log_info("test", "not shown");
    log_access({"r-1", "127.0.0.1", "GET", "/x", "/x", 200, 10, 5, 0});
    {
      log_scope scope{{"req-9", 42, "user"}};
      log_warn("test", "quote \" and\nnewline");
    }
    log_error("test", "outside");
    configure_log(log_format::text, log_level::info);
  });
  std::istringstream lines{out};
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  std::string rest;
  CHECK(!std::getline(lines, rest)); // info and access lines were dropped
  rapidjson::Document a;
  a.Parse(first.c_str());
  REQUIRE(a.IsObject());
  CHECK(a["level"].GetString() == std::string{"WARNING"});
  CHECK(a["logger"].GetString() == std::string{"test"});
  CHECK(a["message"].GetString() == std::string{"quote \" and\nnewline"});
  CHECK(a["request_id"].GetString() == std::string{"req-9"});
  CHECK(a["user_id"].GetInt() == 42);
  CHECK(a["actor"].GetString() == std::string{"user"});
  rapidjson::Document b;
  b.Parse(second.c_str());
  REQUIRE(b.IsObject());
  CHECK(!b.HasMember("request_id")); // the scope ended
  CHECK(!b.HasMember("actor"));
}

TEST_CASE("text lines keep the reference's pattern, context appended") {
  auto out = captured_stdout([] {
    log_scope scope{{"req-7", 3, nullptr}};
    log_info("svc", "hello");
  });
  CHECK(out.find(" [INFO] svc: hello request_id=req-7 user_id=3\n") !=
        std::string::npos);
  CHECK(out.size() == std::string{"2026-12-01 23:59:59,123"}.size() +
                        std::string{" [INFO] svc: hello request_id=req-7 "
                                    "user_id=3\n"}
                          .size());
}

} // namespace st
