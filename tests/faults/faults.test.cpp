// The fault suite: the real binary under load while a part fails, with
// figures (tests/faults/figures.tsv, printed as a table by scripts/test).
#include "tests/support/environment.hpp"
#include "tests/support/http_client.hpp"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <fstream>
#include <future>
#include <mutex>
#include <set>

namespace st::test {

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Appends one figure of `fault` to the suite's table.
void figure(const std::string& fault, const std::string& name,
            const std::string& value, const std::string& goal, bool met) {
  static std::mutex mtx;
  std::lock_guard<std::mutex> guard{mtx};
  std::ofstream{ST_FAULT_FIGURES, std::ios::app}
    << fault << '\t' << name << '\t' << value << '\t' << goal << '\t'
    << (met ? "yes" : "NO") << '\n';
}

std::string seconds(clock_type::duration d) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f s",
                std::chrono::duration<double>(d).count());
  return text;
}

/// A private PostgreSQL cluster, so that killing it touches no other test.
class private_cluster {
public:
  private_cluster() {
    auto [rc, out] = run_shell("mktemp -d /tmp/st-fault-pg.XXXXXX");
    REQUIRE(rc == 0);
    dir_ = out.substr(0, out.find('\n'));
    auto [prc, port] = run_shell(pg("pg_free_port"));
    REQUIRE(prc == 0);
    port_ = port.substr(0, port.find('\n'));
    start();
  }

  ~private_cluster() {
    run_shell(pg("pg_cluster_stop " + dir_ + " immediate"));
    run_shell("rm -rf " + dir_);
  }

  void start() {
    auto [rc, out] = run_shell(pg("pg_cluster_start " + dir_ + " " + port_));
    INFO(out);
    REQUIRE(rc == 0);
  }

  /// The crash of the issue: no shutdown checkpoint, connections cut.
  void kill() {
    auto [rc, out] = run_shell(pg("pg_cluster_stop " + dir_ + " immediate"));
    INFO(out);
    REQUIRE(rc == 0);
  }

  [[nodiscard]] std::string dsn() const {
    return "postgresql://postgres@127.0.0.1:" + port_ + "/postgres";
  }

private:
  static std::string pg(const std::string& command) {
    return std::string{"bash -c 'source "} + ST_SOURCE_DIR +
           "/scripts/lib/pg.sh && " + command + "'";
  }

  std::string dir_;
  std::string port_;
};

/// A client that reconnects when its connection breaks; status 0 = no
/// answer (connection refused or cut).
class steady_client {
public:
  explicit steady_client(uint16_t port) : port_(port) {}

  http_reply call(const std::string& method, const std::string& path,
                  const std::string& body, const std::string& token) {
    try {
      if (!conn_)
        conn_ = std::make_unique<http_client>(port_);
      auto r = conn_->request(method, path, body, bearer(token));
      if (r.header("connection") == "close")
        conn_.reset();
      return r;
    } catch (const std::exception&) {
      conn_.reset();
      return http_reply{};
    }
  }

private:
  uint16_t port_;
  std::unique_ptr<http_client> conn_;
};

/// Counts answers by status.
struct tally {
  std::mutex mtx;
  std::map<int, int> by_status;

  void add(int status) {
    std::lock_guard<std::mutex> guard{mtx};
    ++by_status[status];
  }

  int of(int status) {
    std::lock_guard<std::mutex> guard{mtx};
    return by_status[status];
  }

  /// Answers that are neither `allowed`: what must never happen.
  int others(std::initializer_list<int> allowed) {
    std::lock_guard<std::mutex> guard{mtx};
    int n = 0;
    for (auto& [status, count] : by_status)
      if (std::find(allowed.begin(), allowed.end(), status) == allowed.end())
        n += count;
    return n;
  }
};

std::string entry_body(const std::string& name) {
  return R"({"name":")" + name +
         R"(","portion_grams":100,"calories":200,"protein_g":10,"fat_g":5,"carbs_g":20,"date":"2026-11-30"})";
}

std::set<std::string> stored_names(const std::string& dsn) {
  std::set<std::string> result;
  for (auto& row : run_sql(dsn, "SELECT name FROM food_log"))
    result.insert(row[0]);
  return result;
}

} // namespace

TEST_CASE("PostgreSQL killed under write load: no acknowledged write lost") {
  const std::string fault = "PostgreSQL killed";
  private_cluster pg;
  server_process server{{{"DATABASE_URL", pg.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"RATE_LIMIT_PER_MINUTE", "10000000"},
                         {"REQUEST_TIMEOUT_MS", "3000"}}};
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i)
    tokens.push_back(
      json_field(http_call(server.port(), "POST", "/api/v1/auth/register",
                           R"({"email":"pgkill)" + std::to_string(i) +
                             R"(@x.org","password":"password1"})")
                   .body,
                 "access_token"));

  std::atomic<bool> stop{false};
  std::atomic<int> phase{0}; // 0 before, 1 outage, 2 after restart
  std::atomic<int64_t> first_ok_after_ns{0};
  tally during_outage;
  tally overall;
  std::mutex acked_mtx;
  std::vector<std::string> acked;
  auto writer = [&](int w) {
    steady_client client{server.port()};
    for (int n = 0; !stop; ++n) {
      auto name = "w" + std::to_string(w) + "-" + std::to_string(n);
      auto r = client.call("POST", "/api/v1/nutrition/entries",
                           entry_body(name), tokens[w]);
      overall.add(r.status);
      if (phase == 1)
        during_outage.add(r.status);
      if (r.status == 200) {
        std::lock_guard<std::mutex> guard{acked_mtx};
        acked.push_back(name);
        if (phase == 2 && first_ok_after_ns == 0)
          first_ok_after_ns = clock_type::now().time_since_epoch().count();
      } else {
        std::this_thread::sleep_for(20ms); // a client backs off a little
      }
    }
  };
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back(writer, w);
  std::this_thread::sleep_for(1500ms);
  phase = 1;
  pg.kill();
  std::this_thread::sleep_for(2s);
  pg.start();
  auto up = clock_type::now();
  phase = 2;
  bool recovered = eventually(
    [&] {
      return first_ok_after_ns != 0;
    },
    15s);
  std::this_thread::sleep_for(1s);
  stop = true;
  for (auto& t : writers)
    t.join();

  auto stored = stored_names(pg.dsn());
  int lost = 0;
  for (auto& name : acked)
    lost += stored.count(name) == 0;
  auto back_in =
    recovered
      ? clock_type::time_point{clock_type::duration{first_ok_after_ns}} - up
      : 15s;
  auto health = http_call(server.port(), "GET", "/health");
  auto reconnects = admin_stat(server.port(), {"db", "num_reconnects"});
  figure(fault, "writes acknowledged", std::to_string(acked.size()), "> 0",
         !acked.empty());
  figure(fault, "acknowledged writes lost", std::to_string(lost), "0",
         lost == 0);
  figure(fault, "503 answers during the outage",
         std::to_string(during_outage.of(503)), "> 0",
         during_outage.of(503) > 0);
  figure(fault, "other failures (5xx but 503, cut connections)",
         std::to_string(overall.others({200, 503})), "0",
         overall.others({200, 503}) == 0);
  figure(fault, "first acknowledged write after restart", seconds(back_in),
         "<= 3 s", back_in <= 3s);
  figure(fault, "server alive afterwards", health.status == 200 ? "yes" : "no",
         "yes", health.status == 200);
  figure(fault, "DB connections re-established (admin stats)",
         std::to_string(reconnects), ">= 1",
         reconnects >= 1 && reconnects != UINT64_MAX);
  CHECK(!acked.empty());
  CHECK(lost == 0);
  CHECK(during_outage.of(503) > 0);
  CHECK(overall.others({200, 503}) == 0);
  CHECK(recovered);
  CHECK(back_in <= 3s);
  CHECK(health.status == 200);
  CHECK(reconnects >= 1);
  CHECK(reconnects <= 4); // one per DB actor at most
}

TEST_CASE("Gemini failing 30 % with 429 and 503: clean answers, limit kept") {
  const std::string fault = "Gemini 30 % 429/503";
  constexpr int limit = 4;
  scratch_database db;
  fake_gemini gemini;
  gemini.answer_by_default(
    R"({"fail_rate":0.3,"fail_statuses":[429,503],"delay_ms":30,"seed":7})");
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"GOOGLE_GEMINI_API_KEY", "test-gemini-key"},
                         {"GEMINI_API_BASE_URL", gemini.base_url()},
                         {"GEMINI_MAX_CONCURRENCY", std::to_string(limit)},
                         {"GEMINI_REQUEST_TIMEOUT_SECONDS", "5"},
                         {"RATE_LIMIT_PER_MINUTE", "10000000"}}};
  std::vector<athlete> athletes;
  for (int i = 0; i < 8; ++i)
    athletes.push_back(
      register_athlete(server.port(), db, "ai" + std::to_string(i) + "@x.org"));
  tally answers;
  std::atomic<int> unclean{0};
  std::mutex mtx;
  std::vector<double> latencies;
  auto chatter = [&](int a) {
    steady_client client{server.port()};
    for (int n = 0; n < 6; ++n) {
      auto started = clock_type::now();
      auto r =
        client.call("POST", "/api/v1/chat/send",
                    R"({"message":"How was my week?"})", athletes[a].token);
      auto took = std::chrono::duration<double>(clock_type::now() - started);
      answers.add(r.status);
      bool clean = r.status == 200 ? !json_field(r.body, "reply").empty()
                                   : !json_field(r.body, "detail").empty();
      unclean += !clean;
      std::lock_guard<std::mutex> guard{mtx};
      latencies.push_back(took.count());
    }
  };
  std::vector<std::thread> threads;
  for (int a = 0; a < 8; ++a)
    threads.emplace_back(chatter, a);
  for (auto& t : threads)
    t.join();

  rapidjson::Document stats;
  auto text = gemini.stats();
  stats.Parse(text.c_str());
  auto max_in_flight = stats["max_in_flight"].GetInt();
  auto failed_upstream = stats["failed"].GetInt();
  auto calls = static_cast<int>(stats["calls"].GetArray().Size());
  std::sort(latencies.begin(), latencies.end());
  auto slowest = latencies.empty() ? 0.0 : latencies.back();
  auto total = static_cast<int>(latencies.size());
  char slowest_text[32];
  std::snprintf(slowest_text, sizeof(slowest_text), "%.2f s", slowest);
  auto retries = admin_stat(server.port(), {"gemini", "num_retries"});
  figure(fault, "chat calls (succeeded / 502 / 503)",
         std::to_string(total) + " (" + std::to_string(answers.of(200)) +
           " / " + std::to_string(answers.of(502)) + " / " +
           std::to_string(answers.of(503)) + ")",
         "every one answered", answers.others({200, 502, 503}) == 0);
  figure(fault, "model calls failed by the fake / sent",
         std::to_string(failed_upstream) + " / " + std::to_string(calls),
         "~30 %", failed_upstream > 0);
  figure(fault, "broker retries", std::to_string(retries), "> 0",
         retries > 0 && retries != UINT64_MAX);
  figure(fault, "answers without JSON reply or detail",
         std::to_string(unclean.load()), "0", unclean == 0);
  figure(fault, "most model calls in flight",
         std::to_string(max_in_flight) + " of " + std::to_string(limit),
         "<= limit", max_in_flight <= limit);
  figure(fault, "slowest answer", slowest_text, "<= 30 s (its budget)",
         slowest <= 30);
  CHECK(total == 48);
  CHECK(answers.others({200, 502, 503}) == 0);
  CHECK(answers.of(200) > total / 2);
  CHECK(failed_upstream > 0);
  CHECK(retries > 0);
  CHECK(unclean == 0);
  CHECK(max_in_flight <= limit);
  CHECK(slowest <= 30);
}

TEST_CASE("SIGTERM under load: every acknowledged request completed") {
  const std::string fault = "SIGTERM under load";
  scratch_database db;
  auto server =
    std::make_unique<server_process>(std::map<std::string, std::string>{
      {"DATABASE_URL", db.dsn()}, {"RATE_LIMIT_PER_MINUTE", "10000000"}});
  std::vector<athlete> athletes;
  for (int i = 0; i < 4; ++i)
    athletes.push_back(register_athlete(server->port(), db,
                                        "term" + std::to_string(i) + "@x.org"));
  std::atomic<bool> stop{false};
  std::atomic<bool> terminated{false};
  std::atomic<int> answered_after{0};
  std::atomic<int> failed_after{0};
  std::atomic<int> bad_before{0};
  std::mutex acked_mtx;
  std::vector<std::string> acked;
  auto port = server->port();
  auto writer = [&](int w) {
    steady_client client{port};
    for (int n = 0; !stop; ++n) {
      auto name = "t" + std::to_string(w) + "-" + std::to_string(n);
      bool after = terminated;
      auto r = client.call("POST", "/api/v1/nutrition/entries",
                           entry_body(name), athletes[w].token);
      if (r.status == 200) {
        std::lock_guard<std::mutex> guard{acked_mtx};
        acked.push_back(name);
        answered_after += after;
      } else if (!after && !terminated) {
        ++bad_before;
      } else if (r.status != 0) {
        ++failed_after; // an answer, but not a success: must not happen
      } else {
        std::this_thread::sleep_for(10ms); // refused: the server is gone
      }
    }
  };
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back(writer, w);
  std::this_thread::sleep_for(1500ms);
  auto sent = clock_type::now();
  terminated = true;
  server->signal(SIGTERM);
  auto code = server->wait_exit(20s);
  auto took = clock_type::now() - sent;
  std::this_thread::sleep_for(200ms);
  stop = true;
  for (auto& t : writers)
    t.join();
  auto stored = stored_names(db.dsn());
  int lost = 0;
  for (auto& name : acked)
    lost += stored.count(name) == 0;
  figure(fault, "writes acknowledged", std::to_string(acked.size()), "> 0",
         !acked.empty());
  figure(fault, "acknowledged writes missing from the table",
         std::to_string(lost), "0", lost == 0);
  figure(fault, "answers after SIGTERM that were not a success",
         std::to_string(failed_after.load()), "0", failed_after == 0);
  figure(fault, "exit status, time to exit",
         std::to_string(code) + ", " + seconds(took), "0, < 10 s",
         code == 0 && took < 10s);
  CHECK(!acked.empty());
  CHECK(bad_before == 0);
  CHECK(lost == 0);
  CHECK(failed_after == 0);
  CHECK(code == 0);
  CHECK(took < 10s);
}

TEST_CASE(
  "a crash injected in one user's actor under load: others see no error") {
  const std::string fault = "user actor crash";
  scratch_database db;
  server_process server{{{"DATABASE_URL", db.dsn()},
                         {"ADMIN_TOKEN", test_admin_token},
                         {"FAULT_INJECTION", "true"},
                         {"RATE_LIMIT_PER_MINUTE", "10000000"}}};
  auto victim = register_athlete(server.port(), db, "victim@x.org");
  std::vector<athlete> others;
  for (int i = 0; i < 3; ++i)
    others.push_back(register_athlete(server.port(), db,
                                      "other" + std::to_string(i) + "@x.org"));
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  std::atomic<int> errors{0};
  auto bystander = [&](int i) {
    steady_client client{server.port()};
    for (int n = 0; !stop; ++n) {
      auto put = client.call("PUT", "/api/v1/wellness",
                             R"({"date":"2026-11-30","rhr":)" +
                               std::to_string(40 + n % 20) + "}",
                             others[i].token);
      auto get =
        client.call("GET", "/api/v1/athlete-profile", "", others[i].token);
      calls += 2;
      errors += (put.status != 200) + (get.status != 200);
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 3; ++i)
    threads.emplace_back(bystander, i);
  constexpr int crashes = 20;
  int answered_503 = 0;
  steady_client client{server.port()};
  for (int i = 0; i < crashes; ++i) {
    answered_503 +=
      client.call("POST", "/api/v1/test/fault", "", victim.token).status == 503;
    std::this_thread::sleep_for(50ms);
  }
  auto after = client.call("GET", "/api/v1/athlete-profile", "", victim.token);
  stop = true;
  for (auto& t : threads)
    t.join();
  auto restarted = admin_stat(server.port(), {"user_actors", "restarted"});
  figure(fault, "crashes injected (answered 503)",
         std::to_string(crashes) + " (" + std::to_string(answered_503) + ")",
         "all 503", answered_503 == crashes);
  figure(fault, "restarts counted by the registry", std::to_string(restarted),
         std::to_string(crashes), restarted == crashes);
  figure(fault, "other users' requests / errors",
         std::to_string(calls.load()) + " / " + std::to_string(errors.load()),
         "0 errors", errors == 0 && calls > 0);
  figure(fault, "the victim's next request", std::to_string(after.status),
         "200", after.status == 200);
  CHECK(answered_503 == crashes);
  CHECK(restarted == static_cast<uint64_t>(crashes));
  CHECK(calls > 100);
  CHECK(errors == 0);
  CHECK(after.status == 200);
}

} // namespace st::test
