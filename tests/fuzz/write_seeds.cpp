// Writes binary seeds for the fuzzers that need them into a directory:
// sample FIT files (target fit) or small images (target image_headers).
#include "tests/support/fit_samples.hpp"
#include "tests/support/images.hpp"

#include <fstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3)
    return 2;
  std::string dir = argv[1];
  std::string target = argv[2];
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream{dir + "/" + name, std::ios::binary} << bytes;
  };
  if (target == "fit") {
    write("ride.fit", st::test::cycling_with_power());
    write("run.fit", st::test::running_heart_rate_only());
  } else if (target == "image_headers") {
    auto picture = st::test::quadrants(24, 16);
    write("exif.jpg",
          st::test::with_orientation(st::test::encode(picture, ".jpg"), 6));
    write("plain.png", st::test::encode(picture, ".png"));
    write("lossy.webp", st::test::encode(picture, ".webp"));
  }
  return 0;
}
