#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "core/timestamp.h"
#include "terminal-agent/devices/device_health.h"
#include "terminal-agent/devices/face_camera.h"
#include "terminal-agent/devices/id_card_json.h"
#include "terminal-agent/devices/receipt_printer.h"
#include "terminal-agent/devices/simulated_devices.h"
#include "tests/testing/test_env.h"

namespace kaiban::agent {
namespace {

using kaiban::testing::readFile;
using kaiban::testing::repoFile;
using kaiban::testing::TempDir;

constexpr CivilDate kToday{2026, 3, 2};

IdCardData card(std::string name, std::string id_number, std::string photo) {
  IdCardData data;
  data.name = std::move(name);
  data.id_number = std::move(id_number);
  data.photo_reference = std::move(photo);
  data.ethnicity = "汉";
  data.address = "山东省青岛市市南区香港中路8号";
  data.issuing_authority = "青岛市公安局市南分局";
  data.valid_from = {2016, 3, 1};
  data.valid_until = CivilDate{2036, 3, 1};
  return data;
}

Receipt receipt(std::string number) {
  Receipt r;
  r.application_number = std::move(number);
  r.qr_payload = "https://kaiban.example.cn/s/" + r.application_number;
  r.lines = {{"青岛海蓝科技有限公司", "Qingdao Hailan Technology Co., Ltd."},
             {"三个工作日内办结", "Done within three working days"}};
  r.issued_at = shanghaiTime(2026, 3, 2, 10, 15, 0);
  return r;
}

Poco::JSON::Object::Ptr parseObject(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

// --- health ---

TEST(DeviceHealthTest, StatusNamesRoundTripAndUnknownNamesAreRefused) {
  for (DeviceStatus status : {DeviceStatus::kOk, DeviceStatus::kDegraded, DeviceStatus::kOffline}) {
    Result<DeviceStatus> parsed = parseDeviceStatus(toString(status));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, status);
  }
  Result<DeviceStatus> bad = parseDeviceStatus("broken");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidInput);
}

TEST(DeviceHealthTest, WorstStatusIsOfflineOverDegradedOverOk) {
  std::vector<DeviceHealth> devices = {{"a", DeviceStatus::kOk, ""},
                                       {"b", DeviceStatus::kDegraded, "paper low"}};
  EXPECT_EQ(worstStatus(devices), DeviceStatus::kDegraded);
  devices.push_back({"c", DeviceStatus::kOffline, "unplugged"});
  EXPECT_EQ(worstStatus(devices), DeviceStatus::kOffline);
  EXPECT_EQ(worstStatus({}), DeviceStatus::kOk);
}

TEST(DeviceHealthTest, JsonCarriesDeviceStatusAndDetail) {
  const std::vector<DeviceHealth> devices = {
      {std::string(kReceiptPrinterDevice), DeviceStatus::kDegraded, "paper low"}};
  std::ostringstream out;
  toJson(devices)->stringify(out);
  EXPECT_EQ(out.str(),
            R"([{"device":"receipt_printer","status":"degraded","detail":"paper low"}])");
}

// --- ID-card reader ---

TEST(SimulatedIdCardReaderTest, EmptySlotIsNotFoundAndInsertedCardReadsUntilRemoved) {
  SimulatedIdCardReader reader;
  Result<IdCardData> empty = reader.read();
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(reader.cardPresent());

  const IdCardData inserted = card("王海蓝", "370202198805123010", "photo-1");
  reader.insert(inserted);
  EXPECT_TRUE(reader.cardPresent());
  for (int i = 0; i < 2; ++i) {  // the card stays in the slot
    Result<IdCardData> read = reader.read();
    ASSERT_TRUE(read.ok()) << read.error();
    EXPECT_EQ(*read, inserted);
  }
  reader.remove();
  Result<IdCardData> removed = reader.read();
  ASSERT_FALSE(removed.ok());
  EXPECT_EQ(removed.error().code, ErrorCode::kNotFound);
}

TEST(SimulatedIdCardReaderTest, OfflineReaderFailsUnavailableAndReportsWhy) {
  SimulatedIdCardReader reader;
  reader.insert(card("王海蓝", "370202198805123010", "photo-1"));
  reader.setStatus(DeviceStatus::kOffline, "USB device not found");
  Result<IdCardData> read = reader.read();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(read.error().message.find("USB device not found"), std::string::npos);
  EXPECT_EQ(reader.health(),
            (DeviceHealth{"id_card_reader", DeviceStatus::kOffline, "USB device not found"}));

  reader.setStatus(DeviceStatus::kDegraded, "slow reads");
  EXPECT_TRUE(reader.read().ok());  // degraded still works
  EXPECT_EQ(reader.health().status, DeviceStatus::kDegraded);
}

TEST(SimulatedIdCardReaderTest, UnreadableChipIsCorruptUntilTheCardIsReinserted) {
  SimulatedIdCardReader reader;
  const IdCardData inserted = card("王海蓝", "370202198805123010", "photo-1");
  reader.insert(inserted);
  reader.setUnreadable();
  Result<IdCardData> read = reader.read();
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::kCorrupt);
  reader.insert(inserted);
  EXPECT_TRUE(reader.read().ok());
}

TEST(SimulatedIdCardReaderTest, DeckCardsAreInsertedByPositionOrIdNumber) {
  SimulatedIdCardReader reader(
      {card("王海蓝", "370202198805123010", "p1"), card("李晓雯", "370203199208174523", "p2")});
  ASSERT_TRUE(reader.insertFromDeck(1).ok());
  EXPECT_EQ(reader.read()->name, "李晓雯");
  ASSERT_TRUE(reader.insertFromDeck(std::string_view("370202198805123010")).ok());
  EXPECT_EQ(reader.read()->name, "王海蓝");

  Result<void> missing_index = reader.insertFromDeck(2);
  ASSERT_FALSE(missing_index.ok());
  EXPECT_EQ(missing_index.error().code, ErrorCode::kNotFound);
  Result<void> missing_id = reader.insertFromDeck(std::string_view("11010519750203007X"));
  ASSERT_FALSE(missing_id.ok());
  EXPECT_EQ(missing_id.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(reader.read()->name, "王海蓝");  // a failed insert leaves the slot alone
}

TEST(SimulatedIdCardReaderTest, AutoInsertPresentsTheDeckRoundRobin) {
  SimulatedIdCardReader reader(
      {card("王海蓝", "370202198805123010", "p1"), card("李晓雯", "370203199208174523", "p2")},
      {.auto_insert = true});
  std::vector<std::string> names;
  for (int i = 0; i < 3; ++i) {
    Result<IdCardData> read = reader.read();
    ASSERT_TRUE(read.ok()) << read.error();
    names.push_back(read->name);
    EXPECT_EQ(reader.read()->name, read->name);  // stays until removed
    reader.remove();
  }
  EXPECT_EQ(names, (std::vector<std::string>{"王海蓝", "李晓雯", "王海蓝"}));
}

TEST(IdCardDataTest, ValidityIncludesBothEndsAndLongTermHasNoEnd) {
  IdCardData data = card("王海蓝", "370202198805123010", "p1");
  EXPECT_FALSE(data.validOn({2016, 2, 29}));
  EXPECT_TRUE(data.validOn({2016, 3, 1}));
  EXPECT_TRUE(data.validOn({2036, 3, 1}));
  EXPECT_FALSE(data.validOn({2036, 3, 2}));
  data.valid_until.reset();
  EXPECT_TRUE(data.validOn({2099, 12, 31}));
}

TEST(IdCardDataTest, LogDescriptionMasksTheIdNumberAndOmitsEverythingElse) {
  const IdCardData data = card("王海蓝", "370202198805123010", "photo-secret-handle");
  const std::string text = data.describeForLog();
  EXPECT_EQ(text, "card 3702**********3010");
  EXPECT_EQ(text.find("王海蓝"), std::string::npos);
  EXPECT_EQ(text.find("photo"), std::string::npos);
}

// --- card files ---

TEST(SimulatedCardsTest, TheShippedDeckLoadsAndDerivesMissingSexAndBirthDate) {
  Result<std::vector<IdCardData>> deck =
      loadSimulatedCards(repoFile("terminal-agent/devices/sim_cards.json"), kToday);
  ASSERT_TRUE(deck.ok()) << deck.error();
  ASSERT_EQ(deck->size(), 5u);
  const IdCardData& zhao = (*deck)[2];  // written without sex and birth_date
  EXPECT_EQ(zhao.name, "赵建国");
  EXPECT_EQ(zhao.sex, Sex::kMale);
  EXPECT_EQ(zhao.birth_date, (CivilDate{1975, 2, 3}));
  EXPECT_EQ(zhao.id_number, "11010519750203007X");
  EXPECT_FALSE((*deck)[4].valid_until.has_value());  // "long_term"
  EXPECT_EQ((*deck)[1].sex, Sex::kFemale);
  std::set<std::string> photos;
  for (const IdCardData& c : *deck) photos.insert(c.photo_reference);
  EXPECT_EQ(photos.size(), deck->size());
}

TEST(SimulatedCardsTest, JsonRoundTripsACard) {
  Result<std::vector<IdCardData>> deck =
      loadSimulatedCards(repoFile("terminal-agent/devices/sim_cards.json"), kToday);
  ASSERT_TRUE(deck.ok()) << deck.error();
  for (const IdCardData& original : *deck) {
    std::ostringstream text;
    toJson(original)->stringify(text);
    Result<IdCardData> back = idCardFromJson(*parseObject(text.str()), kToday);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, original);
  }
}

TEST(SimulatedCardsTest, MissingPhotoReferencesGetPositionalHandles) {
  Result<std::vector<IdCardData>> deck = parseSimulatedCards(R"({"cards": [
      {"name": "王海蓝", "ethnicity": "汉", "address": "青岛", "id_number": "370202198805123010",
       "issuing_authority": "青岛市公安局", "valid_from": "2016-03-01", "valid_until": "2036-03-01"},
      {"name": "李晓雯", "ethnicity": "汉", "address": "青岛", "id_number": "370203199208174523",
       "issuing_authority": "青岛市公安局", "valid_from": "2019-09-20", "valid_until": "long_term"}
      ]})",
                                                             "inline", kToday);
  ASSERT_TRUE(deck.ok()) << deck.error();
  EXPECT_EQ((*deck)[0].photo_reference, "sim-photo-1");
  EXPECT_EQ((*deck)[1].photo_reference, "sim-photo-2");
}

struct BadCard {
  std::string member;  // a member the good card lacks, spliced into it
  std::string field;
};

class SimulatedCardsBadInputTest : public ::testing::TestWithParam<BadCard> {};

TEST_P(SimulatedCardsBadInputTest, IsRefusedNamingTheField) {
  const std::string text = R"({"cards": [{)" + GetParam().member +
                           R"("name": "王海蓝", "ethnicity": "汉", "address": "青岛",
      "id_number": "370202198805123010", "issuing_authority": "青岛市公安局",
      "valid_from": "2016-03-01", "valid_until": "2036-03-01"}]})";
  Result<std::vector<IdCardData>> deck = parseSimulatedCards(text, "deck.json", kToday);
  ASSERT_FALSE(deck.ok());
  EXPECT_EQ(deck.error().code, ErrorCode::kInvalidInput);
  EXPECT_EQ(deck.error().field, GetParam().field);
  EXPECT_NE(deck.error().message.find("deck.json"), std::string::npos) << deck.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cards, SimulatedCardsBadInputTest,
    ::testing::Values(BadCard{R"("nickname": "x", )", "cards[0].nickname"},
                      BadCard{R"("sex": "female", )", "cards[0].sex"},
                      BadCard{R"("sex": "m", )", "cards[0].sex"},
                      BadCard{R"("birth_date": "1988-05-13", )", "cards[0].birth_date"},
                      BadCard{R"("photo_reference": 7, )", "cards[0].photo_reference"},
                      BadCard{R"("photo_reference": "", )", "cards[0].photo_reference"}));

TEST(SimulatedCardsTest, BadMembersOfAnOtherwiseGoodCardAreRefused) {
  auto cardWith = [](const std::string& id, const std::string& from, const std::string& until) {
    return R"({"cards": [{"name": "王海蓝", "ethnicity": "汉", "address": "青岛", "id_number": ")" +
           id + R"(", "issuing_authority": "青岛市公安局", "valid_from": ")" + from +
           R"(", "valid_until": ")" + until + R"("}]})";
  };
  struct Case {
    std::string text;
    std::string field;
  };
  const std::vector<Case> cases = {
      {cardWith("370202198805123011", "2016-03-01", "2036-03-01"), "cards[0].id_number"},
      {cardWith("370202198805123010", "2016-13-01", "2036-03-01"), "cards[0].valid_from"},
      {cardWith("370202198805123010", "2016-03-01", "forever"), "cards[0].valid_until"},
      {cardWith("370202198805123010", "2016-03-01", "2015-03-01"), "cards[0].valid_until"},
      {R"({"cards": [{"ethnicity": "汉"}]})", "cards[0].name"},
      {R"({"cards": []})", "cards"},
      {R"({"cards": [1]})", "cards[0]"},
      {R"({"deck": []})", "deck"},
  };
  for (const Case& c : cases) {
    Result<std::vector<IdCardData>> deck = parseSimulatedCards(c.text, "deck.json", kToday);
    ASSERT_FALSE(deck.ok()) << c.text;
    EXPECT_EQ(deck.error().field, c.field) << c.text << " -> " << deck.error();
  }
  Result<std::vector<IdCardData>> not_json = parseSimulatedCards("{", "deck.json", kToday);
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().code, ErrorCode::kInvalidInput);
}

TEST(SimulatedCardsTest, DuplicateIdNumbersAreRefused) {
  const std::string one = R"({"name": "王海蓝", "ethnicity": "汉", "address": "青岛",
      "id_number": "370202198805123010", "issuing_authority": "青岛市公安局",
      "valid_from": "2016-03-01", "valid_until": "2036-03-01"})";
  Result<std::vector<IdCardData>> deck =
      parseSimulatedCards(R"({"cards": [)" + one + "," + one + "]}", "deck.json", kToday);
  ASSERT_FALSE(deck.ok());
  EXPECT_EQ(deck.error().field, "cards[1].id_number");
}

TEST(SimulatedCardsTest, MissingFileIsNotFound) {
  TempDir dir;
  Result<std::vector<IdCardData>> deck = loadSimulatedCards(dir.path() / "none.json", kToday);
  ASSERT_FALSE(deck.ok());
  EXPECT_EQ(deck.error().code, ErrorCode::kNotFound);
}

// --- face camera ---

TEST(FaceCheckTest, MatchNeedsLivenessAndTheThreshold) {
  EXPECT_TRUE(decideFaceCheck(true, 0.80, 0.80, "r").matched);
  EXPECT_FALSE(decideFaceCheck(true, 0.7999, 0.80, "r").matched);
  EXPECT_FALSE(decideFaceCheck(false, 1.0, 0.80, "r").matched);
  EXPECT_THROW(decideFaceCheck(true, 1.5, 0.8, "r"), std::invalid_argument);
  EXPECT_THROW(decideFaceCheck(true, 0.5, -0.1, "r"), std::invalid_argument);
}

TEST(SimulatedFaceCameraTest, DefaultResultMatchesWithAFreshReferenceEachTime) {
  SimulatedFaceCamera camera;
  Result<FaceCheck> first = camera.verify("photo-1");
  Result<FaceCheck> second = camera.verify("photo-2");
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(second.ok()) << second.error();
  EXPECT_TRUE(first->matched);
  EXPECT_TRUE(first->liveness_passed);
  EXPECT_DOUBLE_EQ(first->threshold, kDefaultFaceMatchThreshold);
  EXPECT_EQ(first->check_reference.rfind("fc-", 0), 0u);
  EXPECT_EQ(first->check_reference.size(), 19u);
  EXPECT_NE(first->check_reference, second->check_reference);
  EXPECT_EQ(camera.requestedPhotoReferences(), (std::vector<std::string>{"photo-1", "photo-2"}));
}

TEST(SimulatedFaceCameraTest, ScriptedResultsAreUsedInOrderThenTheDefault) {
  SimulatedFaceCamera camera(0.9);
  camera.setNextResult({.live = false, .score = 0.99});
  camera.setNextResult({.live = true, .score = 0.85});
  camera.setNextError(Error::timeout("no face in front of the camera"));
  camera.setDefaultResult({.live = true, .score = 0.91});

  Result<FaceCheck> spoof = camera.verify("p");
  ASSERT_TRUE(spoof.ok());
  EXPECT_FALSE(spoof->liveness_passed);
  EXPECT_FALSE(spoof->matched);
  Result<FaceCheck> low = camera.verify("p");
  ASSERT_TRUE(low.ok());
  EXPECT_DOUBLE_EQ(low->match_score, 0.85);
  EXPECT_FALSE(low->matched);
  Result<FaceCheck> timeout = camera.verify("p");
  ASSERT_FALSE(timeout.ok());
  EXPECT_EQ(timeout.error().code, ErrorCode::kTimeout);
  Result<FaceCheck> fallback = camera.verify("p");
  ASSERT_TRUE(fallback.ok());
  EXPECT_TRUE(fallback->matched);
  EXPECT_DOUBLE_EQ(fallback->match_score, 0.91);
}

TEST(SimulatedFaceCameraTest, EmptyPhotoReferenceIsRefusedWithoutConsumingTheScript) {
  SimulatedFaceCamera camera;
  camera.setNextResult({.live = true, .score = 0.1});
  Result<FaceCheck> empty = camera.verify("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidInput);
  Result<FaceCheck> next = camera.verify("p");
  ASSERT_TRUE(next.ok());
  EXPECT_DOUBLE_EQ(next->match_score, 0.1);
}

TEST(SimulatedFaceCameraTest, OfflineCameraFailsUnavailable) {
  SimulatedFaceCamera camera;
  camera.setStatus(DeviceStatus::kOffline, "lens cover closed");
  Result<FaceCheck> check = camera.verify("p");
  ASSERT_FALSE(check.ok());
  EXPECT_EQ(check.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(camera.health(),
            (DeviceHealth{"face_camera", DeviceStatus::kOffline, "lens cover closed"}));
  EXPECT_THROW(camera.setNextResult({.live = true, .score = 2}), std::invalid_argument);
  EXPECT_THROW(SimulatedFaceCamera(1.2), std::invalid_argument);
}

// --- receipts ---

TEST(ReceiptTest, ValidationNamesTheBadPart) {
  EXPECT_TRUE(validateReceipt(receipt("KB8F3K2M7Q")).ok());
  struct Case {
    Receipt receipt;
    std::string field;
  };
  std::vector<Case> cases;
  cases.push_back({receipt(""), "application_number"});
  cases.push_back({receipt("KB 8F3"), "application_number"});
  cases.push_back({receipt(std::string(65, 'A')), "application_number"});
  Receipt no_qr = receipt("KB1");
  no_qr.qr_payload.clear();
  cases.push_back({no_qr, "qr_payload"});
  Receipt spaced_qr = receipt("KB1");
  spaced_qr.qr_payload = "https://x/ y";
  cases.push_back({spaced_qr, "qr_payload"});
  Receipt long_qr = receipt("KB1");
  long_qr.qr_payload = std::string(513, 'a');
  cases.push_back({long_qr, "qr_payload"});
  Receipt control = receipt("KB1");
  control.lines[1].en = "line\nbreak";
  cases.push_back({control, "lines[1].en"});
  Receipt bad_utf8 = receipt("KB1");
  bad_utf8.lines[0].zh = "\xe4\xb8";
  cases.push_back({bad_utf8, "lines[0].zh"});
  Receipt too_many = receipt("KB1");
  too_many.lines.resize(41);
  cases.push_back({too_many, "lines"});
  for (const Case& c : cases) {
    Result<void> valid = validateReceipt(c.receipt);
    ASSERT_FALSE(valid.ok()) << c.field;
    EXPECT_EQ(valid.error().code, ErrorCode::kInvalidInput);
    EXPECT_EQ(valid.error().field, c.field);
  }
}

TEST(ReceiptTest, TextHasTheNumberBothLanguagesTheTimeAndTheStatusUrl) {
  const std::string text = formatReceiptText(receipt("KB8F3K2M7Q"));
  for (const char* expected :
       {"KB8F3K2M7Q", "青岛海蓝科技有限公司\nQingdao Hailan Technology Co., Ltd.\n",
        "2026-03-02T10:15:00+08:00", "https://kaiban.example.cn/s/KB8F3K2M7Q"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
}

TEST(SimulatedReceiptPrinterTest, KeepsReceiptsAndWritesEachAsATextFile) {
  TempDir dir;
  SimulatedReceiptPrinter printer(dir.path() / "receipts");
  ASSERT_TRUE(printer.print(receipt("KB1")).ok());
  ASSERT_TRUE(printer.print(receipt("KB2")).ok());
  EXPECT_EQ(printer.printed(), (std::vector<Receipt>{receipt("KB1"), receipt("KB2")}));
  const std::vector<std::filesystem::path> files = printer.files();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].filename(), "receipt-0001-KB1.txt");
  EXPECT_EQ(files[1].filename(), "receipt-0002-KB2.txt");
  EXPECT_EQ(readFile(files[1]), formatReceiptText(receipt("KB2")));
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "receipts")) {
    EXPECT_EQ(entry.path().extension(), ".txt");  // no partial files left behind
    ++entries;
  }
  EXPECT_EQ(entries, 2u);
}

TEST(SimulatedReceiptPrinterTest, InvalidOrOfflinePrintsNothing) {
  SimulatedReceiptPrinter printer;
  Result<void> invalid = printer.print(receipt(""));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code, ErrorCode::kInvalidInput);
  printer.setStatus(DeviceStatus::kOffline, "paper out");
  Result<void> offline = printer.print(receipt("KB1"));
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(offline.error().message.find("paper out"), std::string::npos);
  EXPECT_TRUE(printer.printed().empty());
  printer.setStatus(DeviceStatus::kOk);
  EXPECT_TRUE(printer.print(receipt("KB1")).ok());
  EXPECT_EQ(printer.printed().size(), 1u);
}

TEST(SimulatedReceiptPrinterTest, UnwritableDirectoryIsUnavailable) {
  TempDir dir;
  const std::filesystem::path blocker = dir.path() / "not-a-dir";
  std::ofstream(blocker) << "x";
  SimulatedReceiptPrinter printer(blocker);
  Result<void> printed = printer.print(receipt("KB1"));
  ASSERT_FALSE(printed.ok());
  EXPECT_EQ(printed.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(printer.printed().empty());
}

}  // namespace
}  // namespace kaiban::agent
