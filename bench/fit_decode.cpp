// FIT decoding throughput on a large activity (records with compressed
// timestamps and developer fields, as devices write them).
//   bench_fit_decode [RECORDS] [ROUNDS]
#include "protocols/fit.hpp"
#include "tests/support/fit_encoder.hpp"

#include <chrono>
#include <cstdio>
#include <string>

int main(int argc, char** argv) {
  int records = argc > 1 ? std::stoi(argv[1]) : 200000;
  int rounds = argc > 2 ? std::stoi(argv[2]) : 20;
  st::test::fit_encoder e;
  e.define(0, 20, {{253, 4, 0}, {3, 1, 0}, {7, 2, 0}, {5, 4, 0}}, false, 2);
  e.define(1, 20, {{3, 1, 0}, {7, 2, 0}, {5, 4, 0}});
  for (int i = 0; i < records; ++i) {
    if (i % 30 == 0)
      e.data(0, {{253, 4, 1000000u + static_cast<uint32_t>(i)},
                 {3, 1, 140},
                 {7, 2, 200},
                 {5, 4, static_cast<uint32_t>(i * 300)}});
    else
      e.compressed(
        1, static_cast<uint8_t>((1000000 + i) & 0x1F),
        {{3, 1, 141}, {7, 2, 210}, {5, 4, static_cast<uint32_t>(i * 300)}});
  }
  e.define(2, 18, {{253, 4, 0}, {2, 4, 0}, {7, 4, 0}, {5, 1, 0}});
  e.data(2, {{253, 4, 1000000u + static_cast<uint32_t>(records)},
             {2, 4, 1000000},
             {7, 4, static_cast<uint32_t>(records) * 1000},
             {5, 1, 2}});
  auto file = e.file();
  uint64_t checksum = 0;
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    auto x = st::decode_fit(file);
    checksum += std::get<st::fit_summary>(x).num_records;
  }
  auto secs =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
  double mb = static_cast<double>(file.size()) * rounds / 1e6;
  std::printf("file %.1f MB, %d records; %d rounds in %.3f s: %.0f MB/s "
              "(%.1f M records/s) [check %llu]\n",
              static_cast<double>(file.size()) / 1e6, records, rounds, secs,
              mb / secs, static_cast<double>(checksum) / secs / 1e6,
              static_cast<unsigned long long>(checksum));
}
