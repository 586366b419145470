#pragma once

#include "runtime/http_support.hpp"
#include "runtime/route_context.hpp"

#include <cstdint>

namespace st {

/// GET users/me/export: everything held about the athlete as one JSON
/// document, `{"exported_at", <section>: [rows...], ..., "complete": true}`
/// (protocols/sql export_sections: no secret is ever selected). Streamed
/// page by page through the athlete's actor: the next page is read only
/// once the connection has taken what came before, so the memory it holds
/// stays flat in the export's size. Answered once the first page is read
/// (an account that is gone is a 401, not a broken stream); a failure
/// later ends the document with `"error"` and `"complete": false`.
void start_account_export(const api_context& ctx, int32_t user,
                          responder reply);

} // namespace st
