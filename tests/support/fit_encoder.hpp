#pragma once

#include "protocols/fit.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace st::test {

/// Builds FIT files shaped like real devices write them: a 14-byte header
/// with its CRC, definition and data messages (little- or big-endian),
/// developer fields, compressed-timestamp records and the file CRC.
class fit_encoder {
public:
  struct field {
    uint8_t num;
    uint8_t size; ///< 1, 2 or 4
    uint32_t value;
  };

  /// Defines local message `local` as `global` with these field layouts.
  void define(uint8_t local, uint16_t global, const std::vector<field>& fields,
              bool big_endian = false, uint8_t developer_bytes = 0);

  /// A data message for `local` with the values (same order as defined).
  void data(uint8_t local, const std::vector<field>& fields);

  /// A data message with a compressed timestamp header (5-bit offset).
  void compressed(uint8_t local, uint8_t offset,
                  const std::vector<field>& fields);

  /// The whole file.
  [[nodiscard]] std::string file() const;

private:
  void put(uint32_t value, uint8_t size, bool big_endian);
  std::string body_;
  bool big_endian_[16] = {};
  uint8_t dev_bytes_[16] = {};
};

/// FIT seconds of a Unix time.
inline uint32_t fit_time(int64_t unix_secs) {
  return static_cast<uint32_t>(unix_secs - fit_epoch_unix);
}

} // namespace st::test
