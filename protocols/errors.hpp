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

/// Outcomes of request handling that the HTTP front answers with a status.
/// Context: the `detail` string shown to the client.
enum class api_ec : uint8_t {
  bad_request = 1, ///< 400
  unauthorized,    ///< 401
  not_found,       ///< 404
  conflict,        ///< 409
  unprocessable,   ///< 422 with a string detail
  unavailable,     ///< 503: a dependency is down or saturated
  bad_gateway,     ///< 502: an upstream answered something unreadable
  too_many,        ///< 429; context: detail, then seconds to wait
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

/// The seconds to wait carried by an `api_ec::too_many` error, else 0.
[[nodiscard]] int64_t error_retry_after(const caf::error& err);

/// The SQLSTATE carried by a `db_ec::query_failed` error, else empty.
[[nodiscard]] std::string error_sqlstate(const caf::error& err);

} // namespace st

CAF_ERROR_CODE_ENUM(st::db_ec, "db")
CAF_ERROR_CODE_ENUM(st::api_ec, "api")
CAF_ERROR_CODE_ENUM(st::upstream_ec, "upstream")
CAF_ERROR_CODE_ENUM(st::call_ec, "call")
