#include "sim/trace/event_trace_writer.hpp"

#include <google/protobuf/io/zero_copy_stream_impl.h>
#include <google/protobuf/util/delimited_message_util.h>

#include <fstream>

namespace trace {

// The protobuf stream adaptors point into their std::fstream, so both live together on the
// heap and the writer and reader stay movable.
struct EventTraceWriter::Stream {
  std::filesystem::path path;
  std::ofstream file;
  std::optional<google::protobuf::io::OstreamOutputStream> output;
  bool failed = false;
};

struct EventTraceReader::Stream {
  std::ifstream file;
  std::optional<google::protobuf::io::IstreamInputStream> input;
};

sim::Result<EventTraceWriter, OutputError> EventTraceWriter::open(const std::filesystem::path& path) {
  auto stream = std::make_unique<Stream>();
  stream->path = path;
  stream->file.open(path, std::ios::binary | std::ios::trunc);
  if (!stream->file) return sim::Failure{OutputError{path, "cannot create the file"}};
  stream->output.emplace(&stream->file);
  return EventTraceWriter(std::move(stream));
}

EventTraceWriter::EventTraceWriter(std::unique_ptr<Stream> stream) : stream_(std::move(stream)) {}
EventTraceWriter::EventTraceWriter(EventTraceWriter&&) noexcept = default;
EventTraceWriter& EventTraceWriter::operator=(EventTraceWriter&&) noexcept = default;
EventTraceWriter::~EventTraceWriter() = default;

void EventTraceWriter::write(const drsim::trace::Event& event) {
  if (!stream_ || stream_->failed) return;
  if (!google::protobuf::util::SerializeDelimitedToZeroCopyStream(event, &*stream_->output)) {
    stream_->failed = true;
    return;
  }
  ++events_written_;
}

std::optional<OutputError> EventTraceWriter::finish() {
  if (!stream_) return OutputError{{}, "the event trace was already finished"};
  const std::unique_ptr<Stream> stream = std::move(stream_);
  // Destroying the adaptor hands its buffer to the std::ofstream before the file closes.
  stream->output.reset();
  stream->file.close();
  if (stream->failed || !stream->file) return OutputError{stream->path, "write failed (disk full?)"};
  return std::nullopt;
}

sim::Result<EventTraceReader, std::string> EventTraceReader::open(const std::filesystem::path& path) {
  auto stream = std::make_unique<Stream>();
  stream->file.open(path, std::ios::binary);
  if (!stream->file) return sim::Failure{"cannot open " + path.string()};
  stream->input.emplace(&stream->file);
  return EventTraceReader(std::move(stream));
}

EventTraceReader::EventTraceReader(std::unique_ptr<Stream> stream) : stream_(std::move(stream)) {}
EventTraceReader::EventTraceReader(EventTraceReader&&) noexcept = default;
EventTraceReader& EventTraceReader::operator=(EventTraceReader&&) noexcept = default;
EventTraceReader::~EventTraceReader() = default;

std::optional<drsim::trace::Event> EventTraceReader::next() {
  if (!stream_ || error_) return std::nullopt;
  drsim::trace::Event event;
  bool clean_end = false;
  if (google::protobuf::util::ParseDelimitedFromZeroCopyStream(&event, &*stream_->input, &clean_end)) {
    ++records_read_;
    return event;
  }
  if (!clean_end) error_ = "record " + std::to_string(records_read_ + 1) + " is truncated or damaged";
  return std::nullopt;
}

sim::Result<std::vector<drsim::trace::Event>, std::string> read_event_trace(const std::filesystem::path& path) {
  auto reader = EventTraceReader::open(path);
  if (!reader.ok()) return sim::Failure{reader.error()};
  std::vector<drsim::trace::Event> events;
  while (auto event = reader->next()) events.push_back(std::move(*event));
  if (reader->error()) return sim::Failure{path.string() + ": " + *reader->error()};
  return events;
}

}  // namespace trace
