#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

/// Image files as uploads bring them: the type by its magic bytes, the
/// header facts read without decoding (size, EXIF orientation, whether the
/// file is complete), and the one conversion the AI calls need.
namespace st {

enum class image_type : uint8_t { unknown, jpeg, png, gif, webp };

/// The type named by the first bytes (http-api.md §2.6's magic numbers).
[[nodiscard]] image_type sniff_image(std::string_view bytes);

/// What the headers of an image file say.
struct image_layout {
  image_type type = image_type::unknown;
  uint32_t width = 0;
  uint32_t height = 0;
  /// EXIF orientation 1–8 (1 = as stored).
  int orientation = 1;
  /// The file's structure ends properly (JPEG EOI, PNG IEND, the RIFF
  /// size of a WebP): a truncated upload is refused before decoding.
  bool complete = false;
};

/// Reads the layout from the headers; none when they are not readable.
[[nodiscard]] std::optional<image_layout>
read_image_layout(std::string_view bytes);

/// Why an upload cannot be converted.
enum class image_fault : uint8_t {
  unsupported, ///< a type the decoder does not read (GIF)
  unreadable,  ///< damaged, truncated or absurdly large
};

/// An image ready for the model: JPEG bytes and their type.
struct converted_image {
  std::string mime_type = "image/jpeg";
  std::string bytes;
  uint32_t width = 0;
  uint32_t height = 0;
};

/// Decodes (a JPEG at the libjpeg scale nearest the cap, see
/// jpeg_decode_size), flattens transparency onto white, scales the long
/// side down to at most `max_side` (area averaging), turns it upright by
/// its EXIF orientation and encodes JPEG at `quality`. Either result or
/// fault, with a detail for the client.
struct image_conversion {
  std::optional<converted_image> image;
  image_fault fault = image_fault::unreadable;
  std::string detail;
};

[[nodiscard]] image_conversion convert_for_model(std::string_view bytes,
                                                 uint32_t max_side = 1536,
                                                 int quality = 85);

/// Scales 8-bit BGR pixels (`width` × `height`, rows `stride` bytes apart)
/// down to `out_width` × `out_height` by area averaging — OpenCV's
/// INTER_AREA for a downscale: each output pixel is the mean of the input
/// area it covers, partly covered pixels weighted by their share — done
/// separably in fixed point (cv::resize's general INTER_AREA path, for a
/// ratio that is not a whole number, is several times slower).
/// @pre out_width <= width, out_height <= height, all > 0.
void area_downscale(const uint8_t* in, int width, int height, size_t stride,
                    uint8_t* out, int out_width, int out_height,
                    size_t out_stride);

} // namespace st
