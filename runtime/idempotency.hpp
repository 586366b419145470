#pragma once

#include "runtime/http_support.hpp"
#include "runtime/route_context.hpp"

#include <functional>

namespace st {

/// A POST carrying `Idempotency-Key` (http-api-head.md §6.24: the newer
/// app replays its offline queue): the first answer of a (user, key) is
/// kept for 24 h and a repeat of the same request gets it again, marked
/// `Idempotent-Replayed: true`, without running again: the answer is
/// stored before it is sent. The key on another request is 422; a repeat
/// while the first is still being handled is 409. Answers of 500 and above, and
/// streams, are not kept (a retry runs). `run(reply)` handles the request when
/// it is the first.
void run_once(const api_context& ctx, const api_request& req, int32_t user,
              responder reply, std::function<void(responder)> run);

} // namespace st
