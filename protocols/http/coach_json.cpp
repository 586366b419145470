#include "protocols/http/coach_json.hpp"

#include "protocols/coach.hpp"
#include "protocols/http/body_io.hpp"
#include "protocols/limits.hpp"

#include <cstdio>

#include "util/locales.hpp"

namespace st {

using namespace body_io;

namespace {

void plan_fields(json_writer& w, const caf::optional<plan_item>& plan) {
  w.Key("modified_plan");
  if (!plan) {
    w.Null();
    return;
  }
  auto text = plan_json(*plan);
  w.RawValue(text.c_str(), text.size(), rapidjson::kObjectType);
}

void decision_fields(json_writer& w, const daily_decision& x) {
  w.Key("decision");
  write(w, x.decision);
  w.Key("reason");
  write(w, x.reason);
  plan_fields(w, x.modified_plan);
  w.Key("suggestions_next_days");
  write(w, x.suggestions_next_days);
  w.Key("evening_tips");
  write(w, x.evening_tips);
  w.Key("plan_tomorrow");
  write(w, x.plan_tomorrow);
  w.Key("source");
  write(w, x.source);
  w.Key("model_decision");
  write(w, x.model_decision);
  w.Key("readiness");
  auto readiness = readiness_json(x.readiness);
  w.RawValue(readiness.c_str(), readiness.size(), rapidjson::kArrayType);
}

void thread_fields(json_writer& w, const chat_thread& x) {
  w.StartObject();
  w.Key("id");
  w.Int(x.id);
  w.Key("title");
  write(w, x.title);
  w.Key("created_at");
  write(w, x.created_at);
  w.EndObject();
}

/// pydantic's lax booleans of a JSON body.
std::optional<bool> lax_bool(const rapidjson::Value& v) {
  if (v.IsBool())
    return v.GetBool();
  if (v.IsInt64() && (v.GetInt64() == 0 || v.GetInt64() == 1))
    return v.GetInt64() == 1;
  if (v.IsString()) {
    auto s = to_lower(trim(v.GetString()));
    for (auto yes : {"true", "1", "yes", "on", "t", "y"})
      if (s == yes)
        return true;
    for (auto no : {"false", "0", "no", "off", "f", "n"})
      if (s == no)
        return false;
  }
  return std::nullopt;
}

std::string event(const char* name, const std::string& data) {
  std::string out;
  if (name != nullptr)
    out = std::string{"event: "} + name + "\n";
  // JSON text has no raw line breaks: one data line per event.
  return out + "data: " + data + "\n\n";
}

} // namespace

std::optional<chat_message>
parse_chat_message(const std::string& body,
                   std::vector<validation_error>& errors) {
  return read_body<chat_message>(body, errors, [](body_reader& in) {
    chat_message x;
    x.message =
      in.string("message", true, 1, max_chat_message_chars).value_or("");
    x.thread_id = in.integer("thread_id", false);
    x.client_now = in.string("client_now", false, 0, max_client_now_chars);
    if (auto* v = in.raw("run_orchestrator")) {
      if (auto b = lax_bool(*v))
        x.run_orchestrator = *b;
      else
        in.fail("bool_parsing", "run_orchestrator",
                "Input should be a valid boolean, unable to interpret input",
                *v);
    }
    return x;
  });
}

std::optional<decision_request>
parse_decision_request(const std::string& body,
                       std::vector<validation_error>& errors) {
  return read_body<decision_request>(body, errors, [](body_reader& in) {
    decision_request x;
    // `for_date` and `client_local_hour` are read (a wrong type is a 422)
    // and not used: the day is the athlete's today (§3.9.10).
    (void)in.string("for_date", false, 0, 32);
    (void)in.integer("client_local_hour", false);
    auto locale = in.string("locale", false, 0, 35);
    x.language = locale ? primary_language(*locale) : "";
    x.client_now = in.string("client_now", false, 0, max_client_now_chars);
    return x;
  });
}

std::optional<thread_title>
parse_thread_title(const std::string& body, bool required,
                   std::vector<validation_error>& errors) {
  return read_body<thread_title>(body, errors, [&](body_reader& in) {
    thread_title x;
    // A rename's long title is cut (as the reference does); a new
    // thread's is refused (the reference failed in the database).
    x.title = in.string("title", required, 0,
                        required ? SIZE_MAX : limits::max_thread_title_chars);
    return x;
  });
}

std::string thread_json(const chat_thread& x) {
  return render([&](json_writer& w) {
    thread_fields(w, x);
  });
}

std::string thread_page_json(const chat_thread_page& x) {
  return page_json(x, thread_fields);
}

std::string decision_json(const daily_decision& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    if (x.teaser) {
      w.Key("decision");
      write(w, x.decision);
      w.Key("is_teaser");
      w.Bool(true);
    } else {
      decision_fields(w, x);
    }
    w.EndObject();
  });
}

std::string decisions_json(const std::vector<daily_decision>& xs) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      w.StartObject();
      w.Key("date");
      write(w, x.date);
      w.Key("slot");
      if (x.slot) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "%02d:00", static_cast<int>(*x.slot));
        w.String(buf);
      } else {
        w.Null();
      }
      decision_fields(w, x);
      w.Key("created_at");
      write(w, x.created_at);
      w.EndObject();
    }
    w.EndArray();
  });
}

std::string chat_history_json(const std::vector<chat_line>& xs) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      w.StartObject();
      w.Key("role");
      write(w, x.role);
      w.Key("content");
      write(w, x.content);
      w.Key("timestamp");
      write(w, x.timestamp);
      w.EndObject();
    }
    w.EndArray();
  });
}

std::string chat_reply_json(const chat_reply& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("reply");
    write(w, x.reply);
    w.EndObject();
  });
}

std::string sse_delta(std::string_view text) {
  return event(nullptr, render([&](json_writer& w) {
                 w.StartObject();
                 w.Key("delta");
                 w.String(text.data(),
                          static_cast<rapidjson::SizeType>(text.size()));
                 w.EndObject();
               }));
}

std::string sse_done(const std::string& reply) {
  return event("done", chat_reply_json(chat_reply{reply}));
}

std::string sse_error(const std::string& detail) {
  return event("error", detail_json(detail));
}

} // namespace st
