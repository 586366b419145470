#include "protocols/mail.hpp"

#include "protocols/http/body_io.hpp"

namespace st {

using namespace body_io;

upstream_request resend_request(const mail_settings& s,
                                const outgoing_mail& x) {
  upstream_request r;
  r.method = "POST";
  r.url = s.base_url + "/emails";
  r.headers = {"Authorization: Bearer " + s.api_key,
               "Content-Type: application/json"};
  if (!x.idempotency_key.empty())
    r.headers.push_back("Idempotency-Key: " + x.idempotency_key);
  r.body = render([&](json_writer& w) {
    w.StartObject();
    w.Key("from");
    write(w, s.from);
    w.Key("to");
    w.StartArray();
    write(w, x.to);
    w.EndArray();
    w.Key("subject");
    write(w, x.subject);
    w.Key("html");
    write(w, x.html);
    w.Key("text");
    write(w, x.text);
    w.EndObject();
  });
  r.background = true;
  return r;
}

} // namespace st
