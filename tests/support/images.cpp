#include "tests/support/images.hpp"

#include <algorithm>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

namespace st::test {

cv::Mat quadrants(int width, int height) {
  cv::Mat result(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  auto w = width / 2;
  auto h = height / 2;
  result(cv::Rect(0, 0, w, h)).setTo(cv::Scalar(0, 0, 255));
  result(cv::Rect(w, 0, width - w, h)).setTo(cv::Scalar(0, 255, 0));
  result(cv::Rect(0, h, w, height - h)).setTo(cv::Scalar(255, 0, 0));
  return result;
}

cv::Mat photo_like(int width, int height, int noise_levels) {
  cv::Mat result(height, width, CV_8UC3);
  std::minstd_rand noise{42};
  auto amplitude = static_cast<unsigned>(std::max(1, noise_levels));
  for (int r = 0; r < height; ++r) {
    auto* p = result.ptr<uint8_t>(r);
    for (int c = 0; c < width; ++c, p += 3) {
      auto n = static_cast<int>(noise() % amplitude);
      p[0] = static_cast<uint8_t>((c * 255 / width + n) & 0xFF);
      p[1] = static_cast<uint8_t>((r * 255 / height + n) & 0xFF);
      p[2] =
        static_cast<uint8_t>(((c + r) * 127 / (width + height) + n) & 0xFF);
    }
  }
  // Shapes with hard edges, as objects on a plate have.
  for (int i = 0; i < 12; ++i)
    cv::circle(result, {width * (i % 4 + 1) / 5, height * (i / 4 + 1) / 4},
               std::min(width, height) / 10,
               cv::Scalar(30 * i % 255, 80 + 10 * i, 200 - 15 * i), cv::FILLED);
  return result;
}

std::string encode(const cv::Mat& x, const std::string& ext, int jpeg_quality) {
  std::vector<uint8_t> out;
  cv::imencode(ext, x, out, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
  return std::string{out.begin(), out.end()};
}

std::string with_orientation(const std::string& jpeg, int orientation) {
  // Big-endian TIFF: header, one IFD with one entry (0x0112, SHORT, 1).
  std::string tiff{"MM\0*\0\0\0\x08", 8};
  tiff += std::string{"\0\x01", 2};
  tiff += std::string{"\x01\x12\0\x03\0\0\0\x01", 8};
  tiff += static_cast<char>(0);
  tiff += static_cast<char>(orientation);
  tiff += std::string{"\0\0", 2};
  tiff += std::string{"\0\0\0\0", 4};
  auto payload = std::string{"Exif\0\0", 6} + tiff;
  auto length = payload.size() + 2;
  std::string segment{"\xFF\xE1", 2};
  segment += static_cast<char>(length >> 8);
  segment += static_cast<char>(length & 0xFF);
  segment += payload;
  return jpeg.substr(0, 2) + segment + jpeg.substr(2);
}

cv::Mat decode(const std::string& bytes) {
  cv::Mat raw(1, static_cast<int>(bytes.size()), CV_8U,
              const_cast<char*>(bytes.data()));
  return cv::imdecode(raw, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
}

bool near(const cv::Mat& x, int col, int row, cv::Vec3b bgr) {
  auto p = x.at<cv::Vec3b>(row, col);
  for (int k = 0; k < 3; ++k)
    if (std::abs(int{p[k]} - int{bgr[k]}) > 40)
      return false;
  return true;
}

} // namespace st::test
