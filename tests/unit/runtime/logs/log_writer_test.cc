#include "runtime/logs/log_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "runtime/logs/json_line.h"
#include "runtime/monitor_protocol.h"

namespace shoal::runtime::logs {
namespace {
namespace fs = std::filesystem;

class LogWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shoal-logwriter-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<LogEntry> read(std::string_view file = monitor::kLogFile) const {
    std::ifstream in(dir_ / file);
    std::vector<LogEntry> out;
    for (std::string line; std::getline(in, line);) {
      auto e = parse_json_line(line);
      EXPECT_TRUE(e.is_ok()) << line;
      if (e.is_ok()) out.push_back(std::move(e).value());
    }
    return out;
  }

  fs::path dir_;
};

TEST_F(LogWriterTest, LinesSplitAtNewlinesPerStream) {
  LogWriter w(dir_.string(), 0);
  ASSERT_TRUE(w.open());
  w.append(Stream::kStdout, "one\ntw", 1);
  w.append(Stream::kStderr, "err", 2);  // stderr's partial line does not mix with stdout's
  w.append(Stream::kStdout, "o\nthree\n", 3);
  w.append(Stream::kStderr, "or\n", 4);
  w.append(Stream::kStdout, "tail", 5);
  w.finish(Stream::kStdout, 6);  // the stream closed: the partial line is written
  auto got = read();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].log, "one\n");
  EXPECT_EQ(got[1].log, "two\n");
  EXPECT_EQ(got[1].time.unix_nanos(), 3);
  EXPECT_EQ(got[2].log, "three\n");
  EXPECT_EQ(got[3].log, "error\n");
  EXPECT_EQ(got[3].stream, Stream::kStderr);
  EXPECT_EQ(got[4].log, "tail");
}

TEST_F(LogWriterTest, LongLinesAreCutAt16KiB) {
  LogWriter w(dir_.string(), 0);
  ASSERT_TRUE(w.open());
  std::string big(LogWriter::kMaxLine * 2 + 10, 'x');
  w.append(Stream::kStdout, big + "\n", 1);
  w.append(Stream::kStdout, std::string(LogWriter::kMaxLine - 1, 'y'), 2);
  w.append(Stream::kStdout, "yy\n", 3);
  auto got = read();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].log.size(), LogWriter::kMaxLine);
  EXPECT_EQ(got[1].log.size(), LogWriter::kMaxLine);
  EXPECT_EQ(got[2].log, std::string(10, 'x') + "\n");
  EXPECT_EQ(got[3].log, std::string(LogWriter::kMaxLine, 'y'));
  EXPECT_EQ(got[4].log, "y\n");
}

TEST_F(LogWriterTest, RotatesOnceAtTheCap) {
  std::string one;
  append_json_line(one, "0123456789\n", Stream::kStdout, 1);
  LogWriter w(dir_.string(), static_cast<int64_t>(one.size() * 3));
  ASSERT_TRUE(w.open());
  for (int i = 0; i < 10; ++i) w.append(Stream::kStdout, "0123456789\n", 1);
  auto current = read();
  auto rotated = read(monitor::kRotatedLogFile);
  EXPECT_EQ(current.size(), 1u);  // 10 = 3 + 3 + 3 + 1: the oldest lines are gone
  EXPECT_EQ(rotated.size(), 3u);
  EXPECT_LE(fs::file_size(dir_ / std::string(monitor::kLogFile)), one.size() * 3);
}

TEST_F(LogWriterTest, AppendsToAnExistingLog) {
  {
    LogWriter w(dir_.string(), 0);
    ASSERT_TRUE(w.open());
    w.append(Stream::kStdout, "before\n", 1);
  }
  LogWriter w(dir_.string(), 0);
  ASSERT_TRUE(w.open());
  w.append(Stream::kStdout, "after\n", 2);
  auto got = read();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].log, "after\n");
}

}  // namespace
}  // namespace shoal::runtime::logs
