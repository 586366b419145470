#include "config/settings.hpp"
#include "runtime/service.hpp"

#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* usage =
  R"(Usage: smart-trainer COMMAND [--setting value ...] [--config FILE]

Commands:
  serve       migrate (unless --migrate-on-start=false) and serve HTTP
  migrate     bring the database schema to the newest revision and exit
  --help      show this text
  --version   print the version

Every setting is an environment variable (see README.md), also read from
./.env and from --config FILE, and can be given as a flag: DB_POOL_SIZE is
--db-pool-size. Precedence: flag > environment > --config file > .env > default.
)";

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" ||
      args[0] == "help") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "smart-trainer " << SMART_TRAINER_VERSION << '\n';
    return 0;
  }
  auto command = args[0];
  if (command != "serve" && command != "migrate") {
    std::cerr << "unknown command '" << command << "' (try --help)\n";
    return 2;
  }
  args.erase(args.begin());
  auto sources = st::collect_sources(std::move(args));
  if (auto* err = std::get_if<st::settings_error>(&sources)) {
    std::cerr << "invalid setting " << err->name << ": " << err->message
              << '\n';
    return 2;
  }
  auto loaded = st::load_settings(std::get<st::settings_sources>(sources));
  if (auto* err = std::get_if<st::settings_error>(&loaded)) {
    std::cerr << "invalid setting " << err->name << ": " << err->message
              << '\n';
    return 2;
  }
  auto& cfg = std::get<st::settings>(loaded);
  return command == "serve" ? st::run_serve(cfg) : st::run_migrate(cfg);
}
