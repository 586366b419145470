// Image conversion for the model: a generated 12-megapixel JPEG to at most
// 1536 px, median ms on one thread beside Pillow doing the reference's
// steps (open, RGB, LANCZOS, q85) in the same run; images/s on N threads.
//   bench_image [RUNS] [THREADS]
//   bench_image --write FILE     writes the hard-case JPEG (bench/image.sh)
#include "media/image.hpp"

#include "tests/support/images.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

using namespace st;

namespace {

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

double pillow_median_ms(const std::string& path, int runs) {
  auto command =
    "/usr/bin/python3 - " + path + " " + std::to_string(runs) + R"( <<'PY'
import io, sys, time
from PIL import Image
path, runs = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    img = Image.open(io.BytesIO(data)); img.load()
    img = img.convert("RGB")
    w, h = img.size
    scale = 1536 / max(w, h)
    if scale < 1:
        img = img.resize((max(1, round(w * scale)), max(1, round(h * scale))),
                         Image.LANCZOS)
    out = io.BytesIO(); img.save(out, "JPEG", quality=85)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(times[len(times) // 2])
PY)";
  auto* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr)
    return 0;
  double result = 0;
  if (std::fscanf(pipe, "%lf", &result) != 1)
    result = 0;
  pclose(pipe);
  return result;
}

/// Figures for one input image.
void measure(const std::string& what, const std::string& jpeg, int runs,
             int threads) {
  auto path = std::string{"/tmp/bench-12mp.jpg"};
  std::ofstream{path, std::ios::binary} << jpeg;
  std::vector<double> ms;
  uint32_t w = 0, h = 0;
  size_t out_bytes = 0;
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto x = convert_for_model(jpeg);
    ms.push_back(std::chrono::duration<double, std::milli>(
                   std::chrono::steady_clock::now() - t0)
                   .count());
    if (!x.image) {
      std::fprintf(stderr, "conversion failed: %s\n", x.detail.c_str());
      std::exit(1);
    }
    w = x.image->width;
    h = x.image->height;
    out_bytes = x.image->bytes.size();
  }
  auto ours = median(ms);
  auto pillow = pillow_median_ms(path, runs);
  std::printf("%s: 4000x3000 JPEG q90, %zu B -> %ux%u JPEG q85, %zu B\n",
              what.c_str(), jpeg.size(), w, h, out_bytes);
  std::printf("  one thread: %.1f ms median (%d runs)", ours, runs);
  if (pillow > 0)
    std::printf("; Pillow, the reference's steps: %.1f ms -> ratio %.3f\n",
                pillow, ours / pillow);
  else
    std::printf("; Pillow not available (python3-pil)\n");
  std::atomic<int> done{0};
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      while (std::chrono::steady_clock::now() < until) {
        (void)convert_for_model(jpeg);
        ++done;
      }
    });
  for (auto& t : pool)
    t.join();
  auto secs =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
      .count();
  std::printf("  %d threads: %.1f images/s\n", threads, done / secs);
  std::remove(path.c_str());
}

} // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string{argv[1]} == "--write") {
    std::ofstream{argv[2], std::ios::binary}
      << test::encode(test::photo_like(4000, 3000, 24), ".jpg", 90);
    return 0;
  }
  int runs = argc > 1 ? std::atoi(argv[1]) : 15;
  int threads = argc > 2
                  ? std::atoi(argv[2])
                  : static_cast<int>(std::thread::hardware_concurrency());
  if (runs < 1 || threads < 1) {
    std::cerr << "usage: bench_image [RUNS] [THREADS] | --write FILE\n";
    return 2;
  }
  measure("typical photo (noise 4)",
          test::encode(test::photo_like(4000, 3000, 4), ".jpg", 90), runs,
          threads);
  measure("hard case (noise 24)",
          test::encode(test::photo_like(4000, 3000, 24), ".jpg", 90), runs,
          threads);
}
