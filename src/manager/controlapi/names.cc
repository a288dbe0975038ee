#include "manager/controlapi/names.h"

#include <array>
#include <cstdint>
#include <string_view>

namespace shoal::manager::controlapi {
namespace {

constexpr std::array<std::string_view, 48> kAdjectives = {
    "agile",   "amazing", "awesome",  "blissful",   "bold",     "brave",     "busy",
    "calm",    "clever",  "cool",     "curious",    "dazzling", "eager",     "elastic",
    "epic",    "festive", "focused",  "friendly",   "gallant",  "gentle",    "happy",
    "hopeful", "jolly",   "keen",     "kind",       "laughing", "lucid",     "magical",
    "modest",  "nifty",   "nimble",   "optimistic", "peaceful", "priceless", "quirky",
    "relaxed", "serene",  "sharp",    "stoic",      "sweet",    "tender",    "trusting",
    "upbeat",  "vibrant", "vigilant", "wizardly",   "youthful", "zealous",
};

constexpr std::array<std::string_view, 48> kSurnames = {
    "agnesi",   "allen",    "babbage",  "bardeen",  "bell",    "boole",   "borg",     "cerf",
    "curie",    "darwin",   "dijkstra", "einstein", "euler",   "faraday", "fermi",    "feynman",
    "franklin", "galileo",  "goldberg", "hamilton", "hawking", "hopper",  "hypatia",  "jackson",
    "johnson",  "kepler",   "knuth",    "lamarr",   "lamport", "liskov",  "lovelace", "maxwell",
    "mayer",    "meitner",  "noether",  "pascal",   "perlman", "ritchie", "shannon",  "sinoussi",
    "thompson", "torvalds", "turing",   "wescoff",  "wilson",  "wozniak", "yalow",    "zhukovsky",
};

uint32_t draw(const RandomBytes& random, uint32_t bound) {
  std::string bytes = random(4);
  uint32_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v % bound;
}

}  // namespace

std::string random_name(const RandomBytes& random) {
  std::string_view adjective = kAdjectives[draw(random, kAdjectives.size())];
  std::string_view surname = kSurnames[draw(random, kSurnames.size())];
  return std::string(adjective) + "_" + std::string(surname);
}

}  // namespace shoal::manager::controlapi
