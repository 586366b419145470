#include "runtime/curl_multi.hpp"

#include <curl/curl.h>
#include <map>
#include <stdexcept>

#include "util/text.hpp"

namespace st {

namespace {

/// A running transfer: the easy handle and what it collects.
struct running {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  upstream_transfer request;
  upstream_outcome outcome;
  size_t max_body = 0;

  ~running() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(easy);
  }
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<running*>(user);
  auto bytes = size * n;
  if (r->outcome.body.size() + bytes > r->max_body) {
    r->outcome.too_large = true;
    return 0; // aborts the transfer with CURLE_WRITE_ERROR
  }
  r->outcome.body.append(data, bytes);
  if (r->request.tap) {
    long status = 0;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300)
      (*r->request.tap)({data, bytes});
  }
  return bytes;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<running*>(user);
  auto bytes = size * n;
  std::string_view line{data, bytes};
  // A new status line (after a 100 Continue) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) {
    r->outcome.headers.clear();
    return bytes;
  }
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size() &&
      to_lower(line.substr(0, name.size())) == name)
    r->outcome.retry_after = trim(line.substr(name.size()));
  constexpr size_t max_header_lines = 100;
  if (line.find(':') != std::string_view::npos &&
      r->outcome.headers.size() < max_header_lines)
    r->outcome.headers.push_back(trim(line));
  return bytes;
}

} // namespace

struct curl_multi::impl {
  CURLM* multi = nullptr;
  std::map<CURL*, std::unique_ptr<running>> transfers;
};

curl_multi::curl_multi(completion on_done, long max_host_connections,
                       size_t max_body_bytes)
  : impl_(std::make_unique<impl>()), on_done_(std::move(on_done)),
    max_body_bytes_(max_body_bytes) {
  // Thread-safe since libcurl 7.84 (Debian 12 ships 7.88).
  curl_global_init(CURL_GLOBAL_DEFAULT);
  impl_->multi = curl_multi_init();
  if (impl_->multi == nullptr)
    throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                    max_host_connections);
  thread_ = std::thread([this] {
    run();
  });
}

curl_multi::~curl_multi() {
  stopping_ = true;
  curl_multi_wakeup(impl_->multi);
  thread_.join();
  for (auto& [easy, r] : impl_->transfers)
    curl_multi_remove_handle(impl_->multi, easy);
  impl_->transfers.clear();
  curl_multi_cleanup(impl_->multi);
}

void curl_multi::submit(upstream_transfer x) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    submitted_.push_back(std::move(x));
  }
  curl_multi_wakeup(impl_->multi);
}

void curl_multi::run() {
  auto* multi = impl_->multi;
  while (!stopping_) {
    std::vector<upstream_transfer> fresh;
    {
      std::lock_guard<std::mutex> guard{mtx_};
      fresh.swap(submitted_);
    }
    for (auto& x : fresh) {
      auto r = std::make_unique<running>();
      r->easy = curl_easy_init();
      r->request = std::move(x);
      r->outcome.id = r->request.id;
      r->max_body = max_body_bytes_;
      auto* e = r->easy;
      curl_easy_setopt(e, CURLOPT_URL, r->request.url.c_str());
      curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                       static_cast<long>(r->request.connect_timeout.count()));
      curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                       static_cast<long>(r->request.total_timeout.count()));
      curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // gzip if offered
      curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
      curl_easy_setopt(e, CURLOPT_WRITEDATA, r.get());
      curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
      curl_easy_setopt(e, CURLOPT_HEADERDATA, r.get());
      curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
      if (!r->request.aws_sigv4.empty()) {
        curl_easy_setopt(e, CURLOPT_AWS_SIGV4, r->request.aws_sigv4.c_str());
        curl_easy_setopt(e, CURLOPT_USERPWD,
                         r->request.aws_credentials.c_str());
      }
      for (auto& h : r->request.headers)
        r->headers = curl_slist_append(r->headers, h.c_str());
      if (r->request.method == "GET") {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
      } else {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->request.method.c_str());
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->request.body.data());
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE,
                         static_cast<long>(r->request.body.size()));
        // No `Expect: 100-continue` round trip for small JSON bodies.
        r->headers = curl_slist_append(r->headers, "Expect:");
      }
      curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
      curl_multi_add_handle(multi, e);
      impl_->transfers.emplace(e, std::move(r));
    }
    int still_running = 0;
    curl_multi_perform(multi, &still_running);
    int left = 0;
    while (auto* msg = curl_multi_info_read(multi, &left)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      auto i = impl_->transfers.find(msg->easy_handle);
      if (i == impl_->transfers.end())
        continue;
      auto& r = *i->second;
      auto code = msg->data.result;
      if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(r.easy, CURLINFO_RESPONSE_CODE, &status);
        r.outcome.status = static_cast<int>(status);
      } else {
        r.outcome.timed_out = code == CURLE_OPERATION_TIMEDOUT;
        r.outcome.error = curl_easy_strerror(code);
        r.outcome.body.clear();
      }
      auto outcome = std::move(r.outcome);
      curl_multi_remove_handle(multi, msg->easy_handle);
      impl_->transfers.erase(i);
      on_done_(std::move(outcome));
    }
    curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
}

} // namespace st
