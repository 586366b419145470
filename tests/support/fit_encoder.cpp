#include "tests/support/fit_encoder.hpp"

namespace st::test {

void fit_encoder::put(uint32_t value, uint8_t size, bool big_endian) {
  for (uint8_t i = 0; i < size; ++i) {
    auto shift = 8 * (big_endian ? size - 1 - i : i);
    body_ += static_cast<char>((value >> shift) & 0xFF);
  }
}

void fit_encoder::define(uint8_t local, uint16_t global,
                         const std::vector<field>& fields, bool big_endian,
                         uint8_t developer_bytes) {
  body_ += static_cast<char>(0x40 | (developer_bytes ? 0x20 : 0) | local);
  body_ += '\0';
  body_ += static_cast<char>(big_endian ? 1 : 0);
  put(global, 2, big_endian);
  body_ += static_cast<char>(fields.size());
  for (auto& f : fields) {
    body_ += static_cast<char>(f.num);
    body_ += static_cast<char>(f.size);
    body_ += static_cast<char>(f.size == 1 ? 0x02 : f.size == 2 ? 0x84 : 0x86);
  }
  if (developer_bytes) {
    body_ += '\1';
    body_ += '\0';                               // developer field number
    body_ += static_cast<char>(developer_bytes); // its size
    body_ += '\0';                               // developer data index
  }
  big_endian_[local] = big_endian;
  dev_bytes_[local] = developer_bytes;
}

void fit_encoder::data(uint8_t local, const std::vector<field>& fields) {
  body_ += static_cast<char>(local);
  for (auto& f : fields)
    put(f.value, f.size, big_endian_[local]);
  body_.append(dev_bytes_[local], 'D');
}

void fit_encoder::compressed(uint8_t local, uint8_t offset,
                             const std::vector<field>& fields) {
  body_ += static_cast<char>(0x80 | (local << 5) | (offset & 0x1F));
  for (auto& f : fields)
    put(f.value, f.size, big_endian_[local]);
  body_.append(dev_bytes_[local], 'D');
}

std::string fit_encoder::file() const {
  std::string header;
  header += static_cast<char>(14);
  header += static_cast<char>(0x20); // protocol 2.0
  header += static_cast<char>(0x08); // profile 21.08, little-endian
  header += static_cast<char>(0x08);
  for (int i = 0; i < 4; ++i)
    header += static_cast<char>((body_.size() >> (8 * i)) & 0xFF);
  header += ".FIT";
  auto hcrc = fit_crc(header);
  header += static_cast<char>(hcrc & 0xFF);
  header += static_cast<char>(hcrc >> 8);
  auto result = header + body_;
  auto crc = fit_crc(result);
  result += static_cast<char>(crc & 0xFF);
  result += static_cast<char>(crc >> 8);
  return result;
}

} // namespace st::test
