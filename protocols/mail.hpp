#pragma once

#include "protocols/messages.hpp"

#include <string>

/// E-mail through Resend's HTTP API (http-api-head.md §5.2).
namespace st {

/// Where and as whom mail goes out.
struct mail_settings {
  std::string api_key;  ///< RESEND_API_KEY; empty = no mail at all
  std::string base_url; ///< RESEND_API_BASE_URL, no trailing slash
  std::string from;     ///< MAIL_FROM

  [[nodiscard]] bool configured() const {
    return !api_key.empty();
  }
};

/// `POST <base>/emails` with `{from, to: [to], subject, html, text}` and
/// the mail's `Idempotency-Key` (a retry within 24 h sends nothing more).
[[nodiscard]] upstream_request resend_request(const mail_settings& s,
                                              const outgoing_mail& x);

} // namespace st
