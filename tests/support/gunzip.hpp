#pragma once

#include <zlib.h>

#include <string>

namespace st::test {

/// Inflates a gzip body (up to 1 MiB); "<not gzip>" when it is not one, so
/// a comparison with the expected text fails visibly.
inline std::string gunzip(const std::string& x) {
  z_stream zs{};
  inflateInit2(&zs, 15 + 16);
  std::string result(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(x.data()));
  zs.avail_in = static_cast<uInt>(x.size());
  zs.next_out = reinterpret_cast<Bytef*>(result.data());
  zs.avail_out = static_cast<uInt>(result.size());
  auto rc = inflate(&zs, Z_FINISH);
  result.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? result : "<not gzip>";
}

} // namespace st::test
