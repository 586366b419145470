#pragma once

#include <caf/all.hpp>
#include <caf/type_id.hpp>

/// Every atom of the service, in one type-ID block (≤ 10 characters each).
/// Generic verbs are reused across interfaces; `internal` marks self-sends.
CAF_BEGIN_TYPE_ID_BLOCK(smart_trainer, caf::first_custom_type_id)
CAF_ADD_ATOM(smart_trainer, st::atom, exec, "exec")
CAF_ADD_ATOM(smart_trainer, st::atom, status, "status")
CAF_ADD_ATOM(smart_trainer, st::atom, internal, "internal")
CAF_ADD_ATOM(smart_trainer, st::atom, hash, "hash")
CAF_ADD_ATOM(smart_trainer, st::atom, verify, "verify")
CAF_ADD_ATOM(smart_trainer, st::atom, signup, "signup")
CAF_ADD_ATOM(smart_trainer, st::atom, login, "login")
CAF_ADD_ATOM(smart_trainer, st::atom, refresh, "refresh")
CAF_ADD_ATOM(smart_trainer, st::atom, logout, "logout")
CAF_ADD_ATOM(smart_trainer, st::atom, identify, "identify")
CAF_ADD_ATOM(smart_trainer, st::atom, purge, "purge")
CAF_ADD_ATOM(smart_trainer, st::atom, ping, "ping")
CAF_ADD_ATOM(smart_trainer, st::atom, get, "get")
CAF_ADD_ATOM(smart_trainer, st::atom, put, "put")
CAF_ADD_ATOM(smart_trainer, st::atom, add, "add")
CAF_ADD_ATOM(smart_trainer, st::atom, patch, "patch")
CAF_ADD_ATOM(smart_trainer, st::atom, del, "del")
CAF_ADD_ATOM(smart_trainer, st::atom, profile, "profile")
CAF_ADD_ATOM(smart_trainer, st::atom, day, "day")
CAF_ADD_ATOM(smart_trainer, st::atom, wellness, "wellness")
CAF_ADD_ATOM(smart_trainer, st::atom, workouts, "workouts")
CAF_ADD_ATOM(smart_trainer, st::atom, passivate, "passivate")
CAF_END_TYPE_ID_BLOCK(smart_trainer)
