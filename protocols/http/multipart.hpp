#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace st {

/// One part of a multipart/form-data body.
struct form_part {
  std::string name;
  std::optional<std::string> filename;
  std::string content_type;
  std::string_view data; ///< a view into the body
};

/// Splits a multipart/form-data body (RFC 7578) by the boundary named in
/// `content_type`. None when the body cannot be parsed (the reference's
/// 400 "There was an error parsing the body").
[[nodiscard]] std::optional<std::vector<form_part>>
parse_multipart(std::string_view content_type, std::string_view body);

/// The first part named `name`, or null.
[[nodiscard]] const form_part* find_part(const std::vector<form_part>& parts,
                                         std::string_view name);

} // namespace st
