#pragma once

#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>

#include <cstdint>
#include <string>

namespace st {

/// Failures of the database layer. Context: a human-readable message; for
/// `query_failed` the SQLSTATE first, then the server's message.
enum class db_ec : uint8_t {
  /// The connection is down and could not be re-established (yet).
  unavailable = 1,
  /// The bounded queue of waiting batches is full.
  overloaded,
  /// The statement timeout fired.
  timeout,
  /// The server rejected a statement (constraint violation, bad input, ...).
  query_failed,
};

/// What the account actors answer besides a result. Context: the detail
/// shown to the client (for `locked_out`, then the seconds to wait).
enum class auth_ec : uint8_t {
  /// A registration that cannot be (missing fields, e-mail taken).
  invalid_signup = 1,
  /// Wrong credentials, an unknown or revoked token.
  not_authenticated,
  /// Too many failed logins for the account: wait.
  locked_out,
  /// The password hashers are saturated (or hashing failed).
  busy,
  /// Too many password-reset mails asked for: wait (carries the seconds).
  throttled,
  /// A password reset that cannot be: no token, a short password, an
  /// unknown, used or expired token.
  invalid_reset,
  /// Password reset by e-mail is not configured (no RESEND_API_KEY).
  mail_unavailable,
  /// An account's own password did not match (deleting it): 403.
  wrong_password,
};

/// What a user's actor answers besides a result. Context: the detail.
enum class user_ec : uint8_t {
  /// The row is not one of the user's.
  not_found = 1,
  /// The account no longer exists.
  account_gone,
  /// The same file was imported before.
  duplicate,
  /// An upload that cannot be read as what it claims to be.
  unreadable_file,
  /// A test-only request on a server without FAULT_INJECTION.
  disabled,
  /// An upload of a type the service does not read (415).
  unsupported_file,
  /// A premium-only feature asked for by a free athlete (403).
  premium_required,
  /// A free athlete's model calls of the day are used up (429). Context:
  /// the detail, then the day's limit.
  daily_limit,
  /// The row has no kept image to read again (400).
  no_image,
  /// The kept image could not be fetched from its store (502).
  image_unavailable,
};

/// What the Gemini broker (and the AI facets) answer besides a result.
/// Context: the detail; for `busy`, `unavailable` and `quota_exhausted`
/// then the seconds to wait.
enum class ai_ec : uint8_t {
  /// No GOOGLE_GEMINI_API_KEY.
  not_configured = 1,
  /// The broker's queue for the caller's priority is full.
  busy,
  /// Gemini is failing (the breaker is open): not tried.
  unavailable,
  /// The daily quota is spent until the daily reset.
  quota_exhausted,
  /// No configured model can answer (unknown model, a quota of 0).
  model_unavailable,
  /// The call failed after its retries (the reference's 502).
  failed,
  /// The prompt or the answer was blocked by the model's safety filters.
  blocked,
  /// The model answered something that cannot be used (empty, not JSON,
  /// a required value missing).
  unusable,
};

/// What the Intervals.icu facet answers besides a result. Context: the
/// detail.
enum class intervals_ec : uint8_t {
  /// The user has no link.
  not_linked = 1,
  /// Intervals.icu refused the key or athlete (or the stored key cannot be
  /// read): the user must link again.
  link_refused,
  /// Intervals.icu (or the credential storage) is unavailable right now.
  unavailable,
  /// Intervals.icu answered something unreadable or unexpected.
  bad_answer,
  /// Intervals.icu refused a planned event.
  event_refused,
  /// A link overtaken by a later link or unlink of the same user.
  overtaken,
};

/// What the Strava facet and gateway answer besides a result. Context: the
/// detail; for `rate_limited` then the seconds to wait.
enum class strava_ec : uint8_t {
  /// No STRAVA_CLIENT_ID / STRAVA_CLIENT_SECRET (or no webhook token).
  not_configured = 1,
  /// The user has no link.
  not_linked,
  /// The app's Strava budget has no room now (strava-endpoints.md §4.8).
  rate_limited,
  /// The OAuth callback cannot be accepted (denied, bad or used state,
  /// refused code, scope without activity access).
  refused,
  /// Strava answered something unusable, or failed.
  bad_answer,
  /// The grant was revoked at Strava: the link is gone.
  revoked,
  /// INTERNAL (gateway → user actor): a budgeted call without a lease in
  /// the current window.
  no_lease,
};

/// Failures of an outbound call to a third-party API after every retry.
/// Context: a human-readable message (never a credential).
enum class upstream_ec : uint8_t {
  /// No answer: connection refused, DNS, TLS or a reset.
  unreachable = 1,
  /// The attempt's total timeout fired.
  timeout,
  /// The answer exceeded the size limit.
  too_large,
};

/// A call that was never carried out: its caller had given up when it
/// came to be taken from a queue, or the queue was full. Context: a
/// human-readable message. Never a partial effect: nothing ran.
enum class call_ec : uint8_t {
  /// Its deadline passed while it waited.
  expired = 1,
  /// The bounded queue in front of the work was full.
  overloaded,
};

using caf::make_error;

/// The text context of an error built by this service, or a rendering of
/// a foreign one.
[[nodiscard]] std::string error_detail(const caf::error& err);

/// The seconds to wait carried by an `auth_ec::locked_out` or `throttled`
/// error, an
/// `ai_ec` refusal or `strava_ec::rate_limited`, else 0.
[[nodiscard]] int64_t error_retry_after(const caf::error& err);

/// The day's limit carried by a `user_ec::daily_limit` error, else 0.
[[nodiscard]] int64_t error_usage_limit(const caf::error& err);

/// The SQLSTATE carried by a `db_ec::query_failed` error, else empty.
[[nodiscard]] std::string error_sqlstate(const caf::error& err);

} // namespace st

CAF_ERROR_CODE_ENUM(st::db_ec, "db")
CAF_ERROR_CODE_ENUM(st::auth_ec, "auth")
CAF_ERROR_CODE_ENUM(st::user_ec, "user")
CAF_ERROR_CODE_ENUM(st::intervals_ec, "intervals")
CAF_ERROR_CODE_ENUM(st::upstream_ec, "upstream")
CAF_ERROR_CODE_ENUM(st::call_ec, "call")
CAF_ERROR_CODE_ENUM(st::ai_ec, "ai")
CAF_ERROR_CODE_ENUM(st::strava_ec, "strava")
