#pragma once

#include <opencv2/core.hpp>
#include <string>

/// Images the tests and benchmarks upload.
namespace st::test {

/// `width`×`height` BGR: red top-left quarter, green top-right, blue
/// bottom-left, white bottom-right (any turn or mirror shows).
[[nodiscard]] cv::Mat quadrants(int width, int height);

/// A photo-like picture: gradients, shapes and per-pixel noise of
/// `noise` levels (24: a hard case for JPEG; 4: a typical camera).
[[nodiscard]] cv::Mat photo_like(int width, int height, int noise = 24);

[[nodiscard]] std::string encode(const cv::Mat& x, const std::string& ext,
                                 int jpeg_quality = 90);

/// A JPEG with an EXIF APP1 segment carrying `orientation` (1–8).
[[nodiscard]] std::string with_orientation(const std::string& jpeg,
                                           int orientation);

/// Decodes bytes (BGR); empty when they are not an image.
[[nodiscard]] cv::Mat decode(const std::string& bytes);

/// The colour at (x, y) is near `bgr` (within 40 per channel).
[[nodiscard]] bool near(const cv::Mat& x, int col, int row, cv::Vec3b bgr);

} // namespace st::test
