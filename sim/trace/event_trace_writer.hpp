#pragma once
// events.pb: the run's event trace as length-delimited drsim.trace.Event records
// (events.proto). The framing is protobuf's own (util/delimited_message_util.h: a varint size,
// then the record), so any protobuf runtime reads the file with its parseDelimitedFrom.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/result.hpp"
#include "sim/trace/events.pb.h"
#include "sim/trace/output_file.hpp"

namespace trace {

class EventTraceWriter {
 public:
  // Creates (or truncates) `path`. Stage it in a StagedOutputFolder for all-or-nothing output.
  static sim::Result<EventTraceWriter, OutputError> open(const std::filesystem::path& path);

  EventTraceWriter(EventTraceWriter&&) noexcept;
  EventTraceWriter& operator=(EventTraceWriter&&) noexcept;
  ~EventTraceWriter();

  // Appends one record. A failed write (disk full) is remembered and reported by finish();
  // the run goes on, since the trace is an observer and must not change the simulation.
  void write(const drsim::trace::Event& event);
  std::uint64_t events_written() const { return events_written_; }

  // Flushes and closes the file; nullopt when every record reached it.
  [[nodiscard]] std::optional<OutputError> finish();

 private:
  struct Stream;
  explicit EventTraceWriter(std::unique_ptr<Stream> stream);

  std::unique_ptr<Stream> stream_;
  std::uint64_t events_written_ = 0;
};

// Reads events.pb back, record by record (tests, trace-diff tools).
class EventTraceReader {
 public:
  static sim::Result<EventTraceReader, std::string> open(const std::filesystem::path& path);

  EventTraceReader(EventTraceReader&&) noexcept;
  EventTraceReader& operator=(EventTraceReader&&) noexcept;
  ~EventTraceReader();

  // The next record; nullopt at the end of the file, or at a damaged or truncated record,
  // which error() then describes.
  std::optional<drsim::trace::Event> next();
  const std::optional<std::string>& error() const { return error_; }

 private:
  struct Stream;
  explicit EventTraceReader(std::unique_ptr<Stream> stream);

  std::unique_ptr<Stream> stream_;
  std::uint64_t records_read_ = 0;
  std::optional<std::string> error_;
};

// The whole trace, or what is wrong with it ("record 12 is truncated or damaged").
sim::Result<std::vector<drsim::trace::Event>, std::string> read_event_trace(const std::filesystem::path& path);

}  // namespace trace
