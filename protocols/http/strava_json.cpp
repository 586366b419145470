#include "protocols/http/strava_json.hpp"

#include "protocols/http/body_io.hpp"

namespace st {

using namespace body_io;

std::string strava_status_json(const strava_status& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("linked");
    w.Bool(x.linked);
    if (!x.linked) {
      if (x.unlinked_reason) {
        w.Key("unlinked_reason");
        write(w, x.unlinked_reason);
      }
      w.EndObject();
      return;
    }
    w.Key("athlete_id");
    if (x.athlete_id)
      write(w, std::to_string(*x.athlete_id));
    else
      w.Null();
    w.Key("sync");
    if (!x.job) {
      w.Null();
    } else {
      auto& j = *x.job;
      w.StartObject();
      w.Key("job_id");
      w.Int64(j.id);
      w.Key("status");
      write(w, j.status);
      w.Key("pages_done");
      w.Int64(j.pages_done);
      w.Key("activities_stored");
      w.Int64(j.activities_stored);
      w.Key("attempts");
      w.Int64(j.attempts);
      w.Key("last_error");
      write(w, j.last_error);
      w.Key("requested_at");
      write(w, j.requested_at);
      w.Key("finished_at");
      write(w, j.finished_at);
      w.Key("next_attempt_at");
      write(w, j.next_attempt_at);
      w.EndObject();
    }
    w.EndObject();
  });
}

std::string strava_ticket_json(const strava_ticket& x) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("status");
    write(w, x.status);
    if (x.status == "queued") {
      w.Key("message");
      write(w, std::string{"Sync scheduled; will run when rate limit allows."});
    }
    w.Key("job_id");
    w.Int64(x.job_id);
    w.EndObject();
  });
}

std::string strava_activities_json(const std::vector<strava_activity>& xs) {
  return render([&](json_writer& w) {
    w.StartArray();
    for (auto& x : xs) {
      w.StartObject();
      w.Key("id");
      write(w, std::to_string(x.id));
      w.Key("name");
      write(w, x.name);
      w.Key("start_date");
      write(w, x.start_date);
      w.Key("duration_sec");
      write(w, x.duration_sec);
      w.Key("distance_km");
      write(w, x.distance_km);
      w.Key("tss");
      w.Double(x.tss);
      w.Key("type");
      write(w, x.type);
      w.EndObject();
    }
    w.EndArray();
  });
}

std::string strava_challenge_json(const std::string& challenge) {
  return render([&](json_writer& w) {
    w.StartObject();
    w.Key("hub.challenge");
    write(w, challenge);
    w.EndObject();
  });
}

std::string strava_connected_html(const strava_ticket& x) {
  // The status is one of two fixed words: nothing to escape.
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Strava "
         "connected</title></head><body><h1>Strava is connected</h1><p>You "
         "can close this window and return to the app.</p><p>Status: " +
         std::string{x.status == "syncing" ? "syncing" : "queued"} +
         "</p></body></html>";
}

} // namespace st
