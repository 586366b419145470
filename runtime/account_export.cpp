#include "runtime/account_export.hpp"

#include "protocols/errors.hpp"
#include "protocols/sql/statements.hpp"
#include "runtime/route_support.hpp"

#include <atomic>
#include <chrono>
#include <memory>

#include "util/dates.hpp"
#include "util/json_text.hpp"

namespace st {

namespace {

/// What the producer lets wait for the connection before it pauses.
constexpr size_t max_pending_bytes = 256 * 1024;

class export_stream : public buffered_stream,
                      public std::enable_shared_from_this<export_stream> {
public:
  export_stream(api_context ctx, int32_t user, responder reply)
    : ctx_(std::move(ctx)), user_(user), reply_(std::move(reply)) {
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count();
    produce("{\"exported_at\":" + json_string(format_unix(now)), false);
  }

  void fetch() {
    auto self = shared_from_this();
    ask_user<db_rows>(
      ctx_, user_,
      [self](caf::expected<db_rows> rows) {
        self->got(std::move(rows));
      },
      atom::fetch_v, export_page{section_, after_});
  }

protected:
  /// The connection took what waited: a paused producer goes on.
  void taken() override {
    if (paused_.exchange(false) && !cancelled())
      fetch();
  }

private:
  /// A page arrived: its rows go out; the next page is asked for now, or
  /// once the connection has taken enough.
  void got(caf::expected<db_rows> rows) {
    if (!rows) {
      if (unanswered_) // nothing sent yet: a proper error answer
        return answer_with(error_response(rows.error()));
      return produce((in_section_ ? std::string{"]"} : std::string{}) +
                       ",\"error\":" + json_string(error_detail(rows.error())) +
                       ",\"complete\":false}",
                     true);
    }
    auto& sections = export_sections();
    auto& section = sections[static_cast<size_t>(section_)];
    std::string chunk;
    if (!in_section_) {
      chunk += ",\"";
      chunk += section.name;
      chunk += "\":[";
      in_section_ = true;
      first_row_ = true;
    }
    for (auto& row : rows->rows) {
      if (!first_row_)
        chunk += ',';
      first_row_ = false;
      chunk += row[1].value_or("null");
      after_ = std::stoll(row[0].value_or("0"));
    }
    bool last = false;
    if (static_cast<int64_t>(rows->rows.size()) < section.page_rows) {
      chunk += ']';
      in_section_ = false;
      after_ = 0;
      if (static_cast<size_t>(++section_) == sections.size()) {
        chunk += ",\"complete\":true}";
        last = true;
      }
    }
    produce(std::move(chunk), last);
    if (unanswered_) {
      api_response res;
      res.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"smart-trainer-export."
                               "json\"");
      res.headers.emplace_back("Cache-Control", "no-store");
      res.stream = shared_from_this();
      answer_with(std::move(res));
    }
    if (last)
      return;
    if (cancelled())
      return;
    paused_ = true;
    // Fetched now when little waits, else once the connection takes it
    // (whichever clears the flag first asks for the next page).
    if (pending_bytes() < max_pending_bytes && paused_.exchange(false))
      fetch();
  }

  void answer_with(api_response res) {
    unanswered_ = false;
    auto reply = std::move(reply_);
    reply_ = responder{};
    reply(std::move(res));
  }

  api_context ctx_;
  int32_t user_;
  /// Until the first page is read: the answer.
  responder reply_;
  bool unanswered_ = true;
  // The producer's place (touched by one page's answer at a time).
  int32_t section_ = 0;
  int64_t after_ = 0;
  bool in_section_ = false;
  bool first_row_ = true;

  std::atomic<bool> paused_{false};
};

} // namespace

void start_account_export(const api_context& ctx, int32_t user,
                          responder reply) {
  std::make_shared<export_stream>(ctx, user, std::move(reply))->fetch();
}

} // namespace st
