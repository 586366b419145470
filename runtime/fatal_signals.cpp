#include "runtime/fatal_signals.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <unistd.h>

namespace st {

namespace {

void write_text(const char* text) {
  auto rc = ::write(STDOUT_FILENO, text, std::strlen(text));
  (void)rc; // nothing more can be done inside a fatal handler
}

extern "C" void on_fatal_signal(int sig) {
  // Only async-signal-safe calls here: write(2), no formatting library.
  write_text("[CRITICAL] service: fatal signal ");
  write_text(sigabbrev_np(sig) != nullptr ? sigabbrev_np(sig) : "?");
  write_text(" (");
  write_text(sigdescr_np(sig) != nullptr ? sigdescr_np(sig) : "unknown");
  write_text("); the process dies now\n");
  // SA_RESETHAND restored the default action: raising again ends the
  // process with the signal (and a core dump where enabled).
  std::raise(sig);
}

} // namespace

void give_thread_signal_stack() {
  // A thread that has one keeps it (the sanitizers set their own, and
  // unmap it when the thread ends).
  stack_t current{};
  if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE))
    return;
  thread_local char alt_stack[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt_stack;
  ss.ss_size = sizeof(alt_stack);
  sigaltstack(&ss, nullptr);
}

void log_fatal_signals() {
  give_thread_signal_stack();
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT})
    sigaction(sig, &sa, nullptr);
}

} // namespace st
