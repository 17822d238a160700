#include "core/crypto/hash.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace kaiban::crypto {
namespace {

using ::testing::HasSubstr;

const std::string kGenesis(64, '0');

// seq 1..count, each entry hashed onto the one before, starting from kGenesis.
std::vector<AuditEntry> makeChain(int count) {
  std::vector<AuditEntry> entries;
  std::string previous = kGenesis;
  for (int seq = 1; seq <= count; ++seq) {
    AuditEntry entry;
    entry.seq = seq;
    entry.canonical = R"({"seq":)" + std::to_string(seq) + R"(,"event":"step_done"})";
    entry.previous_hash = previous;
    entry.hash = AuditChain::entryHash(previous, entry.canonical);
    previous = entry.hash;
    entries.push_back(entry);
  }
  return entries;
}

// The message verifyChain gives, which must be a kCorrupt failure.
std::string brokenMessage(const std::vector<AuditEntry>& entries,
                          std::string_view genesis = kGenesis,
                          std::string_view expected_head = {}) {
  Result<void> verified = AuditChain::verifyChain(entries, genesis, expected_head);
  EXPECT_FALSE(verified.ok());
  if (verified.ok()) return {};
  EXPECT_EQ(verified.error().code, ErrorCode::kCorrupt);
  return verified.error().message;
}

TEST(HashTest, Sha256MatchesFips180Vectors) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HashTest, EntryHashIsSha256OfPreviousNewlineEntry) {
  // Python: sha256(b"0" * 64 + b"\n" + b'{"seq":1,"event":"submitted"}').hexdigest()
  EXPECT_EQ(AuditChain::entryHash(kGenesis, R"({"seq":1,"event":"submitted"})"),
            "f1af531b997fca47aee54fcb1189e6c3185fca8676e795761d3e9994be26decc");
  EXPECT_NE(AuditChain::entryHash("a", "bc"), AuditChain::entryHash("ab", "c"));
}

TEST(AuditChainTest, ACleanChainVerifies) {
  const std::vector<AuditEntry> entries = makeChain(60);
  EXPECT_TRUE(AuditChain::verifyChain(entries, kGenesis).ok());
  EXPECT_TRUE(AuditChain::verifyChain(entries, kGenesis, entries.back().hash).ok());
  EXPECT_TRUE(AuditChain::verifyChain({}, kGenesis).ok());
  EXPECT_TRUE(AuditChain::verifyChain({}, kGenesis, kGenesis).ok());
  // A tail verifies against the hash of the entry before it.
  const std::vector<AuditEntry> tail(entries.begin() + 40, entries.end());
  EXPECT_TRUE(AuditChain::verifyChain(tail, entries[39].hash).ok());
}

TEST(AuditChainTest, AnEditedEntryIsReportedAtItsSeq) {
  std::vector<AuditEntry> entries = makeChain(60);
  entries[41].canonical = R"({"seq":42,"event":"step_failed"})";
  const std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 42: "));
  EXPECT_THAT(message, HasSubstr("edited"));

  entries = makeChain(60);
  entries[41].hash = std::string(64, 'f');
  EXPECT_THAT(brokenMessage(entries), HasSubstr("audit log broken at entry 42: "));
}

TEST(AuditChainTest, AnEditedAndRehashedEntryBreaksTheLinkToTheNext) {
  std::vector<AuditEntry> entries = makeChain(60);
  entries[41].canonical = R"({"seq":42,"event":"step_failed"})";
  entries[41].hash = AuditChain::entryHash(entries[41].previous_hash, entries[41].canonical);
  const std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 43: "));
  EXPECT_THAT(message, HasSubstr("does not match the hash of entry 42"));
}

TEST(AuditChainTest, ADeletedEntryIsReportedAsMissing) {
  std::vector<AuditEntry> entries = makeChain(60);
  entries.erase(entries.begin() + 41);  // seq 42
  std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 42: entry 42 is missing"));

  entries = makeChain(60);
  entries.erase(entries.begin() + 41, entries.begin() + 44);  // seq 42, 43, 44
  message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 42: entries 42 to 44 are missing"));
}

TEST(AuditChainTest, DeletionWithRenumberingIsCaughtByTheHashLink) {
  // The attacker deletes seq 42 and renumbers the rest so seq stays consecutive.
  std::vector<AuditEntry> entries = makeChain(60);
  entries.erase(entries.begin() + 41);
  for (size_t i = 41; i < entries.size(); ++i) entries[i].seq -= 1;
  EXPECT_THAT(brokenMessage(entries), HasSubstr("audit log broken at entry 42: "));
}

TEST(AuditChainTest, DeletingTheFirstEntryIsCaughtByTheGenesisHash) {
  std::vector<AuditEntry> entries = makeChain(10);
  entries.erase(entries.begin());
  const std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 2: "));
  EXPECT_THAT(message, HasSubstr("genesis"));
  EXPECT_THAT(brokenMessage(makeChain(3), std::string(64, '1')),
              HasSubstr("audit log broken at entry 1: "));
}

TEST(AuditChainTest, DeletingTheTailIsCaughtOnlyWithTheRecordedHead) {
  const std::vector<AuditEntry> full = makeChain(60);
  const std::vector<AuditEntry> cut(full.begin(), full.begin() + 55);
  EXPECT_TRUE(AuditChain::verifyChain(cut, kGenesis).ok());
  const std::string message = brokenMessage(cut, kGenesis, full.back().hash);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 56: the log ends at entry 55"));
  EXPECT_THAT(brokenMessage({}, kGenesis, full.back().hash),
              HasSubstr("audit log broken at entry 1: the log is empty"));
}

TEST(AuditChainTest, AReorderedPairIsReportedAtTheFirstMisplacedSeq) {
  std::vector<AuditEntry> entries = makeChain(60);
  std::swap(entries[41], entries[42]);  // stored order ... 41, 43, 42, 44 ...
  const std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 42: out of order"));
  EXPECT_THAT(message, HasSubstr("entry 43 is stored before it"));
}

TEST(AuditChainTest, SwappedContentUnderUnchangedSeqsIsDetected) {
  // A store that reads entries sorted by seq: the attacker swaps two rows' content instead.
  std::vector<AuditEntry> entries = makeChain(60);
  std::swap(entries[41].canonical, entries[42].canonical);
  std::swap(entries[41].previous_hash, entries[42].previous_hash);
  std::swap(entries[41].hash, entries[42].hash);
  EXPECT_THAT(brokenMessage(entries), HasSubstr("audit log broken at entry 42: "));
}

TEST(AuditChainTest, ARepeatedEntryIsDetected) {
  std::vector<AuditEntry> entries = makeChain(60);
  entries.insert(entries.begin() + 42, entries[41]);  // ... 41, 42, 42, 43 ...
  const std::string message = brokenMessage(entries);
  EXPECT_THAT(message, HasSubstr("audit log broken at entry 43: entry 42 appears after entry 42"));
}

TEST(AuditChainTest, ExtremeSeqDoesNotOverflow) {
  std::vector<AuditEntry> entries = makeChain(2);
  entries[0].seq = std::numeric_limits<int64_t>::max();
  EXPECT_THAT(brokenMessage(entries), HasSubstr("largest possible seq"));
}

}  // namespace
}  // namespace kaiban::crypto
