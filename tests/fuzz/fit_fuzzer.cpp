// libFuzzer target for the FIT decoder: any input must decode to a summary
// or an error, without crashes, hangs or sanitizer reports.
#include "protocols/fit.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes{reinterpret_cast<const char*>(data), size};
  auto result = st::decode_fit(bytes);
  if (auto* x = std::get_if<st::fit_summary>(&result))
    (void)st::fit_raw_json(*x);
  // Also feed the body with a valid CRC so the fuzzer reaches the records.
  if (size >= 14) {
    std::string fixed{bytes};
    auto crc = st::fit_crc(std::string_view{fixed}.substr(0, fixed.size() - 2));
    fixed[fixed.size() - 2] = static_cast<char>(crc & 0xFF);
    fixed[fixed.size() - 1] = static_cast<char>(crc >> 8);
    (void)st::decode_fit(fixed);
  }
  return 0;
}
