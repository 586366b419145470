#pragma once

namespace st {

/// On SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT, writes one line to the
/// log (on a stack of its own, so a stack overflow is reported too), then
/// lets the signal end the process as it would have. Gives the calling
/// thread its signal stack.
void log_fatal_signals();

/// Gives the calling thread a signal stack of its own (each thread needs
/// one for a stack overflow to be reported): every thread the service
/// starts calls this first.
void give_thread_signal_stack();

} // namespace st
