#include "terminal-agent/queue/forwarder.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "terminal-agent/queue/queue_test_support.h"
#include "tests/testing/test_env.h"

namespace kaiban::agent {
namespace {

using kaiban::testing::TempDir;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeOrchestrator;
using testing::sampleBody;
using testing::testStart;

constexpr BackoffPolicy kNoJitter{milliseconds(1000), milliseconds(60000), 0.0};

std::string keyOf(int i) { return "key-" + std::to_string(i); }
std::string bodyOf(int i) { return sampleBody("王海蓝", "370202198805123010", std::to_string(i)); }

class ForwarderTest : public ::testing::Test {
 protected:
  void SetUp() override { queue_ = openQueue(); }

  std::unique_ptr<SubmissionQueue> openQueue() {
    Result<std::unique_ptr<SubmissionQueue>> queue = SubmissionQueue::open(
        dir_.path() / "queue.db", crypto::PiiCipher(crypto::KeyRing::forTesting()), clock_);
    EXPECT_TRUE(queue.ok()) << queue.error();
    return queue.ok() ? std::move(*queue) : nullptr;
  }

  std::vector<QueuedSubmission> enqueueMany(int count, int first = 0) {
    std::vector<QueuedSubmission> queued;
    for (int i = first; i < first + count; ++i) {
      Result<QueuedSubmission> one = queue_->enqueue(keyOf(i), bodyOf(i));
      EXPECT_TRUE(one.ok()) << one.error();
      if (one.ok()) queued.push_back(*one);
    }
    return queued;
  }

  static std::vector<std::string> keys(int count, int first = 0) {
    std::vector<std::string> result;
    for (int i = first; i < first + count; ++i) result.push_back(keyOf(i));
    return result;
  }

  TempDir dir_;
  ManualClock clock_{testStart()};
  FakeOrchestrator orchestrator_;
  std::unique_ptr<SubmissionQueue> queue_;
};

TEST_F(ForwarderTest, ForwardsEachSubmissionOnceInOrderAndRecordsTheApplication) {
  const std::vector<QueuedSubmission> queued = enqueueMany(5);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  const DrainOutcome outcome = forwarder.drain();
  EXPECT_EQ(outcome.forwarded, 5);
  EXPECT_TRUE(outcome.queue_empty);
  EXPECT_FALSE(outcome.error.has_value());
  EXPECT_EQ(orchestrator_.requests(), keys(5));
  EXPECT_EQ(orchestrator_.created(), keys(5));
  for (int i = 0; i < 5; ++i) {
    Result<SubmissionRecord> record = queue_->find(queued[i].local_id);
    ASSERT_TRUE(record.ok());
    EXPECT_EQ(record->state, SubmissionState::kForwarded);
    EXPECT_EQ(record->application_id, orchestrator_.applicationFor(keyOf(i)));
  }
  // Nothing is sent again.
  EXPECT_TRUE(forwarder.drain().queue_empty);
  EXPECT_EQ(orchestrator_.requests().size(), 5u);
}

TEST_F(ForwarderTest, DrainStopsAfterMaxSubmissions) {
  enqueueMany(3);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  const DrainOutcome outcome = forwarder.drain(2);
  EXPECT_EQ(outcome.forwarded, 2);
  EXPECT_FALSE(outcome.queue_empty);
  EXPECT_EQ(*queue_->depth(), 1);
}

TEST_F(ForwarderTest, OfflineKeepsAcceptingThenForwardsEverythingOnceInOrder) {
  orchestrator_.setOnline(false);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  for (int i = 0; i < 6; ++i) {
    enqueueMany(1, i);
    const DrainOutcome outcome = forwarder.drain();
    EXPECT_EQ(outcome.forwarded, 0);
    ASSERT_TRUE(outcome.retry_at.has_value());
    clock_.set(*outcome.retry_at);  // let every drain actually try the head
  }
  EXPECT_EQ(*queue_->depth(), 6);
  EXPECT_TRUE(orchestrator_.created().empty());
  // Only the head was ever tried: the rest waited behind it.
  for (const std::string& key : orchestrator_.requests()) EXPECT_EQ(key, keyOf(0));
  EXPECT_EQ(queue_->findByIdempotencyKey(keyOf(0))->attempts, 6);
  EXPECT_EQ(queue_->findByIdempotencyKey(keyOf(0))->last_error, "unavailable: connection refused");

  orchestrator_.setOnline(true);
  clock_.advance(std::chrono::minutes(2));
  const DrainOutcome outcome = forwarder.drain();
  EXPECT_EQ(outcome.forwarded, 6);
  EXPECT_TRUE(outcome.queue_empty);
  EXPECT_EQ(orchestrator_.created(), keys(6));
  EXPECT_EQ(*queue_->depth(), 0);
}

TEST_F(ForwarderTest, TheHeadBacksOffExponentiallyAndBlocksTheRest) {
  orchestrator_.setOnline(false);
  enqueueMany(2);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);

  DrainOutcome first = forwarder.drain();
  ASSERT_TRUE(first.error.has_value());
  EXPECT_EQ(first.error->code, ErrorCode::kUnavailable);
  EXPECT_EQ(first.retry_at, testStart() + seconds(1));

  // Before the backoff ends nothing is sent, not even the second submission.
  clock_.advance(milliseconds(999));
  DrainOutcome waiting = forwarder.drain();
  EXPECT_FALSE(waiting.error.has_value());
  EXPECT_EQ(waiting.retry_at, testStart() + seconds(1));
  EXPECT_EQ(orchestrator_.requests().size(), 1u);

  clock_.advance(milliseconds(1));
  DrainOutcome second = forwarder.drain();
  EXPECT_EQ(second.retry_at, clock_.now() + seconds(2));
  clock_.set(*second.retry_at);
  DrainOutcome third = forwarder.drain();
  EXPECT_EQ(third.retry_at, clock_.now() + seconds(4));
  EXPECT_EQ(orchestrator_.requests(), (std::vector<std::string>(3, keyOf(0))));
}

TEST_F(ForwarderTest, BackoffDoublesUpToTheMaximumAndJitterOnlyShortensIt) {
  Forwarder exact(*queue_, orchestrator_.function(), clock_, kNoJitter);
  EXPECT_EQ(exact.backoff(1), seconds(1));
  EXPECT_EQ(exact.backoff(2), seconds(2));
  EXPECT_EQ(exact.backoff(6), seconds(32));
  EXPECT_EQ(exact.backoff(7), seconds(60));
  EXPECT_EQ(exact.backoff(1000), seconds(60));

  Forwarder jittery(*queue_, orchestrator_.function(), clock_,
                    {milliseconds(1000), milliseconds(60000), 0.2});
  for (int i = 0; i < 200; ++i) {
    const auto wait = jittery.backoff(3);
    EXPECT_LE(wait, seconds(4));
    EXPECT_GE(wait, milliseconds(3200));
  }
}

TEST_F(ForwarderTest, APermanentRefusalIsRecordedAndTheRestGoOn) {
  orchestrator_.setFault([](const std::string& key) -> std::optional<Error> {
    if (key == keyOf(1)) return Error::invalidInput("must show the legal form", "enterprise.name");
    return std::nullopt;
  });
  const std::vector<QueuedSubmission> queued = enqueueMany(3);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  const DrainOutcome outcome = forwarder.drain();
  EXPECT_EQ(outcome.forwarded, 2);
  EXPECT_EQ(outcome.failed_permanent, 1);
  EXPECT_TRUE(outcome.queue_empty);
  EXPECT_EQ(orchestrator_.created(), (std::vector<std::string>{keyOf(0), keyOf(2)}));

  Result<SubmissionRecord> refused = queue_->find(queued[1].local_id);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->state, SubmissionState::kFailedPermanent);
  EXPECT_EQ(refused->last_error, "invalid_input: enterprise.name: must show the legal form");
  EXPECT_FALSE(refused->body_stored);
  // Never tried again.
  clock_.advance(std::chrono::hours(1));
  forwarder.drain();
  EXPECT_EQ(orchestrator_.requests().size(), 3u);
}

TEST_F(ForwarderTest, OnlyInvalidConflictAndRejectedArePermanent) {
  for (ErrorCode code : {ErrorCode::kInvalidInput, ErrorCode::kConflict, ErrorCode::kRejected}) {
    EXPECT_TRUE(isPermanentForwardError(code)) << errorCodeName(code);
  }
  for (ErrorCode code : {ErrorCode::kNotFound, ErrorCode::kUnavailable, ErrorCode::kTimeout,
                         ErrorCode::kCorrupt, ErrorCode::kForbidden, ErrorCode::kInternal}) {
    EXPECT_FALSE(isPermanentForwardError(code)) << errorCodeName(code);
  }
}

TEST_F(ForwarderTest, AnAnswerWithoutApplicationIdIsRetried) {
  enqueueMany(1);
  int calls = 0;
  Forwarder forwarder(
      *queue_,
      [&](const std::string& key, const std::string& body) -> Result<ForwardResult> {
        if (++calls == 1) return ForwardResult{};
        return orchestrator_.submit(key, body);
      },
      clock_, kNoJitter);
  const DrainOutcome first = forwarder.drain();
  ASSERT_TRUE(first.error.has_value());
  EXPECT_EQ(first.error->code, ErrorCode::kInternal);
  clock_.advance(seconds(1));
  EXPECT_EQ(forwarder.drain().forwarded, 1);
  EXPECT_EQ(orchestrator_.created(), keys(1));
}

// Fault injection: the orchestrator creates the application but its answer is lost.
TEST_F(ForwarderTest, ALostAnswerIsResentWithTheSameKeyAndCreatesNothingNew) {
  enqueueMany(2);
  bool lose_next_answer = true;
  Forwarder forwarder(
      *queue_,
      [&](const std::string& key, const std::string& body) -> Result<ForwardResult> {
        Result<ForwardResult> answer = orchestrator_.submit(key, body);
        if (lose_next_answer) {
          lose_next_answer = false;
          return Error::timeout("no answer within 10 s");
        }
        return answer;
      },
      clock_, kNoJitter);
  const DrainOutcome lost = forwarder.drain();
  EXPECT_EQ(lost.forwarded, 0);
  ASSERT_TRUE(lost.error.has_value());
  EXPECT_EQ(lost.error->code, ErrorCode::kTimeout);
  EXPECT_EQ(orchestrator_.created(), keys(1));  // it did arrive

  clock_.advance(seconds(1));
  EXPECT_EQ(forwarder.drain().forwarded, 2);
  EXPECT_EQ(orchestrator_.requests(), (std::vector<std::string>{keyOf(0), keyOf(0), keyOf(1)}));
  EXPECT_EQ(orchestrator_.created(), keys(2));
  EXPECT_EQ(queue_->findByIdempotencyKey(keyOf(0))->application_id,
            orchestrator_.applicationFor(keyOf(0)));
}

TEST_F(ForwarderTest, AWallClockSetBackDoesNotStallTheHead) {
  orchestrator_.setOnline(false);
  enqueueMany(1);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  ASSERT_TRUE(forwarder.drain().retry_at.has_value());  // due in 1 s
  clock_.set(testStart() - std::chrono::hours(24));     // next_attempt_at now 24 h ahead
  orchestrator_.setOnline(true);
  EXPECT_EQ(forwarder.drain().forwarded, 1);
}

// A crash between the orchestrator's acknowledgement and markForwarded: the queue object
// goes away with the submission still pending, as after a power cut.
TEST_F(ForwarderTest, ACrashBeforeMarkingForwardedResendsTheSameKeyAfterReopen) {
  enqueueMany(3);
  {
    Result<std::optional<PendingSubmission>> head = queue_->nextPending();
    ASSERT_TRUE(head.ok() && head->has_value());
    ASSERT_TRUE(orchestrator_.submit((*head)->idempotency_key, (*head)->body).ok());
    queue_.reset();  // "crash": no markForwarded
  }
  queue_ = openQueue();
  ASSERT_NE(queue_, nullptr);
  EXPECT_EQ(*queue_->depth(), 3);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  EXPECT_EQ(forwarder.drain().forwarded, 3);
  EXPECT_EQ(orchestrator_.requests(),
            (std::vector<std::string>{keyOf(0), keyOf(0), keyOf(1), keyOf(2)}));
  EXPECT_EQ(orchestrator_.created(), keys(3));
}

// The same with a real process killed by SIGKILL in the middle of forwarding. The child's
// "orchestrator" appends each key it creates to a file and fsyncs it before answering, so the
// parent can play the orchestrator afterwards with the same memory.
TEST_F(ForwarderTest, AProcessKilledWhileForwardingResendsTheSameKeyAfterRestart) {
  queue_.reset();
  const std::filesystem::path delivered = dir_.path() / "delivered.txt";
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // No gtest assertions here: report failure by exit status.
    std::unique_ptr<SubmissionQueue> queue = openQueue();
    if (queue == nullptr) _exit(3);
    for (int i = 0; i < 4; ++i) {
      if (!queue->enqueue(keyOf(i), bodyOf(i)).ok()) _exit(4);
    }
    int calls = 0;
    Forwarder forwarder(
        *queue,
        [&](const std::string& key, const std::string&) -> Result<ForwardResult> {
          const int fd = ::open(delivered.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
          const std::string line = key + "\n";
          if (fd < 0 ||
              ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
              ::fsync(fd) != 0) {
            _exit(5);
          }
          ::close(fd);
          if (++calls == 2) ::raise(SIGKILL);  // acknowledged, but never marked forwarded
          return ForwardResult{"KB-" + key};
        },
        clock_, kNoJitter);
    forwarder.drain();
    _exit(6);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status)) << "child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);

  std::vector<std::string> before_crash;
  std::ifstream in(delivered);
  for (std::string line; std::getline(in, line);) before_crash.push_back(line);
  ASSERT_EQ(before_crash, (std::vector<std::string>{keyOf(0), keyOf(1)}));

  queue_ = openQueue();
  ASSERT_NE(queue_, nullptr);
  EXPECT_EQ(queue_->findByIdempotencyKey(keyOf(0))->state, SubmissionState::kForwarded);
  EXPECT_EQ(queue_->findByIdempotencyKey(keyOf(1))->state, SubmissionState::kPending);
  EXPECT_EQ(*queue_->depth(), 3);

  // The orchestrator remembers what the child delivered.
  for (const std::string& key : before_crash) {
    const int i = std::stoi(key.substr(4));
    ASSERT_TRUE(orchestrator_.submit(key, bodyOf(i)).ok());
  }
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  EXPECT_EQ(forwarder.drain().forwarded, 3);
  EXPECT_EQ(orchestrator_.created(), keys(4));  // each application exactly once
  const std::vector<std::string> requests = orchestrator_.requests();
  EXPECT_EQ(std::vector<std::string>(requests.begin() + 2, requests.end()),
            (std::vector<std::string>{keyOf(1), keyOf(2), keyOf(3)}));  // key-1 resent
}

TEST_F(ForwarderTest, BackgroundForwarderDeliversOnceTheOrchestratorIsBack) {
  SystemClock real_clock;
  std::unique_ptr<SubmissionQueue> queue;
  {
    Result<std::unique_ptr<SubmissionQueue>> opened =
        SubmissionQueue::open(dir_.path() / "background.db",
                              crypto::PiiCipher(crypto::KeyRing::forTesting()), real_clock);
    ASSERT_TRUE(opened.ok()) << opened.error();
    queue = std::move(*opened);
  }
  orchestrator_.setOnline(false);
  Forwarder forwarder(*queue, orchestrator_.function(), real_clock,
                      {milliseconds(5), milliseconds(40), 0.0});
  BackgroundForwarder background(forwarder, real_clock, milliseconds(200));
  background.start();
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(queue->enqueue(keyOf(i), bodyOf(i)).ok());
    background.notify();
  }
  EXPECT_FALSE(orchestrator_.waitForCreated(1, milliseconds(100)));
  EXPECT_EQ(*queue->depth(), 5);

  orchestrator_.setOnline(true);
  ASSERT_TRUE(orchestrator_.waitForCreated(5, seconds(20)));
  background.stop();
  EXPECT_EQ(orchestrator_.created(), keys(5));
  EXPECT_EQ(*queue->depth(), 0);
  const BackgroundForwarder::Status status = background.status();
  EXPECT_EQ(status.forwarded, 5);
  EXPECT_FALSE(status.last_error.has_value());
  EXPECT_TRUE(status.last_forwarded_at.has_value());
}

TEST_F(ForwarderTest, BackgroundForwarderDrainsAQueueLeftByAnEarlierRun) {
  enqueueMany(3);
  Forwarder forwarder(*queue_, orchestrator_.function(), clock_, kNoJitter);
  BackgroundForwarder background(forwarder, clock_, milliseconds(50));
  background.start();  // no notify
  ASSERT_TRUE(orchestrator_.waitForCreated(3, seconds(20)));
  background.stop();
  background.stop();  // idempotent
  EXPECT_EQ(orchestrator_.created(), keys(3));
}

}  // namespace
}  // namespace kaiban::agent
