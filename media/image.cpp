#include "media/image.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <png.h>
#include <turbojpeg.h>
#include <utility>
#include <vector>
#include <webp/decode.h>

namespace st {

namespace {

/// Larger images are refused before decoding (a small file can claim a
/// huge canvas).
constexpr uint64_t max_pixels = 100'000'000;

/// Decoded 8-bit pixels, `channels` a pixel (3: BGR; 4: BGRA or CMYK),
/// rows packed. Left uninitialised: every byte is written by a decoder or
/// a pass before it is read.
struct raster {
  int cols = 0;
  int rows = 0;
  int channels = 3;
  std::unique_ptr<uint8_t[]> data;

  raster(int c, int r, int ch)
    : cols(c), rows(r), channels(ch),
      data(new uint8_t[static_cast<size_t>(c) * static_cast<size_t>(r) *
                       static_cast<size_t>(ch)]) {}

  [[nodiscard]] size_t step() const {
    return static_cast<size_t>(cols) * static_cast<size_t>(channels);
  }
  [[nodiscard]] uint8_t* row(int r) {
    return data.get() + step() * static_cast<size_t>(r);
  }
  [[nodiscard]] const uint8_t* row(int r) const {
    return data.get() + step() * static_cast<size_t>(r);
  }
};

uint32_t be16(const unsigned char* p) {
  return (uint32_t{p[0]} << 8) | p[1];
}

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
         (uint32_t{p[2]} << 8) | p[3];
}

uint32_t le16(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8);
}

uint32_t le24(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16);
}

uint32_t le32(const unsigned char* p) {
  return le24(p) | (uint32_t{p[3]} << 24);
}

const unsigned char* bytes_of(std::string_view x) {
  return reinterpret_cast<const unsigned char*>(x.data());
}

/// The orientation tag of a TIFF structure (EXIF's payload); 1 if absent.
int tiff_orientation(std::string_view tiff) {
  auto* p = bytes_of(tiff);
  auto n = tiff.size();
  if (n < 8)
    return 1;
  bool little = p[0] == 'I' && p[1] == 'I';
  if (!little && !(p[0] == 'M' && p[1] == 'M'))
    return 1;
  auto u16 = [&](size_t at) {
    return little ? le16(p + at) : be16(p + at);
  };
  auto u32 = [&](size_t at) {
    return little ? le32(p + at) : be32(p + at);
  };
  if (u16(2) != 42)
    return 1;
  size_t ifd = u32(4);
  if (ifd > n || n - ifd < 2)
    return 1;
  size_t count = u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    auto entry = ifd + 2 + i * 12;
    if (entry > n || n - entry < 12)
      return 1;
    if (u16(entry) == 0x0112 && u16(entry + 2) == 3) { // SHORT
      auto value = static_cast<int>(u16(entry + 8));
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

std::optional<image_layout> jpeg_layout(std::string_view x) {
  image_layout result;
  result.type = image_type::jpeg;
  auto* p = bytes_of(x);
  auto n = x.size();
  size_t pos = 2;
  bool exif_seen = false;
  while (pos < n) {
    if (p[pos] != 0xFF)
      return std::nullopt;
    while (pos < n && p[pos] == 0xFF) // fill bytes
      ++pos;
    if (pos >= n)
      break;
    auto marker = p[pos++];
    if (marker == 0xD9) { // EOI
      result.complete = result.width > 0;
      return result;
    }
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
      continue; // no length
    if (n - pos < 2)
      break;
    auto length = be16(p + pos);
    if (length < 2 || length > n - pos)
      break;
    auto* seg = p + pos + 2;
    size_t seg_len = length - 2;
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 &&
               marker != 0xC8 && marker != 0xCC;
    if (sof && seg_len >= 5) {
      result.height = be16(seg + 1);
      result.width = be16(seg + 3);
    } else if (marker == 0xE1 && !exif_seen && seg_len >= 6 &&
               std::memcmp(seg, "Exif\0\0", 6) == 0) {
      exif_seen = true;
      result.orientation = tiff_orientation(
        std::string_view{reinterpret_cast<const char*>(seg + 6), seg_len - 6});
    }
    pos += length;
    if (marker == 0xDA) {
      // Entropy-coded data up to the next marker that is not a stuffed
      // 0xFF00 or a restart marker.
      while (pos + 1 < n && !(p[pos] == 0xFF && p[pos + 1] != 0x00 &&
                              !(p[pos + 1] >= 0xD0 && p[pos + 1] <= 0xD7))) {
        auto* next = static_cast<const unsigned char*>(
          std::memchr(p + pos + 1, 0xFF, n - pos - 1));
        pos = next != nullptr ? static_cast<size_t>(next - p) : n;
      }
      if (pos + 1 >= n)
        break;
    }
  }
  // Ran out of bytes before the end marker: truncated.
  return result;
}

std::optional<image_layout> png_layout(std::string_view x) {
  image_layout result;
  result.type = image_type::png;
  auto* p = bytes_of(x);
  auto n = x.size();
  size_t pos = 8;
  bool first = true;
  while (n - pos >= 12) {
    auto length = be32(p + pos);
    if (length > n - pos - 12)
      break;
    auto* type = p + pos + 4;
    auto* data = p + pos + 8;
    if (first) {
      if (std::memcmp(type, "IHDR", 4) != 0 || length < 8)
        return std::nullopt;
      result.width = be32(data);
      result.height = be32(data + 4);
      first = false;
    } else if (std::memcmp(type, "eXIf", 4) == 0) {
      result.orientation = tiff_orientation(
        std::string_view{reinterpret_cast<const char*>(data), length});
    } else if (std::memcmp(type, "IEND", 4) == 0) {
      result.complete = true;
      return result;
    }
    pos += 12 + length;
  }
  if (first)
    return std::nullopt;
  return result;
}

std::optional<image_layout> webp_layout(std::string_view x) {
  image_layout result;
  result.type = image_type::webp;
  auto* p = bytes_of(x);
  auto n = x.size();
  if (n < 20)
    return std::nullopt;
  uint64_t riff_end = uint64_t{le32(p + 4)} + 8;
  result.complete = riff_end <= n;
  auto end = static_cast<size_t>(std::min<uint64_t>(riff_end, n));
  size_t pos = 12;
  while (end >= pos + 8) {
    auto* tag = p + pos;
    size_t length = le32(p + pos + 4);
    auto* data = p + pos + 8;
    size_t avail = end - pos - 8;
    if (std::memcmp(tag, "VP8 ", 4) == 0 && avail >= 10 && data[3] == 0x9D &&
        data[4] == 0x01 && data[5] == 0x2A) {
      result.width = le16(data + 6) & 0x3FFF;
      result.height = le16(data + 8) & 0x3FFF;
    } else if (std::memcmp(tag, "VP8L", 4) == 0 && avail >= 5 &&
               data[0] == 0x2F) {
      auto bits = le32(data + 1);
      result.width = (bits & 0x3FFF) + 1;
      result.height = ((bits >> 14) & 0x3FFF) + 1;
    } else if (std::memcmp(tag, "VP8X", 4) == 0 && avail >= 10) {
      result.width = le24(data + 4) + 1;
      result.height = le24(data + 7) + 1;
    } else if (std::memcmp(tag, "EXIF", 4) == 0) {
      result.orientation = tiff_orientation(std::string_view{
        reinterpret_cast<const char*>(data), std::min(length, avail)});
    }
    if (length > avail)
      break;
    pos += 8 + length + (length & 1); // chunks are padded to even sizes
  }
  if (result.width == 0 || result.height == 0)
    return std::nullopt;
  return result;
}

std::optional<image_layout> gif_layout(std::string_view x) {
  if (x.size() < 10)
    return std::nullopt;
  image_layout result;
  result.type = image_type::gif;
  result.width = le16(bytes_of(x) + 6);
  result.height = le16(bytes_of(x) + 8);
  result.complete = x.back() == 0x3B; // the trailer
  return result;
}

/// An owned TurboJPEG handle; one of each kind per thread (the upload
/// workers), made on first use.
struct turbo_handle {
  tjhandle handle;
  ~turbo_handle() {
    tjDestroy(handle);
  }
};

tjhandle decompressor() {
  thread_local turbo_handle x{tjInitDecompress()};
  return x.handle;
}

tjhandle compressor() {
  thread_local turbo_handle x{tjInitCompress()};
  return x.handle;
}

/// A decode's outcome: warnings (a damaged but readable stream) pass, as
/// they do in every viewer.
bool turbo_failed(tjhandle h, int status) {
  return status != 0 && tjGetErrorCode(h) == TJERR_FATAL;
}

/// The size a JPEG is decoded at: libjpeg scales by M/8 while it decodes,
/// so the largest scale within `max_side` is taken when it comes within
/// 90% of it (no resize step at all: 3/8 of 4000 px is 1500 px); else
/// the smallest one above it, which the area pass then brings down.
std::pair<int, int> jpeg_decode_size(int width, int height, int max_side) {
  int count = 0;
  auto* factors = tjGetScalingFactors(&count);
  auto long_side = std::max(width, height);
  auto side = [&](const tjscalingfactor& f) {
    return TJSCALED(long_side, f);
  };
  const tjscalingfactor* within = nullptr;
  const tjscalingfactor* above = nullptr;
  for (int i = 0; i < count; ++i) {
    auto& f = factors[i];
    if (f.num > f.denom) // never enlarged
      continue;
    if (side(f) <= max_side) {
      if (within == nullptr || side(f) > side(*within))
        within = &f;
    } else if (above == nullptr || side(f) < side(*above)) {
      above = &f;
    }
  }
  auto& chosen = within != nullptr &&
                     (side(*within) == long_side ||
                      10 * side(*within) >= 9 * max_side || above == nullptr)
                   ? *within
                   : *above;
  return {TJSCALED(width, chosen), TJSCALED(height, chosen)};
}

/// Three channels from four, pixel by pixel, by `pixel(in, out)`.
template<class F>
raster three_of_four(const raster& x, F pixel) {
  raster result(x.cols, x.rows, 3);
  for (int r = 0; r < x.rows; ++r) {
    auto* in = x.row(r);
    auto* out = result.row(r);
    for (int c = 0; c < x.cols; ++c, in += 4, out += 3)
      pixel(in, out);
  }
  return result;
}

/// Adobe's CMYK as libjpeg returns it (inverted: 255 is no ink) to BGR.
raster bgr_of_cmyk(const raster& cmyk) {
  return three_of_four(cmyk, [](const uint8_t* in, uint8_t* out) {
    auto k = in[3];
    out[0] = static_cast<uint8_t>(in[2] * k / 255);
    out[1] = static_cast<uint8_t>(in[1] * k / 255);
    out[2] = static_cast<uint8_t>(in[0] * k / 255);
  });
}

std::optional<raster> decode_jpeg(std::string_view bytes, int max_side) {
  auto h = decompressor();
  auto* data = bytes_of(bytes);
  auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (h == nullptr || tjDecompressHeader3(h, data, size, &width, &height,
                                          &subsampling, &colorspace) != 0)
    return std::nullopt;
  auto [w, ht] = jpeg_decode_size(width, height, max_side);
  bool cmyk = colorspace == TJCS_CMYK || colorspace == TJCS_YCCK;
  raster pixels(w, ht, cmyk ? 4 : 3);
  // LIMITSCANS: a progressive file of thousands of scans is refused
  // instead of decoded for seconds.
  if (turbo_failed(h, tjDecompress2(h, data, size, pixels.data.get(), w,
                                    static_cast<int>(pixels.step()), ht,
                                    cmyk ? TJPF_CMYK : TJPF_BGR,
                                    TJFLAG_LIMITSCANS)))
    return std::nullopt;
  if (cmyk)
    return bgr_of_cmyk(pixels);
  return pixels;
}

/// Transparent areas flattened onto white.
raster bgr_of_bgra(const raster& x) {
  return three_of_four(x, [](const uint8_t* in, uint8_t* out) {
    auto a = in[3];
    for (int k = 0; k < 3; ++k)
      out[k] = static_cast<uint8_t>((in[k] * a + 255 * (255 - a) + 127) / 255);
  });
}

/// libpng's simplified reader: any bit depth and colour type to 8-bit
/// BGR, transparency composed onto white.
std::optional<raster> decode_png(std::string_view bytes) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) == 0)
    return std::nullopt;
  image.format = PNG_FORMAT_BGR;
  raster pixels(static_cast<int>(image.width), static_cast<int>(image.height),
                3);
  png_color white{255, 255, 255};
  auto ok =
    png_image_finish_read(&image, &white, pixels.data.get(),
                          static_cast<png_int_32>(pixels.step()), nullptr) != 0;
  png_image_free(&image);
  if (!ok)
    return std::nullopt;
  return pixels;
}

std::optional<raster> decode_webp(std::string_view bytes) {
  auto* data = bytes_of(bytes);
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK ||
      features.has_animation)
    return std::nullopt;
  raster pixels(features.width, features.height, features.has_alpha ? 4 : 3);
  auto length = pixels.step() * static_cast<size_t>(pixels.rows);
  auto stride = static_cast<int>(pixels.step());
  auto* out = pixels.data.get();
  auto* written =
    features.has_alpha
      ? WebPDecodeBGRAInto(data, bytes.size(), out, length, stride)
      : WebPDecodeBGRInto(data, bytes.size(), out, length, stride);
  if (written == nullptr)
    return std::nullopt;
  if (features.has_alpha)
    return bgr_of_bgra(pixels);
  return pixels;
}

std::optional<std::string> encode_jpeg(const raster& pixels, int quality) {
  auto h = compressor();
  unsigned char* out = nullptr;
  unsigned long size = 0;
  if (h == nullptr ||
      tjCompress2(h, pixels.data.get(), pixels.cols,
                  static_cast<int>(pixels.step()), pixels.rows, TJPF_BGR, &out,
                  &size, TJSAMP_420, quality, 0) != 0) {
    tjFree(out);
    return std::nullopt;
  }
  std::string result{reinterpret_cast<char*>(out), size};
  tjFree(out);
  return result;
}

/// Turned upright by its EXIF orientation (2–8; 1 and anything else: as
/// it is): each source pixel goes where the orientation's mirror or turn
/// puts it (5–8 swap the sides).
raster upright(raster x, int orientation) {
  if (orientation < 2 || orientation > 8)
    return x;
  int w = x.cols, h = x.rows;
  bool swapped = orientation >= 5;
  raster result(swapped ? h : w, swapped ? w : h, 3);
  for (int y = 0; y < h; ++y) {
    auto* in = x.row(y);
    for (int c = 0; c < w; ++c, in += 3) {
      int dx = c, dy = y;
      switch (orientation) {
      case 2:
        dx = w - 1 - c;
        break; // mirrored
      case 3:
        dx = w - 1 - c;
        dy = h - 1 - y;
        break; // turned 180°
      case 4:
        dy = h - 1 - y;
        break; // flipped
      case 5:
        dx = y;
        dy = c;
        break; // transposed
      case 6:
        dx = h - 1 - y;
        dy = c;
        break; // turned 90° right
      case 7:
        dx = h - 1 - y;
        dy = w - 1 - c;
        break; // transverse
      default:
        dx = y;
        dy = w - 1 - c;
        break; // turned 90° left
      }
      auto* out = result.row(dy) + static_cast<size_t>(dx) * 3;
      out[0] = in[0];
      out[1] = in[1];
      out[2] = in[2];
    }
  }
  return result;
}

/// Each output pixel's share of the input along an axis: `span` input
/// indices from `first[i]` with weights `weights[i * span + k]` summing to
/// `one` (zero-padded to the same span, so inner loops have a fixed length).
struct area_taps {
  int span = 1;
  std::vector<int> first;
  std::vector<uint32_t> weights;
};

area_taps taps_of(int in, int out, uint32_t one) {
  area_taps result;
  double scale = static_cast<double>(in) / out;
  // Enough taps for the widest share, never more than the input has.
  result.span = std::min(in, static_cast<int>(std::ceil(scale)) + 1);
  auto span = static_cast<size_t>(result.span);
  result.first.resize(static_cast<size_t>(out));
  result.weights.assign(static_cast<size_t>(out) * span, 0);
  for (int i = 0; i < out; ++i) {
    double lo = i * scale;
    double hi = std::min<double>(in, (i + 1) * scale);
    // Never past the input's end: the span is shifted back instead.
    auto first = std::min(static_cast<int>(lo), in - result.span);
    first = std::max(first, 0);
    result.first[static_cast<size_t>(i)] = first;
    auto* w = result.weights.data() + static_cast<size_t>(i) * span;
    uint32_t sum = 0;
    size_t widest = 0;
    for (size_t k = 0; k < span && first + static_cast<int>(k) < in; ++k) {
      auto j = first + static_cast<int>(k);
      double cover = std::min<double>(j + 1, hi) - std::max<double>(j, lo);
      w[k] =
        cover > 0 ? static_cast<uint32_t>(std::lround(cover / scale * one)) : 0;
      sum += w[k];
      if (w[k] > w[widest])
        widest = k;
    }
    // Exactly `one` in all: a flat area stays flat.
    w[widest] += one - sum;
  }
  return result;
}

/// One output row from the column sums: `Span` taps per pixel (fixed for
/// the common spans, so the loop unrolls).
template<size_t Span>
void horizontal_pass(const area_taps& cols, size_t span,
                     const uint16_t* column_sums, uint8_t* dst,
                     size_t out_width) {
  auto taps = Span > 0 ? Span : span;
  for (size_t x = 0; x < out_width; ++x) {
    auto* cw = cols.weights.data() + x * taps;
    auto* p = column_sums + static_cast<size_t>(cols.first[x]) * 3;
    uint32_t b = 0, g = 0, r = 0;
    for (size_t k = 0; k < taps; ++k, p += 3) {
      b += cw[k] * p[0];
      g += cw[k] * p[1];
      r += cw[k] * p[2];
    }
    dst[x * 3] =
      static_cast<uint8_t>(std::min<uint32_t>(255, (b + (1u << 23)) >> 24));
    dst[x * 3 + 1] =
      static_cast<uint8_t>(std::min<uint32_t>(255, (g + (1u << 23)) >> 24));
    dst[x * 3 + 2] =
      static_cast<uint8_t>(std::min<uint32_t>(255, (r + (1u << 23)) >> 24));
  }
}

image_conversion refuse(image_fault fault, std::string detail) {
  image_conversion result;
  result.fault = fault;
  result.detail = std::move(detail);
  return result;
}

} // namespace

void area_downscale(const uint8_t* in, int width, int height, size_t stride,
                    uint8_t* out, int out_width, int out_height,
                    size_t out_stride) {
  // Vertical first: it runs over whole input rows (contiguous, so the
  // compiler vectorises it) and leaves fewer rows for the horizontal pass.
  // Weights in 1/65536: a column sum of at most 255 × 65536 fits 32 bits
  // and is kept as 8.8 fixed point (16 bits); the row sum of those, at
  // most 65280 × 65536, fits 32 bits too (the weights add up to exactly
  // 65536).
  constexpr uint32_t one = 1 << 16;
  auto cols = taps_of(width, out_width, one);
  auto rows = taps_of(height, out_height, one);
  auto in_len = static_cast<size_t>(width) * 3;
  auto col_span = static_cast<size_t>(cols.span);
  auto row_span = static_cast<size_t>(rows.span);
  std::vector<uint32_t> acc(in_len);
  std::vector<uint16_t> column_sums(in_len);
  for (size_t y = 0; y < static_cast<size_t>(out_height); ++y) {
    auto* w = rows.weights.data() + y * row_span;
    std::fill(acc.begin(), acc.end(), 0);
    for (size_t k = 0; k < row_span; ++k) {
      if (w[k] == 0)
        continue;
      auto* src =
        in + stride * static_cast<size_t>(rows.first[y] + static_cast<int>(k));
      auto weight = w[k];
      for (size_t i = 0; i < in_len; ++i)
        acc[i] += weight * src[i];
    }
    for (size_t i = 0; i < in_len; ++i)
      column_sums[i] = static_cast<uint16_t>((acc[i] + 128) >> 8);
    auto* dst = out + out_stride * y;
    auto n = static_cast<size_t>(out_width);
    switch (col_span) {
    case 2:
      horizontal_pass<2>(cols, col_span, column_sums.data(), dst, n);
      break;
    case 3:
      horizontal_pass<3>(cols, col_span, column_sums.data(), dst, n);
      break;
    case 4:
      horizontal_pass<4>(cols, col_span, column_sums.data(), dst, n);
      break;
    default:
      horizontal_pass<0>(cols, col_span, column_sums.data(), dst, n);
    }
  }
}

image_type sniff_image(std::string_view x) {
  auto* p = bytes_of(x);
  if (x.size() >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
    return image_type::jpeg;
  if (x.size() >= 8 && std::memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
    return image_type::png;
  if (x.size() >= 6 &&
      (std::memcmp(p, "GIF87a", 6) == 0 || std::memcmp(p, "GIF89a", 6) == 0))
    return image_type::gif;
  if (x.size() >= 12 && std::memcmp(p, "RIFF", 4) == 0 &&
      std::memcmp(p + 8, "WEBP", 4) == 0)
    return image_type::webp;
  return image_type::unknown;
}

std::optional<image_layout> read_image_layout(std::string_view bytes) {
  switch (sniff_image(bytes)) {
  case image_type::jpeg:
    return jpeg_layout(bytes);
  case image_type::png:
    return png_layout(bytes);
  case image_type::gif:
    return gif_layout(bytes);
  case image_type::webp:
    return webp_layout(bytes);
  case image_type::unknown:
    break;
  }
  return std::nullopt;
}

image_conversion convert_for_model(std::string_view bytes, uint32_t max_side,
                                   int quality) {
  auto layout = read_image_layout(bytes);
  if (!layout)
    return refuse(image_fault::unreadable,
                  "The image could not be read. Please send another photo.");
  if (layout->type == image_type::gif)
    return refuse(image_fault::unsupported,
                  "GIF images are not supported. Please send a JPEG, PNG or "
                  "WebP photo.");
  if (!layout->complete)
    return refuse(image_fault::unreadable,
                  "The image is truncated or damaged. Please send it again.");
  if (layout->width == 0 || layout->height == 0 ||
      uint64_t{layout->width} * layout->height > max_pixels)
    return refuse(image_fault::unreadable,
                  "The image dimensions are too large (at most 100 "
                  "megapixels).");
  auto side_cap = static_cast<int>(std::min<uint32_t>(max_side, 1 << 16));
  std::optional<raster> decoded;
  try {
    switch (layout->type) {
    case image_type::jpeg:
      decoded = decode_jpeg(bytes, side_cap);
      break;
    case image_type::png:
      decoded = decode_png(bytes);
      break;
    default:
      decoded = decode_webp(bytes);
    }
    if (!decoded)
      return refuse(image_fault::unreadable,
                    "The image could not be decoded. Please send another "
                    "photo.");
    auto pixels = std::move(*decoded);
    auto long_side = std::max(pixels.cols, pixels.rows);
    if (long_side > side_cap) {
      auto scale = static_cast<double>(side_cap) / long_side;
      auto side = [scale](int x) {
        return std::max(1, static_cast<int>(std::nearbyint(x * scale)));
      };
      raster scaled(side(pixels.cols), side(pixels.rows), 3);
      area_downscale(pixels.data.get(), pixels.cols, pixels.rows, pixels.step(),
                     scaled.data.get(), scaled.cols, scaled.rows,
                     scaled.step());
      pixels = std::move(scaled);
    }
    pixels = upright(std::move(pixels), layout->orientation);
    auto encoded = encode_jpeg(pixels, quality);
    if (!encoded)
      return refuse(image_fault::unreadable, "The image could not be encoded.");
    image_conversion result;
    result.image = converted_image{"image/jpeg", std::move(*encoded),
                                   static_cast<uint32_t>(pixels.cols),
                                   static_cast<uint32_t>(pixels.rows)};
    return result;
  } catch (const std::bad_alloc&) {
    return refuse(image_fault::unreadable,
                  "The image could not be decoded. Please send another photo.");
  }
}

} // namespace st
