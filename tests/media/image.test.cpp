#include "media/image.hpp"

#include "tests/support/images.hpp"

#include <catch2/catch.hpp>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

using namespace st;
using namespace st::test;

TEST_CASE("image sniffing by magic bytes") {
  CHECK(sniff_image("\xFF\xD8\xFF\xE0") == image_type::jpeg);
  CHECK(sniff_image(std::string{"\x89PNG\r\n\x1a\n", 8}) == image_type::png);
  CHECK(sniff_image("GIF89a..") == image_type::gif);
  CHECK(sniff_image(std::string{"RIFF\x10\0\0\0WEBPVP8 ", 16}) ==
        image_type::webp);
  CHECK(sniff_image(std::string{"RIFF\x10\0\0\0WAVEfmt ", 16}) ==
        image_type::unknown);
  CHECK(sniff_image("") == image_type::unknown);
}

TEST_CASE("image layout: size, EXIF orientation, completeness") {
  auto jpeg = encode(quadrants(64, 48), ".jpg");
  auto plain = read_image_layout(jpeg);
  REQUIRE(plain);
  CHECK(plain->type == image_type::jpeg);
  CHECK(plain->width == 64);
  CHECK(plain->height == 48);
  CHECK(plain->orientation == 1);
  CHECK(plain->complete);
  for (int o = 1; o <= 8; ++o)
    CHECK(read_image_layout(with_orientation(jpeg, o))->orientation == o);
  auto cut = read_image_layout(jpeg.substr(0, jpeg.size() - 40));
  REQUIRE(cut);
  CHECK(!cut->complete);
  auto png = encode(quadrants(30, 20), ".png");
  auto p = read_image_layout(png);
  REQUIRE(p);
  CHECK(p->width == 30);
  CHECK(p->height == 20);
  CHECK(p->complete);
  CHECK(!read_image_layout(png.substr(0, png.size() - 12))->complete);
  auto webp = encode(quadrants(40, 24), ".webp");
  auto w = read_image_layout(webp);
  REQUIRE(w);
  CHECK(w->width == 40);
  CHECK(w->height == 24);
  CHECK(w->complete);
  CHECK(!read_image_layout(webp.substr(0, webp.size() - 10))->complete);
  CHECK(!read_image_layout("\xFF\xD8\xFF")->complete);
  // A segment followed by something that is no marker.
  CHECK(!read_image_layout(std::string{"\xFF\xD8\xFF\xE0\x00\x04"
                                       "abzz",
                                       10}));
}

TEST_CASE("conversion for the model: upright, scaled, JPEG, and refusals") {
  auto big = encode(photo_like(3200, 1800), ".jpg");
  auto scaled = convert_for_model(with_orientation(big, 6));
  REQUIRE(scaled.image);
  CHECK(scaled.image->mime_type == "image/jpeg");
  // Turned upright: the long side stands.
  CHECK(scaled.image->width == 864);
  CHECK(scaled.image->height == 1536);
  auto small = convert_for_model(encode(quadrants(100, 80), ".png"));
  REQUIRE(small.image);
  CHECK(small.image->width == 100); // never upscaled
  auto webp = convert_for_model(encode(quadrants(90, 60), ".webp"));
  REQUIRE(webp.image);
  auto pixels = decode(webp.image->bytes);
  CHECK(near(pixels, 10, 10, {0, 0, 255}));
  auto gif = convert_for_model(std::string{"GIF89a\x01\x00\x01\x00\x00;", 12});
  CHECK(!gif.image);
  CHECK(gif.fault == image_fault::unsupported);
  auto huge = std::string{"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\xff\xff\0\0\xff"
                          "\xff\x08\x02\0\0\0\0\0\0\0\0\0\0\0IEND\0\0\0\0",
                          45};
  auto bomb = convert_for_model(huge);
  CHECK(!bomb.image);
  CHECK(bomb.fault == image_fault::unreadable);
  CHECK(bomb.detail.find("too large") != std::string::npos);
}

TEST_CASE("a JPEG is decoded at the libjpeg scale nearest the cap") {
  // 3/8 of 4000 is 1500: within 90% of 1536, taken as it is.
  auto direct = convert_for_model(encode(photo_like(4000, 3000), ".jpg"));
  REQUIRE(direct.image);
  CHECK(direct.image->width == 1500);
  CHECK(direct.image->height == 1125);
  // 3/8 of 3200 would be 1200 (78%): decoded at 1/2, then area-scaled.
  auto scaled = convert_for_model(encode(photo_like(3200, 2400), ".jpg"));
  REQUIRE(scaled.image);
  CHECK(scaled.image->width == 1536);
  CHECK(scaled.image->height == 1152);
  // A smaller cap picks its own scale: 2/8 of 2000 is 500 exactly.
  auto small = convert_for_model(encode(quadrants(2000, 1000), ".jpg"), 500);
  REQUIRE(small.image);
  CHECK(small.image->width == 500);
  CHECK(small.image->height == 250);
  auto pixels = decode(small.image->bytes);
  CHECK(near(pixels, 50, 50, {0, 0, 255}));
  CHECK(near(pixels, 450, 200, {255, 255, 255}));
}

TEST_CASE("every PNG and WebP kind decodes to the same picture") {
  auto check = [](const std::string& file, cv::Vec3b left, cv::Vec3b right) {
    auto x = convert_for_model(file);
    REQUIRE(x.image);
    CHECK(x.image->width == 80);
    CHECK(x.image->height == 40);
    auto pixels = decode(x.image->bytes);
    CHECK(near(pixels, 10, 20, left));
    CHECK(near(pixels, 70, 20, right));
  };
  cv::Mat bgr(40, 80, CV_8UC3, cv::Scalar(255, 0, 0));
  bgr(cv::Rect(40, 0, 40, 40)).setTo(cv::Scalar(0, 255, 0));
  check(encode(bgr, ".png"), {255, 0, 0}, {0, 255, 0});
  check(encode(bgr, ".webp"), {255, 0, 0}, {0, 255, 0});
  cv::Mat deep;
  bgr.convertTo(deep, CV_16U, 257);
  check(encode(deep, ".png"), {255, 0, 0}, {0, 255, 0});
  cv::Mat gray(40, 80, CV_8UC1, cv::Scalar(0));
  gray(cv::Rect(40, 0, 40, 40)).setTo(cv::Scalar(200));
  check(encode(gray, ".png"), {0, 0, 0}, {200, 200, 200});
  // Transparency is flattened onto white, in PNG and in WebP alike.
  cv::Mat rgba(40, 80, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  rgba(cv::Rect(40, 0, 40, 40)).setTo(cv::Scalar(0, 0, 0, 0));
  check(encode(rgba, ".png"), {0, 0, 255}, {255, 255, 255});
  check(encode(rgba, ".webp"), {0, 0, 255}, {255, 255, 255});
}

TEST_CASE("damaged files are refused, never crash the decoder") {
  auto jpeg = encode(photo_like(300, 200), ".jpg");
  // The markers intact, the entropy-coded data replaced by junk.
  auto junk = jpeg;
  for (size_t i = jpeg.size() / 2; i + 2 < jpeg.size(); ++i)
    junk[i] = static_cast<char>(i * 131 % 251);
  junk[junk.size() - 2] = '\xFF';
  junk[junk.size() - 1] = '\xD9';
  // libjpeg reads what it can (a warning, as every viewer does).
  auto mended = convert_for_model(junk);
  REQUIRE(mended.image);
  CHECK(mended.image->width == 300);
  auto png = encode(quadrants(30, 20), ".png");
  png[40] = static_cast<char>(png[40] ^ 0x55); // pixel data, CRC now wrong
  auto bad_png = convert_for_model(png);
  CHECK(!bad_png.image);
  CHECK(bad_png.detail == "The image could not be decoded. Please send "
                          "another photo.");
  auto webp = encode(quadrants(40, 24), ".webp");
  for (size_t i = 30; i < webp.size(); ++i)
    webp[i] = 0;
  CHECK(!convert_for_model(webp).image);
}

TEST_CASE("area downscale matches OpenCV's INTER_AREA") {
  auto src = photo_like(2000, 1500);
  // Within one level; the extreme ratios (thousands of input pixels per
  // output pixel, never met here) within two.
  for (auto size : {cv::Size{1536, 1152}, cv::Size{1000, 750},
                    cv::Size{333, 250}, cv::Size{1999, 1}, cv::Size{1, 1}}) {
    INFO(size.width << "x" << size.height);
    cv::Mat ours(size, CV_8UC3);
    area_downscale(src.data, src.cols, src.rows, src.step, ours.data, ours.cols,
                   ours.rows, ours.step);
    cv::Mat theirs;
    cv::resize(src, theirs, size, 0, 0, cv::INTER_AREA);
    cv::Mat diff;
    cv::absdiff(ours, theirs, diff);
    double worst = 0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &worst);
    CHECK(worst <= (size.height == 1 ? 2 : 1));
  }
}
