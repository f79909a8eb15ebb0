// SPDX-License-Identifier: MIT
// Stand-in for libFuzzer where there is none (g++): replays every file of a
// seed corpus, then a fixed number of deterministic mutations of the seeds.
// Usage: TARGET_replay CORPUS_DIR [MUTATIONS] [--frames]
// --frames: the inputs are protocol frames, so most mutations get their
// length field set right again and reach the payload.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

using bytes = std::vector<std::uint8_t>;
constexpr std::size_t header_size = 8;

std::vector<bytes> read_corpus(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // directory order is unspecified
  std::vector<bytes> corpus;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return corpus;
}

void run(const bytes& input) { LLVMFuzzerTestOneInput(input.data(), input.size()); }

// Tokens that stress the JSON field readers once spliced into a payload.
constexpr std::string_view tokens[] = {
    "null", "true", "0",  "-1", "65535",       "65536",       "1e309",     "-0.0",
    "80.5", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "\"\\\\x\"", "18446744073709551616",
    ",",    ":",    "\"", "{"};

class mutator {
 public:
  mutator(const std::vector<bytes>& seeds, bool frames) : seeds_(seeds), frames_(frames) {}

  bytes next() {
    bytes b = pick_seed();
    const auto rounds = 1 + below(4);
    for (std::size_t i = 0; i < rounds; ++i) mutate(b);
    // Most mutations break the declared length; fix it usually, so the JSON
    // payload gets exercised rather than only the header checks.
    if (frames_ && below(4) != 0 && b.size() >= header_size) set_length(b, b.size() - header_size);
    return b;
  }

 private:
  std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
  std::uint8_t any_byte() { return static_cast<std::uint8_t>(rng_()); }
  std::ptrdiff_t at(const bytes& b) { return static_cast<std::ptrdiff_t>(below(b.size() + 1)); }
  const bytes& pick_seed() { return seeds_[below(seeds_.size())]; }

  static void set_length(bytes& b, std::size_t length) {
    for (std::size_t i = 0; i < 4; ++i)
      b[4 + i] = static_cast<std::uint8_t>(length >> (24 - 8 * i));
  }

  void mutate(bytes& b) {
    switch (below(7)) {
      case 0:
        if (!b.empty()) b[below(b.size())] ^= static_cast<std::uint8_t>(1U << below(8));
        break;
      case 1:
        if (!b.empty()) b[below(b.size())] = any_byte();
        break;
      case 2: b.insert(b.begin() + at(b), any_byte()); break;
      case 3:
        if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(below(b.size())));
        break;
      case 4: b.resize(below(b.size() + 1)); break;
      case 5: {
        const auto token = tokens[below(std::size(tokens))];
        b.insert(b.begin() + at(b), token.begin(), token.end());
        break;
      }
      default: {
        const bytes& other = pick_seed();
        const auto from = below(other.size() + 1);
        const auto to = from + below(other.size() - from + 1);
        b.insert(b.begin() + at(b),
                 other.begin() + static_cast<std::ptrdiff_t>(from),
                 other.begin() + static_cast<std::ptrdiff_t>(to));
        break;
      }
    }
  }

  const std::vector<bytes>& seeds_;
  bool frames_;
  std::mt19937 rng_{20240601};  // fixed: every run checks the same inputs
};

}  // namespace

int main(int argc, char** argv) {
  const bool frames = argc == 4 && std::string_view(argv[3]) == "--frames";
  if (argc < 2 || argc > 4 || (argc == 4 && !frames)) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR [MUTATIONS] [--frames]\n", argv[0]);
    return 2;
  }
  const auto corpus = read_corpus(argv[1]);
  if (corpus.empty()) {
    std::fprintf(stderr, "%s: no seed files in %s\n", argv[0], argv[1]);
    return 2;
  }
  const unsigned long mutations = argc >= 3 ? std::stoul(argv[2]) : 20000;
  for (const auto& seed : corpus) run(seed);
  mutator m(corpus, frames);
  for (unsigned long i = 0; i < mutations; ++i) run(m.next());
  const auto name = std::filesystem::path(argv[0]).filename().string();
  std::printf("%s: %zu seeds and %lu mutations passed\n", name.c_str(), corpus.size(), mutations);
  return 0;
}
