#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

/// The wire format of Google's Generative Language API, v1beta
/// (external-apis.md §1): request bodies, answers, SSE streams and error
/// bodies. No I/O here.
namespace st {

// -- requests -----------------------------------------------------------------

/// One part of a turn: text, or an inline image (base64, standard alphabet).
struct gemini_part {
  std::string text;
  std::string mime_type; ///< set = an inline image
  std::string base64;
};

/// One turn of the conversation.
struct gemini_turn {
  std::string role = "user"; ///< "user" or "model"
  std::vector<gemini_part> parts;
};

/// What one generateContent call asks. The fixed instructions go into the
/// system instruction, the user's data last, so requests of different users
/// share a prefix (Gemini's implicit prompt caching).
struct gemini_prompt {
  std::string system_instruction;
  std::vector<gemini_turn> contents;
  std::optional<double> temperature;
  std::optional<double> top_p;
  std::optional<int64_t> max_output_tokens;
  /// JSON mode: `responseMimeType: application/json` with this
  /// `responseSchema` (a JSON text); empty = free text.
  std::string response_schema;
  bool block_none = false; ///< the four safety categories at BLOCK_NONE
};

/// The GenerateContentRequest body (camelCase field names).
[[nodiscard]] std::string gemini_request_json(const gemini_prompt& x);

// -- answers ------------------------------------------------------------------

/// A google.rpc.Status error body, with what the retry policy needs.
struct gemini_error {
  int code = 0;       ///< `error.code` (else the HTTP status)
  std::string status; ///< e.g. RESOURCE_EXHAUSTED
  std::string message;
  /// QuotaFailure violations: which windows are spent.
  bool per_minute = false;
  bool per_day = false;
  /// A quota of 0 (`quotaValue: "0"` or "limit: 0"): the tier has no quota
  /// for the model, retrying is pointless.
  bool zero_quota = false;
  /// RetryInfo.retryDelay, in ms.
  std::optional<int64_t> retry_delay_ms;
};

/// Reads an error body; a body that is not one keeps `code` = `http_status`.
[[nodiscard]] gemini_error read_gemini_error(std::string_view body,
                                             int http_status);

/// What the model answered, from one GenerateContentResponse or a stream.
struct gemini_reading {
  enum class outcome : uint8_t {
    text,      ///< some text (check `finish_reason` for truncation)
    blocked,   ///< prompt blocked or candidate stopped for safety
    empty,     ///< no candidate, or one without text
    failed,    ///< an error object (in a stream: mid-stream failure)
    malformed, ///< not a GenerateContentResponse at all
  };
  outcome kind = outcome::empty;
  std::string text; ///< the candidate's parts, thoughts skipped
  std::string finish_reason;
  std::string block_reason; ///< promptFeedback.blockReason
  std::string model_version;
  int64_t prompt_tokens = 0;
  int64_t output_tokens = 0;
  int64_t total_tokens = 0;
  int64_t cached_tokens = 0;
  gemini_error error; ///< for `failed`
};

/// Reads a generateContent answer body.
[[nodiscard]] gemini_reading read_gemini_answer(std::string_view body);

/// A streamGenerateContent?alt=sse body, fed in whatever pieces it arrives
/// in: CRLF, LF or CR line ends, events and UTF-8 split anywhere, text
/// deltas concatenated; an `{"error": …}` in a `data:` event or written as
/// raw JSON outside the SSE framing fails the stream.
class gemini_stream {
public:
  /// Takes the next bytes; answers the text the completed events added.
  std::string feed(std::string_view bytes);

  /// The answer once the body has ended (a stream without a single event
  /// is `empty`; one that stopped mid-event keeps what was complete).
  [[nodiscard]] gemini_reading finish();

private:
  void take_line(std::string_view line);
  void end_event();

  std::string line_;
  bool after_cr_ = false;
  std::string data_;
  bool in_event_ = false;
  std::string stray_; ///< lines outside SSE framing
  std::string added_;
  size_t num_events_ = 0;
  gemini_reading result_;
};

// -- the model's JSON (domain.md §9.1, §9.4) ----------------------------------

/// A reading of the model's text: the value, or why it is unusable (the
/// 422 detail).
template<class T>
struct model_reading {
  std::optional<T> value;
  std::string problem;
};

/// The text with a surrounding Markdown code fence removed, trimmed.
[[nodiscard]] std::string strip_code_fence(std::string_view text);

/// Parses model output as JSON: strict, then without trailing commas, then
/// with a closing `" }`, ` null}`, `}` or ` }` appended (truncated output).
/// False when none parses.
[[nodiscard]] bool parse_model_json(std::string_view text,
                                    rapidjson::Document& out);

/// A protobuf Duration (`"37s"`, `"3.700s"`) in ms; none when unreadable.
[[nodiscard]] std::optional<int64_t> parse_duration_ms(std::string_view x);

} // namespace st
