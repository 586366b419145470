#include "util/json_text.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "util/text.hpp"

namespace st {

std::string json_string(std::string_view x) {
  if (!valid_utf8(x))
    return json_string(sanitize_utf8(x));
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.String(x.data(), static_cast<rapidjson::SizeType>(x.size()));
  return {buf.GetString(), buf.GetSize()};
}

} // namespace st
