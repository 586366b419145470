#include "protocols/http/multipart.hpp"

#include <cctype>

#include "util/text.hpp"

namespace st {

namespace {

/// The value of `key=` in a header's parameters (quoted or not).
std::optional<std::string> param_of(std::string_view header,
                                    std::string_view key) {
  auto h = to_lower(header);
  size_t pos = 0;
  while ((pos = h.find(key, pos)) != std::string::npos) {
    bool starts = pos == 0 || h[pos - 1] == ';' || h[pos - 1] == ' ';
    auto eq = pos + key.size();
    if (!starts || eq >= h.size() || h[eq] != '=') {
      pos += key.size();
      continue;
    }
    auto v = header.substr(eq + 1);
    if (!v.empty() && v[0] == '"') {
      auto end = v.find('"', 1);
      if (end == std::string_view::npos)
        return std::nullopt;
      return std::string{v.substr(1, end - 1)};
    }
    return std::string{v.substr(0, v.find(';'))};
  }
  return std::nullopt;
}

} // namespace

std::optional<std::vector<form_part>>
parse_multipart(std::string_view content_type, std::string_view body) {
  if (to_lower(content_type).rfind("multipart/form-data", 0) != 0)
    return std::nullopt;
  auto boundary = param_of(content_type, "boundary");
  if (!boundary || boundary->empty())
    return std::nullopt;
  auto delimiter = "--" + *boundary;
  auto pos = body.find(delimiter);
  if (pos == std::string_view::npos)
    return std::nullopt;
  std::vector<form_part> result;
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--")
      return result; // closing delimiter
    if (body.substr(pos, 2) != "\r\n")
      return std::nullopt;
    pos += 2;
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      return std::nullopt;
    form_part part;
    auto headers = body.substr(pos, headers_end - pos);
    size_t line_start = 0;
    while (line_start <= headers.size()) {
      auto line_end = headers.find("\r\n", line_start);
      auto line = headers.substr(line_start, line_end == std::string_view::npos
                                               ? std::string_view::npos
                                               : line_end - line_start);
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        auto name = to_lower(line.substr(0, colon));
        auto value = line.substr(colon + 1);
        while (!value.empty() && value[0] == ' ')
          value.remove_prefix(1);
        if (name == "content-disposition") {
          part.name = param_of(value, "name").value_or("");
          part.filename = param_of(value, "filename");
        } else if (name == "content-type") {
          part.content_type = std::string{value};
        }
      }
      if (line_end == std::string_view::npos)
        break;
      line_start = line_end + 2;
    }
    auto data_start = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos)
      return std::nullopt;
    part.data = body.substr(data_start, next - data_start);
    result.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
  }
}

const form_part* find_part(const std::vector<form_part>& parts,
                           std::string_view name) {
  for (auto& p : parts)
    if (p.name == name)
      return &p;
  return nullptr;
}

} // namespace st
