#include "domain/training_load.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <sstream>

#include "util/dates.hpp"
#include "util/text.hpp"

namespace st {

fitness
compute_fitness(const std::vector<std::pair<int64_t, double>>& daily_tss,
                int64_t as_of) {
  fitness result;
  if (daily_tss.empty())
    return result;
  std::map<int64_t, double> by_day(daily_tss.begin(), daily_tss.end());
  double ctl = 0;
  double atl = 0;
  for (auto day = by_day.begin()->first; day <= as_of; ++day) {
    auto i = by_day.find(day);
    auto tss = i == by_day.end() ? 0.0 : i->second;
    ctl += (tss - ctl) / 42.0;
    atl += (tss - atl) / 7.0;
  }
  result.present = true;
  result.ctl = round_to(ctl, 1);
  result.atl = round_to(atl, 1);
  result.tsb = round_to(ctl - atl, 1);
  result.date = format_date(as_of);
  return result;
}

double estimate_tss(const fit_summary& x, std::optional<double> ftp) {
  if (x.duration_sec <= 0)
    return 0;
  auto duration = static_cast<double>(x.duration_sec);
  double np = x.normalized_power && *x.normalized_power > 0
                ? static_cast<double>(*x.normalized_power)
              : x.avg_power ? static_cast<double>(*x.avg_power)
                            : 0.0;
  if (np > 0 && ftp && *ftp > 0)
    return round_to(duration * np * np / (*ftp * *ftp * 36.0), 1);
  auto sport = to_lower(x.sport ? *x.sport : "generic");
  double rate = sport.find("run") != std::string::npos ? 60
                : sport.find("cycl") != std::string::npos ||
                    sport.find("bike") != std::string::npos
                  ? 55
                : sport.find("swim") != std::string::npos ? 65
                                                          : 50;
  return round_to(duration / 3600.0 * rate, 1);
}

std::string workout_name_of(const opt_string& sport) {
  if (!sport || sport->empty())
    return "Workout";
  auto result = to_lower(*sport);
  result[0] =
    static_cast<char>(std::toupper(static_cast<unsigned char>(result[0])));
  return result;
}

std::vector<workout> collapse_duplicates(std::vector<workout> xs) {
  auto text = [](const auto& x) {
    std::stringstream s;
    if (x && *x)
      s << *x;
    return s.str();
  };
  std::set<std::string> seen;
  std::vector<workout> result;
  for (auto& x : xs) {
    auto name = x.name && !x.name->empty() ? *x.name : "";
    auto key = x.start_date + "|" + name + "|" + text(x.duration_sec) + "|" +
               text(x.tss);
    if (seen.insert(key).second)
      result.push_back(std::move(x));
  }
  return result;
}

double strava_tss(const opt_int& moving_time_sec, const opt_string& type,
                  opt_double power, opt_double ftp) {
  if (!moving_time_sec || *moving_time_sec <= 0)
    return 0;
  auto t = static_cast<double>(*moving_time_sec);
  auto kind = type.value_or("");
  bool ride = kind.find("Ride") != std::string::npos;
  if (ride && power && ftp && *power > 0 && *ftp > 0)
    return round_to(t * *power * *power / (*ftp * *ftp * 36), 1);
  static const std::pair<const char*, double> rates[] = {
    {"Run", 60},  {"Ride", 55}, {"VirtualRide", 55},
    {"Swim", 65}, {"Walk", 35}, {"Hike", 40}};
  double rate = 50;
  for (auto& [name, r] : rates)
    if (kind == name)
      rate = r;
  return round_to(t / 3600 * rate, 1);
}

} // namespace st
