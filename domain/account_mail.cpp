#include "domain/account_mail.hpp"

namespace st {

namespace {

/// `x` safe inside HTML text and a double-quoted attribute.
std::string html_escaped(const std::string& x) {
  std::string out;
  for (char c : x) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// "1 hour", "2 hours", "30 minutes".
std::string lifetime_text(int64_t minutes) {
  if (minutes % 60 == 0) {
    auto hours = minutes / 60;
    return std::to_string(hours) + (hours == 1 ? " hour" : " hours");
  }
  return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

} // namespace

outgoing_mail password_reset_mail(const std::string& to,
                                  const std::string& frontend,
                                  const std::string& token, int64_t minutes,
                                  int64_t row_id) {
  auto base = frontend;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  auto link = base + "/reset-password?token=" + token;
  auto expires = "The link expires in " + lifetime_text(minutes) + ".";
  outgoing_mail m;
  m.to = to;
  m.subject = "Reset your password";
  m.text = "Someone asked to reset the password of your Smart Trainer "
           "account.\n\nSet a new password here:\n" +
           link + "\n\n" + expires +
           " If it was not you, ignore this mail: your password stays as "
           "it is.\n";
  m.html = "<p>Someone asked to reset the password of your Smart Trainer "
           "account.</p><p><a href=\"" +
           html_escaped(link) + "\">Set a new password</a></p><p>" + expires +
           " If it was not you, ignore this mail: your password stays as it "
           "is.</p>";
  m.idempotency_key = "password-reset/" + std::to_string(row_id);
  return m;
}

} // namespace st
