#include "protocols/fit.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

namespace st {

namespace {

constexpr uint16_t global_session = 18;
constexpr uint16_t global_lap = 19;
constexpr uint16_t global_record = 20;
constexpr uint16_t global_activity = 34;
constexpr uint8_t field_timestamp = 253;

struct field_def {
  uint8_t num;
  uint8_t size;
  uint8_t base_type;
};

struct definition {
  bool defined = false;
  bool big_endian = false;
  uint16_t global = 0;
  std::vector<field_def> fields;
  size_t dev_bytes = 0; ///< developer fields: skipped
};

const char* sport_name(uint64_t x) {
  static constexpr std::array<const char*, 20> names{"generic",
                                                     "running",
                                                     "cycling",
                                                     "transition",
                                                     "fitness_equipment",
                                                     "swimming",
                                                     "basketball",
                                                     "soccer",
                                                     "tennis",
                                                     "american_football",
                                                     "training",
                                                     "walking",
                                                     "cross_country_skiing",
                                                     "alpine_skiing",
                                                     "snowboarding",
                                                     "rowing",
                                                     "mountaineering",
                                                     "hiking",
                                                     "multisport",
                                                     "paddling"};
  return x < names.size() ? names[x] : nullptr;
}

/// Reads an unsigned field of 1, 2 or 4 bytes; none when it holds FIT's
/// "invalid" marker (all bits set) or has another size.
caf::optional<uint64_t> read_uint(std::string_view raw, bool big_endian) {
  if (raw.size() != 1 && raw.size() != 2 && raw.size() != 4)
    return caf::none;
  uint64_t result = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    auto b = static_cast<uint8_t>(raw[big_endian ? i : raw.size() - 1 - i]);
    result = (result << 8) | b;
  }
  uint64_t invalid = raw.size() == 1   ? 0xFFu
                     : raw.size() == 2 ? 0xFFFFu
                                       : 0xFFFFFFFFu;
  if (result == invalid)
    return caf::none;
  return result;
}

/// The records' samples as they arrive: every one at least `gap` seconds
/// after the last kept, the gap doubling (and every other sample dropped)
/// whenever twice the wanted number are kept, so a long or hostile file
/// costs bounded memory and the kept ones stay evenly spread.
class sample_thinner {
public:
  void add(int64_t timestamp, const fit_sample& x) {
    if (!kept_.empty() && timestamp < last_ + gap_)
      return;
    last_ = timestamp;
    kept_.emplace_back(timestamp, x);
    if (kept_.size() < 2 * max_fit_samples)
      return;
    for (size_t i = 0; i < kept_.size() / 2; ++i)
      kept_[i] = kept_[2 * i];
    kept_.resize(kept_.size() / 2);
    last_ = kept_.back().first;
    gap_ *= 2;
  }

  /// At most max_fit_samples, evenly picked, timed from `start`.
  std::vector<fit_sample> take(int64_t start) {
    std::vector<fit_sample> result;
    if (kept_.empty())
      return result;
    start = std::min(start, kept_.front().first);
    auto n = std::min(kept_.size(), max_fit_samples);
    for (size_t i = 0; i < n; ++i) {
      auto& [timestamp, sample] = kept_[i * kept_.size() / n];
      result.push_back(sample);
      result.back().elapsed_sec = timestamp - start;
    }
    return result;
  }

private:
  std::vector<std::pair<int64_t, fit_sample>> kept_;
  int64_t last_ = 0;
  int64_t gap_ = min_sample_gap_sec;
};

/// The session fields of domain.md §7.1, and the fallbacks for the start.
struct collector {
  fit_summary summary;
  bool have_session = false;  ///< the first session is complete
  bool have_activity = false; ///< the first activity is complete
  caf::optional<int64_t> session_start;
  caf::optional<int64_t> session_timestamp;
  caf::optional<int64_t> elapsed_ms;
  caf::optional<int64_t> timer_ms;
  caf::optional<int64_t> activity_start;
  caf::optional<int64_t> first_record;
  // The record message being read.
  caf::optional<int64_t> record_time;
  caf::optional<int64_t> record_speed;
  caf::optional<int64_t> record_enhanced_speed;
  fit_sample record;
  sample_thinner samples;

  void begin_record() {
    record_time = record_speed = record_enhanced_speed = caf::none;
    record = fit_sample{};
  }

  void end_record() {
    if (!record_time)
      return;
    auto mm_per_s =
      record_enhanced_speed ? record_enhanced_speed : record_speed;
    if (mm_per_s)
      record.speed = std::round(static_cast<double>(*mm_per_s) / 10.0) / 100.0;
    samples.add(*record_time, record);
  }

  void take(uint16_t global, uint8_t field, const caf::optional<uint64_t>& v) {
    if (!v)
      return;
    auto x = static_cast<int64_t>(*v);
    if ((global == global_session && have_session) ||
        (global == global_activity && have_activity))
      return; // only the first of each counts
    switch (global) {
    case global_session:
      switch (field) {
      case 2:
        session_start = x;
        break;
      case field_timestamp:
        session_timestamp = x;
        break;
      case 5:
        summary.sport =
          sport_name(*v) ? std::string{sport_name(*v)} : std::to_string(*v);
        break;
      case 7:
        elapsed_ms = x;
        break;
      case 8:
        timer_ms = x;
        break;
      case 9:
        summary.distance_m = static_cast<double>(x) / 100.0;
        break;
      case 11:
        summary.total_calories = x;
        break;
      case 16:
        summary.avg_heart_rate = x;
        break;
      case 17:
        summary.max_heart_rate = x;
        break;
      case 20:
        summary.avg_power = x;
        break;
      case 34:
        summary.normalized_power = x;
        break;
      default:
        break;
      }
      break;
    case global_activity:
      // local_timestamp (5) first, then timestamp, as the reference does.
      if (field == 5 || (field == field_timestamp && !activity_start))
        activity_start = x;
      break;
    case global_record:
      switch (field) {
      case field_timestamp:
        if (!first_record)
          first_record = x;
        record_time = x;
        break;
      case 3:
        record.heart_rate = x;
        break;
      case 6:
        record_speed = x;
        break;
      case 7:
        record.power = x;
        break;
      case 73:
        record_enhanced_speed = x;
        break;
      default:
        break;
      }
      break;
    default:
      break;
    }
  }
};

} // namespace

uint16_t fit_crc(std::string_view bytes, uint16_t crc) {
  static constexpr std::array<uint16_t, 16> table{
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400};
  for (unsigned char b : bytes) {
    auto tmp = table[crc & 0xF];
    crc = static_cast<uint16_t>((crc >> 4) & 0x0FFF);
    crc = static_cast<uint16_t>(crc ^ tmp ^ table[b & 0xF]);
    tmp = table[crc & 0xF];
    crc = static_cast<uint16_t>((crc >> 4) & 0x0FFF);
    crc = static_cast<uint16_t>(crc ^ tmp ^ table[(b >> 4) & 0xF]);
  }
  return crc;
}

std::variant<fit_summary, fit_error> decode_fit(std::string_view bytes) {
  auto u8 = [&](size_t i) {
    return static_cast<uint8_t>(bytes[i]);
  };
  if (bytes.size() < 12)
    return fit_error{"shorter than a FIT header"};
  size_t header_size = u8(0);
  if ((header_size != 12 && header_size != 14) || bytes.size() < header_size)
    return fit_error{"bad header size"};
  if (bytes.substr(8, 4) != ".FIT")
    return fit_error{"no .FIT signature"};
  uint32_t data_size = static_cast<uint32_t>(u8(4)) | (u8(5) << 8) |
                       (u8(6) << 16) | (static_cast<uint32_t>(u8(7)) << 24);
  if (header_size == 14) {
    uint16_t stored = static_cast<uint16_t>(u8(12) | (u8(13) << 8));
    if (stored != 0 && stored != fit_crc(bytes.substr(0, 12)))
      return fit_error{"header CRC mismatch"};
  }
  if (bytes.size() < header_size + static_cast<size_t>(data_size) + 2)
    return fit_error{"truncated"};
  auto end = header_size + static_cast<size_t>(data_size);
  uint16_t file_crc = static_cast<uint16_t>(u8(end) | (u8(end + 1) << 8));
  if (file_crc != fit_crc(bytes.substr(0, end)))
    return fit_error{"file CRC mismatch"};

  std::array<definition, 16> defs{};
  collector c;
  int64_t last_timestamp = 0;
  size_t pos = header_size;
  while (pos < end) {
    auto header = u8(pos++);
    if ((header & 0x80) == 0 && (header & 0x40) != 0) {
      // Definition message.
      auto& d = defs[header & 0x0F];
      if (pos + 5 > end)
        return fit_error{"truncated definition"};
      d = definition{};
      d.defined = true;
      d.big_endian = u8(pos + 1) == 1;
      d.global = d.big_endian
                   ? static_cast<uint16_t>((u8(pos + 2) << 8) | u8(pos + 3))
                   : static_cast<uint16_t>(u8(pos + 2) | (u8(pos + 3) << 8));
      size_t n = u8(pos + 4);
      pos += 5;
      if (pos + n * 3 > end)
        return fit_error{"truncated field definitions"};
      for (size_t i = 0; i < n; ++i, pos += 3) {
        if (u8(pos + 1) == 0)
          return fit_error{"zero-sized field"};
        d.fields.push_back({u8(pos), u8(pos + 1), u8(pos + 2)});
      }
      if (header & 0x20) {
        if (pos + 1 > end)
          return fit_error{"truncated developer definitions"};
        size_t m = u8(pos++);
        if (pos + m * 3 > end)
          return fit_error{"truncated developer definitions"};
        for (size_t i = 0; i < m; ++i, pos += 3)
          d.dev_bytes += u8(pos + 1);
      }
      continue;
    }
    // Data message, with a normal or a compressed-timestamp header.
    bool compressed = (header & 0x80) != 0;
    auto& d = defs[compressed ? (header >> 5) & 0x03 : header & 0x0F];
    if (!d.defined)
      return fit_error{"data message without definition"};
    if (d.global == global_record)
      c.begin_record();
    if (compressed) {
      int64_t offset = header & 0x1F;
      last_timestamp += (offset - last_timestamp) & 0x1F;
      c.take(d.global, field_timestamp, static_cast<uint64_t>(last_timestamp));
    }
    for (auto& f : d.fields) {
      if (pos + f.size > end)
        return fit_error{"truncated data message"};
      auto value = read_uint(bytes.substr(pos, f.size), d.big_endian);
      pos += f.size;
      if (f.num == field_timestamp && value)
        last_timestamp = static_cast<int64_t>(*value);
      c.take(d.global, f.num, value);
    }
    if (pos + d.dev_bytes > end)
      return fit_error{"truncated developer fields"};
    pos += d.dev_bytes;
    if (d.global == global_record) {
      ++c.summary.num_records;
      c.end_record();
    } else if (d.global == global_lap)
      ++c.summary.num_laps;
    else if (d.global == global_session)
      c.have_session = true;
    else if (d.global == global_activity)
      c.have_activity = true;
  }
  auto start = c.session_start       ? c.session_start
               : c.session_timestamp ? c.session_timestamp
               : c.activity_start    ? c.activity_start
                                     : c.first_record;
  if (!start)
    return fit_error{"no start time"};
  c.summary.start_unix = *start + fit_epoch_unix;
  auto ms = c.elapsed_ms ? c.elapsed_ms : c.timer_ms;
  c.summary.duration_sec = ms ? *ms / 1000 : 0;
  c.summary.series = c.samples.take(*start);
  return c.summary;
}

std::string fit_raw_json(const fit_summary& x) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w{buf};
  w.StartObject();
  auto field = [&](const char* name, const caf::optional<int64_t>& v) {
    w.Key(name);
    if (v)
      w.Int64(*v);
    else
      w.Null();
  };
  field("avg_heart_rate", x.avg_heart_rate);
  field("max_heart_rate", x.max_heart_rate);
  field("avg_power", x.avg_power);
  field("normalized_power", x.normalized_power);
  field("total_calories", x.total_calories);
  w.Key("sport");
  if (x.sport)
    w.String(x.sport->c_str());
  else
    w.Null();
  if (!x.series.empty()) {
    w.Key("series");
    w.StartArray();
    for (auto& p : x.series) {
      w.StartObject();
      w.Key("elapsed_sec");
      w.Int64(p.elapsed_sec);
      field("power", p.power);
      w.Key("speed");
      if (p.speed)
        w.Double(*p.speed);
      else
        w.Null();
      field("heart_rate", p.heart_rate);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return buf.GetString();
}

} // namespace st
