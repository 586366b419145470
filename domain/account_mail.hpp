#pragma once

#include "protocols/messages.hpp"

#include <cstdint>
#include <string>

/// The mails an account gets (http-api-head.md §3.1.5).
namespace st {

/// The password-reset mail to `to`: the link
/// `<frontend>/reset-password?token=<token>` (the frontend's base without
/// its trailing slash), valid for `minutes`, in an HTML and a text body;
/// sent once per reset-token row `row_id` (Resend's idempotency key).
[[nodiscard]] outgoing_mail
password_reset_mail(const std::string& to, const std::string& frontend,
                    const std::string& token, int64_t minutes, int64_t row_id);

} // namespace st
