// sip_codec DIR [--seconds S]: parse and re-encode every message in DIR (files sorted by name),
// the drsim side of the anchors' SIP codec comparison (shared/anchors/RESULTS.md §2). Prints
// parse_msgs_per_second, parse_mb_per_second and encode_msgs_per_second, one per line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "sim/sip/parser.hpp"
#include "sim/sip/serializer.hpp"

namespace {

std::vector<std::string> load_directory(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    // Hidden files (.gitattributes) are not messages.
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  std::vector<std::string> messages;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    messages.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return messages;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: sip_codec DIR [--seconds S]\n");
    return 2;
  }
  double budget = 1.5;
  const char* dir = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      budget = std::atof(argv[++i]);
    } else if (arg.rfind("--seconds=", 0) == 0) {
      budget = std::atof(arg.c_str() + 10);
    } else {
      dir = argv[i];
    }
  }
  if (dir == nullptr || !std::filesystem::is_directory(dir)) {
    std::fprintf(stderr, "sip_codec: %s is not a directory\n", dir ? dir : "(none)");
    return 2;
  }
  const std::vector<std::string> corpus = load_directory(dir);
  std::vector<sip::Message> parsed;
  std::size_t corpus_bytes = 0;
  for (const std::string& bytes : corpus) {
    auto message = sip::parse_message(bytes);
    if (!message.ok()) continue;  // the figure covers the messages that parse
    parsed.push_back(std::move(message).value());
    corpus_bytes += bytes.size();
  }
  if (parsed.empty()) {
    std::fprintf(stderr, "sip_codec: no message in %s parses\n", dir);
    return 2;
  }

  // Parse: a full parse into a fresh Message per message, destroyed each time (as the anchors
  // do with msg_make + msg_destroy).
  std::size_t sink = 0;
  long passes = 0;
  auto start = std::chrono::steady_clock::now();
  double elapsed = 0;
  do {
    for (const std::string& bytes : corpus) {
      auto message = sip::parse_message(bytes);
      sink += message.ok() ? message.value().header_count() : 1;
    }
    ++passes;
    elapsed = seconds_since(start);
  } while (elapsed < budget);
  const double parse_msgs = static_cast<double>(passes) * static_cast<double>(corpus.size());
  std::size_t all_bytes = 0;
  for (const std::string& bytes : corpus) all_bytes += bytes.size();
  const double parse_bytes = static_cast<double>(passes) * static_cast<double>(all_bytes);

  // Encode: a full serialization of each parsed message into a fresh string.
  passes = 0;
  start = std::chrono::steady_clock::now();
  double encode_elapsed = 0;
  do {
    for (const sip::Message& message : parsed) {
      std::string out = sip::serialize(message);
      sink += out.size();
    }
    ++passes;
    encode_elapsed = seconds_since(start);
  } while (encode_elapsed < budget);
  const double encode_msgs = static_cast<double>(passes) * static_cast<double>(parsed.size());

  std::printf("parse_msgs_per_second %.0f\n", parse_msgs / elapsed);
  std::printf("parse_mb_per_second %.1f\n", parse_bytes / elapsed / 1e6);
  std::printf("encode_msgs_per_second %.0f\n", encode_msgs / encode_elapsed);
  if (sink == 42) std::fprintf(stderr, " ");  // keeps the work observable
  (void)corpus_bytes;
  return 0;
}
