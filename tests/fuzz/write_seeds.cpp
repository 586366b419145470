// Writes the sample FIT files into a directory as the fuzzer's seed corpus.
#include "tests/support/fit_samples.hpp"

#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2)
    return 2;
  std::string dir = argv[1];
  std::ofstream{dir + "/ride.fit", std::ios::binary}
    << st::test::cycling_with_power();
  std::ofstream{dir + "/run.fit", std::ios::binary}
    << st::test::running_heart_rate_only();
  return 0;
}
