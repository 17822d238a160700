#include "terminal-agent/queue/submission_queue.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "terminal-agent/queue/queue_test_support.h"
#include "tests/testing/test_env.h"

namespace kaiban::agent {
namespace {

using kaiban::testing::TempDir;
using testing::contains;
using testing::queueFileBytes;
using testing::sampleBody;
using testing::testStart;

constexpr char kName[] = "王海蓝";
constexpr char kIdNumber[] = "370202198805123010";
constexpr char kPhone[] = "13912345678";

class SubmissionQueueTest : public ::testing::Test {
 protected:
  std::unique_ptr<SubmissionQueue> open(
      const crypto::KeyRing& keys = crypto::KeyRing::forTesting()) {
    Result<std::unique_ptr<SubmissionQueue>> queue =
        SubmissionQueue::open(path_, crypto::PiiCipher(keys), clock_);
    EXPECT_TRUE(queue.ok()) << queue.error();
    return queue.ok() ? std::move(*queue) : nullptr;
  }

  QueuedSubmission enqueue(SubmissionQueue& queue, const std::string& key,
                           const std::string& body) {
    Result<QueuedSubmission> queued = queue.enqueue(key, body);
    EXPECT_TRUE(queued.ok()) << queued.error();
    return queued.ok() ? *queued : QueuedSubmission{};
  }

  // The sealed body as stored, read through a separate connection.
  std::string storedSealedBody(const std::string& local_id) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT body FROM submissions WHERE local_id = ?", -1, &stmt,
                                 nullptr),
              SQLITE_OK);
    sqlite3_bind_text(stmt, 1, local_id.c_str(), -1, SQLITE_TRANSIENT);
    std::string blob;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_blob(stmt, 0) != nullptr) {
      blob.assign(static_cast<const char*>(sqlite3_column_blob(stmt, 0)),
                  static_cast<size_t>(sqlite3_column_bytes(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return blob;
  }

  TempDir dir_;
  std::filesystem::path path_ = dir_.path() / "agent" / "queue.db";
  ManualClock clock_{testStart()};
};

// How many 16-byte pieces of `secret` (at 16-byte steps) occur in `haystack`. SQLite splits a
// long blob over overflow pages with a 4-byte header each, so not every piece is contiguous
// on disk; most are.
int piecesFound(const std::string& haystack, const std::string& secret) {
  int found = 0;
  for (size_t at = 0; at + 16 <= secret.size(); at += 16) {
    if (contains(haystack, secret.substr(at, 16))) ++found;
  }
  return found;
}

TEST_F(SubmissionQueueTest, EnqueuedPersonalDataIsNotOnDiskInClearIncludingTheWal) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  enqueue(*queue, "key-plain-1", sampleBody(kName, kIdNumber, kPhone));
  enqueue(*queue, "key-plain-2", sampleBody("李晓雯", "370203199208174523", "13800138000", 9000));

  ASSERT_TRUE(std::filesystem::exists(path_.string() + "-wal"));  // still open: data in the WAL
  const std::string bytes = queueFileBytes(path_);
  // The scan itself works: the idempotency key is stored in clear and is found.
  EXPECT_TRUE(contains(bytes, "key-plain-1"));
  for (const std::string& secret : {std::string(kName), std::string(kIdNumber), std::string(kPhone),
                                    std::string("李晓雯"), std::string("370203199208174523"),
                                    std::string("青岛海蓝科技有限公司"), std::string("xxxxxxxx")}) {
    EXPECT_FALSE(contains(bytes, secret)) << "found in the queue files: " << secret;
  }
  queue.reset();
  const std::string closed = queueFileBytes(path_);
  EXPECT_FALSE(contains(closed, kIdNumber));
  EXPECT_FALSE(contains(closed, kName));
}

TEST_F(SubmissionQueueTest, PendingSubmissionsComeOutInEnqueueOrderWithTheirBodies) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  std::vector<QueuedSubmission> queued;
  for (int i = 0; i < 4; ++i) {
    queued.push_back(enqueue(*queue, "key-" + std::to_string(i),
                             sampleBody(kName, kIdNumber, std::to_string(i))));
  }
  for (size_t i = 1; i < queued.size(); ++i) {
    EXPECT_GT(queued[i].sequence, queued[i - 1].sequence);
    EXPECT_EQ(queued[i].local_id.size(), 12u);
    EXPECT_NE(queued[i].local_id, queued[i - 1].local_id);
  }
  EXPECT_EQ(*queue->depth(), 4);
  for (int i = 0; i < 4; ++i) {
    Result<std::optional<PendingSubmission>> head = queue->nextPending();
    ASSERT_TRUE(head.ok()) << head.error();
    ASSERT_TRUE(head->has_value());
    EXPECT_EQ((*head)->local_id, queued[i].local_id);
    EXPECT_EQ((*head)->sequence, queued[i].sequence);
    EXPECT_EQ((*head)->idempotency_key, "key-" + std::to_string(i));
    EXPECT_EQ((*head)->body, sampleBody(kName, kIdNumber, std::to_string(i)));
    EXPECT_EQ((*head)->enqueued_at, testStart());
    Result<void> marked = queue->markForwarded(queued[i].local_id, "KB" + std::to_string(i));
    ASSERT_TRUE(marked.ok()) << marked.error();
  }
  Result<std::optional<PendingSubmission>> empty = queue->nextPending();
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  EXPECT_EQ(*queue->depth(), 0);
}

TEST_F(SubmissionQueueTest, EnqueueIsIdempotentForTheSameBodyAndRefusesAnotherBody) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  const std::string body = sampleBody(kName, kIdNumber, kPhone);
  const QueuedSubmission first = enqueue(*queue, "key-1", body);
  EXPECT_EQ(enqueue(*queue, "key-1", body), first);
  EXPECT_EQ(*queue->depth(), 1);

  Result<QueuedSubmission> other = queue->enqueue("key-1", body + " ");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kConflict);

  // Still recognised once the body itself is gone.
  ASSERT_TRUE(queue->markForwarded(first.local_id, "KB1").ok());
  EXPECT_EQ(enqueue(*queue, "key-1", body), first);
  Result<QueuedSubmission> after = queue->enqueue("key-1", "{}");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kConflict);
  EXPECT_EQ(*queue->depth(), 0);
}

TEST_F(SubmissionQueueTest, BadKeysAndBodiesAreRefused) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  for (const std::string& key :
       {std::string(), std::string("has space"), std::string("ключ"), std::string(129, 'k')}) {
    Result<QueuedSubmission> queued = queue->enqueue(key, "{}");
    ASSERT_FALSE(queued.ok()) << key;
    EXPECT_EQ(queued.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(queued.error().field, "idempotency_key");
  }
  EXPECT_TRUE(queue->enqueue(std::string(128, 'k'), "{}").ok());
  for (const std::string& body :
       {std::string(), std::string(SubmissionQueue::kMaxBodyBytes + 1, ' ')}) {
    Result<QueuedSubmission> queued = queue->enqueue("key-body", body);
    ASSERT_FALSE(queued.ok());
    EXPECT_EQ(queued.error().field, "body");
  }
  EXPECT_EQ(*queue->depth(), 1);
}

TEST_F(SubmissionQueueTest, ForwardingDeletesThePersonalDataFromTheFileAndTheWal) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  // Large enough to spill onto overflow pages, which are freed rather than rewritten.
  const QueuedSubmission big =
      enqueue(*queue, "key-big", sampleBody(kName, kIdNumber, kPhone, 20000));
  const QueuedSubmission small = enqueue(*queue, "key-small", sampleBody(kName, kIdNumber, kPhone));
  const std::string sealed_big = storedSealedBody(big.local_id);
  const std::string sealed_small = storedSealedBody(small.local_id);
  ASSERT_GT(sealed_big.size(), 20000u);
  // The check can fail: before forwarding, the sealed bodies are in the files.
  const std::string before = queueFileBytes(path_);
  EXPECT_GT(piecesFound(before, sealed_big), 1000);
  EXPECT_GT(piecesFound(before, sealed_small), 0);

  ASSERT_TRUE(queue->markForwarded(big.local_id, "KB1").ok());
  ASSERT_TRUE(queue->markForwarded(small.local_id, "KB2").ok());
  const std::string after = queueFileBytes(path_);
  EXPECT_EQ(piecesFound(after, sealed_big), 0);
  EXPECT_EQ(piecesFound(after, sealed_small), 0);
  EXPECT_EQ(std::filesystem::file_size(path_.string() + "-wal"), 0u);  // truncated

  Result<SubmissionRecord> record = queue->find(big.local_id);
  ASSERT_TRUE(record.ok()) << record.error();
  EXPECT_EQ(record->state, SubmissionState::kForwarded);
  EXPECT_EQ(record->application_id, "KB1");
  EXPECT_EQ(record->idempotency_key, "key-big");
  EXPECT_FALSE(record->body_stored);
  EXPECT_EQ(record->settled_at, testStart());
}

TEST_F(SubmissionQueueTest, FailingForGoodKeepsTheReasonAndDeletesTheBody) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  const QueuedSubmission queued =
      enqueue(*queue, "key-1", sampleBody(kName, kIdNumber, kPhone, 6000));
  const std::string sealed = storedSealedBody(queued.local_id);
  clock_.advance(std::chrono::minutes(3));
  ASSERT_TRUE(
      queue
          ->markFailedPermanent(queued.local_id,
                                Error::invalidInput("must show the legal form", "enterprise.name"))
          .ok());
  EXPECT_EQ(piecesFound(queueFileBytes(path_), sealed), 0);
  Result<SubmissionRecord> record = queue->findByIdempotencyKey("key-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->state, SubmissionState::kFailedPermanent);
  EXPECT_EQ(record->last_error, "invalid_input: enterprise.name: must show the legal form");
  EXPECT_EQ(record->settled_at, testStart() + std::chrono::minutes(3));
  EXPECT_EQ(*queue->depth(), 0);
  EXPECT_FALSE(queue->nextPending()->has_value());
}

TEST_F(SubmissionQueueTest, MarkingFollowsTheStateRules) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  const QueuedSubmission a = enqueue(*queue, "key-a", "{\"a\":1}");
  const QueuedSubmission b = enqueue(*queue, "key-b", "{\"b\":1}");

  EXPECT_EQ(queue->markForwarded("NOSUCHID0000", "KB1").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(queue->markAttemptFailed("NOSUCHID0000", Error::timeout("t"), testStart()).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(queue->markForwarded(a.local_id, "").error().code, ErrorCode::kInvalidInput);

  ASSERT_TRUE(queue->markForwarded(a.local_id, "KB1").ok());
  EXPECT_TRUE(queue->markForwarded(a.local_id, "KB1").ok());  // a repeat
  EXPECT_EQ(queue->markForwarded(a.local_id, "KB9").error().code, ErrorCode::kConflict);
  EXPECT_EQ(queue->markFailedPermanent(a.local_id, Error::rejected("no")).error().code,
            ErrorCode::kConflict);
  EXPECT_EQ(queue->markAttemptFailed(a.local_id, Error::timeout("t"), testStart()).error().code,
            ErrorCode::kConflict);

  ASSERT_TRUE(queue->markFailedPermanent(b.local_id, Error::rejected("no")).ok());
  EXPECT_TRUE(queue->markFailedPermanent(b.local_id, Error::rejected("no")).ok());
  EXPECT_EQ(queue->markForwarded(b.local_id, "KB2").error().code, ErrorCode::kConflict);
}

TEST_F(SubmissionQueueTest, FailedAttemptsAreCountedAndDeferTheHead) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  const QueuedSubmission queued = enqueue(*queue, "key-1", "{}");
  const SystemTime later = testStart() + std::chrono::seconds(30);
  ASSERT_TRUE(queue->markAttemptFailed(queued.local_id, Error::unavailable("refused"), later).ok());
  ASSERT_TRUE(queue->markAttemptFailed(queued.local_id, Error::timeout("no answer"), later).ok());
  Result<std::optional<PendingSubmission>> head = queue->nextPending();
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->attempts, 2);
  EXPECT_EQ((*head)->last_error, "timeout: no answer");
  EXPECT_EQ((*head)->next_attempt_at, later);

  const std::string long_text(3000, 'e');
  ASSERT_TRUE(queue->markAttemptFailed(queued.local_id, Error::internal(long_text), later).ok());
  EXPECT_LE(queue->find(queued.local_id)->last_error.size(), 1000u);
}

TEST_F(SubmissionQueueTest, DepthAndAgeOfPendingSubmissions) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  enqueue(*queue, "key-1", "{}");
  clock_.advance(std::chrono::minutes(10));
  const QueuedSubmission second = enqueue(*queue, "key-2", "{}");
  clock_.advance(std::chrono::minutes(10));
  enqueue(*queue, "key-3", "{}");
  EXPECT_EQ(*queue->depth(), 3);
  EXPECT_EQ(*queue->pendingOlderThan(std::chrono::minutes(5)), 2);
  EXPECT_EQ(*queue->pendingOlderThan(std::chrono::minutes(15)), 1);
  EXPECT_EQ(*queue->pendingOlderThan(std::chrono::hours(1)), 0);
  ASSERT_TRUE(queue->markForwarded(second.local_id, "KB2").ok());  // out of order is allowed
  EXPECT_EQ(*queue->depth(), 2);
  EXPECT_EQ(*queue->pendingOlderThan(std::chrono::minutes(5)), 1);
}

TEST_F(SubmissionQueueTest, EverythingSurvivesCloseAndReopen) {
  QueuedSubmission first;
  QueuedSubmission second;
  {
    auto queue = open();
    ASSERT_NE(queue, nullptr);
    first = enqueue(*queue, "key-1", sampleBody(kName, kIdNumber, "1"));
    second = enqueue(*queue, "key-2", sampleBody(kName, kIdNumber, "2"));
    enqueue(*queue, "key-3", sampleBody(kName, kIdNumber, "3"));
    ASSERT_TRUE(queue->markForwarded(first.local_id, "KB1").ok());
    ASSERT_TRUE(queue
                    ->markAttemptFailed(second.local_id, Error::unavailable("down"),
                                        testStart() + std::chrono::seconds(5))
                    .ok());
  }
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(*queue->depth(), 2);
  Result<std::optional<PendingSubmission>> head = queue->nextPending();
  ASSERT_TRUE(head.ok() && head->has_value());
  EXPECT_EQ((*head)->local_id, second.local_id);
  EXPECT_EQ((*head)->body, sampleBody(kName, kIdNumber, "2"));
  EXPECT_EQ((*head)->attempts, 1);
  EXPECT_EQ(queue->find(first.local_id)->application_id, "KB1");

  // Sequences never go back, even after the rows before are purged.
  clock_.advance(std::chrono::hours(1));
  EXPECT_EQ(*queue->purgeSettledBefore(clock_.now()), 1);
  EXPECT_EQ(queue->find(first.local_id).error().code, ErrorCode::kNotFound);
  EXPECT_GT(enqueue(*queue, "key-4", "{}").sequence, second.sequence + 1);
}

TEST_F(SubmissionQueueTest, ABodyThatDoesNotOpenIsReportedAndKept) {
  QueuedSubmission queued;
  {
    auto queue = open();
    ASSERT_NE(queue, nullptr);
    queued = enqueue(*queue, "key-1", sampleBody(kName, kIdNumber, kPhone));
  }
  Result<crypto::KeyRing> other = crypto::KeyRing::parse(
      "key_id=1\nenc=" + std::string(64, 'a') + "\nmac=" + std::string(64, 'b') + "\n", "other");
  ASSERT_TRUE(other.ok()) << other.error();
  {
    auto queue = open(*other);
    ASSERT_NE(queue, nullptr);
    Result<std::optional<PendingSubmission>> head = queue->nextPending();
    ASSERT_FALSE(head.ok());
    EXPECT_EQ(head.error().code, ErrorCode::kCorrupt);
    EXPECT_TRUE(contains(head.error().message, queued.local_id)) << head.error().message;
    EXPECT_EQ(*queue->depth(), 1);
  }
  auto queue = open();  // the right key file again
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ((*queue->nextPending())->body, sampleBody(kName, kIdNumber, kPhone));
}

TEST_F(SubmissionQueueTest, QueueFilesAreReadableOnlyByTheOwner) {
  auto queue = open();
  ASSERT_NE(queue, nullptr);
  enqueue(*queue, "key-1", "{}");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    struct stat info {};
    ASSERT_EQ(::stat((path_.string() + suffix).c_str(), &info), 0) << suffix;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << suffix;
  }
}

TEST_F(SubmissionQueueTest, OtherFilesAreNotTakenForAQueue) {
  {
    sqlite3* db = nullptr;
    std::filesystem::create_directories(path_.parent_path());
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE users (name TEXT)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  Result<std::unique_ptr<SubmissionQueue>> other =
      SubmissionQueue::open(path_, crypto::PiiCipher(crypto::KeyRing::forTesting()), clock_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kCorrupt);

  const std::filesystem::path text = dir_.path() / "notes.txt";
  std::ofstream(text) << std::string(4096, 'n');
  Result<std::unique_ptr<SubmissionQueue>> garbage =
      SubmissionQueue::open(text, crypto::PiiCipher(crypto::KeyRing::forTesting()), clock_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, ErrorCode::kCorrupt) << garbage.error();
}

}  // namespace
}  // namespace kaiban::agent
