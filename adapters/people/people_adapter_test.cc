#include "adapters/people/people_adapter.h"

#include <gtest/gtest.h>

#include "adapters/partner_codec/fake_partner_link.h"
#include "adapters/partner_codec/partner_test_support.h"

namespace kaiban::adapters {
namespace {

using testing::expectRefused;
using testing::expectRoundTrip;
using testing::idNumberFor;
using testing::replaced;
using testing::schemaDir;
using testing::withDoctype;
using testing::without;

PeopleCodec loadCodec() { return PeopleCodec::load(schemaDir()).value(); }

const std::string kIdNumber = idNumberFor("37020219850307123");

PersonRecord wangHai() {
  return PersonRecord{kIdNumber, "王海", "male", "1985-03-07", "山东省青岛市市南区香港中路 8 号"};
}

class PeopleCodecTest : public ::testing::Test {
 protected:
  PeopleCodec codec_ = loadCodec();
};

TEST_F(PeopleCodecTest, EveryDocumentRoundTrips) {
  expectRoundTrip(codec_, PersonQuery{"PQ-1", kIdNumber}, &PeopleCodec::decodePersonQuery);
  expectRoundTrip(codec_, LookupAnswer{PersonFound{"PQ-1", wangHai()}},
                  &PeopleCodec::decodeLookupAnswer);
  expectRoundTrip(codec_, LookupAnswer{PersonNotFound{"PQ-1", kIdNumber}},
                  &PeopleCodec::decodeLookupAnswer);
  testing::expectEnvelopeRoundTrips(codec_, Refusal{"QUERY_NOT_PERMITTED", "未获授权查询"}, false);
}

TEST_F(PeopleCodecTest, EncodeAndDecodeRefuseWhatTheSchemaForbids) {
  expectRefused(codec_.encode(PersonQuery{"PQ-1", "37020219850307123"}), "IdNumber");
  expectRefused(codec_.encode(PersonQuery{"PQ 1", kIdNumber}), "MessageId");
  PersonRecord person = wangHai();
  person.sex = "M";
  expectRefused(codec_.encode(LookupAnswer{PersonFound{"PQ-1", person}}), "Sex");
  person = wangHai();
  person.birth_date = "1985-02-30";
  expectRefused(codec_.encode(LookupAnswer{PersonFound{"PQ-1", person}}), "BirthDate");

  const std::string record = codec_.encode(LookupAnswer{PersonFound{"PQ-1", wangHai()}}).value();
  expectRefused(codec_.decodeLookupAnswer(without(record, "Name")), "Sex");
  expectRefused(codec_.decodeLookupAnswer(replaced(record, kIdNumber, "990202198503071235")),
                "IdNumber");
  expectRefused(codec_.decodeLookupAnswer(withDoctype(record)), "DOCTYPE");
  expectRefused(codec_.decodeLookupAnswer(codec_.encode(PersonQuery{"PQ-1", kIdNumber}).value()),
                "expected PersonRecord or NotFound");
}

class PeopleAdapterTest : public ::testing::Test {
 protected:
  // Answers each query with `answer(query)`.
  void answerQueries(std::function<LookupAnswer(const PersonQuery&)> answer) {
    link_.respond([this, answer](const FakePartnerLink::Call& call) -> Result<transport::Response> {
      const PersonQuery query = codec_.decodePersonQuery(call.body).value();
      return transport::Response{200, codec_.encode(answer(query)).value(), {}};
    });
  }

  PeopleCodec codec_ = loadCodec();
  FakePartnerLink link_;
  PeopleAdapter adapter_{codec_, link_};
};

TEST_F(PeopleAdapterTest, LookupReturnsWhatThePlatformKnows) {
  answerQueries([](const PersonQuery& query) {
    return LookupAnswer{PersonFound{query.message_id, wangHai()}};
  });

  Result<PersonRecord> person = adapter_.lookup(kIdNumber);

  ASSERT_TRUE(person.ok()) << person.error();
  EXPECT_EQ(person->name, "王海");
  EXPECT_EQ(person->sex, "male");
  EXPECT_EQ(person->birth_date, "1985-03-07");
  EXPECT_EQ(person->address, wangHai().address);
  const FakePartnerLink::Call call = link_.calls()[0];
  EXPECT_EQ(call.path, "/people/v1/lookup");
  EXPECT_EQ(codec_.decodePersonQuery(call.body)->message_id, call.message_id);
}

TEST_F(PeopleAdapterTest, LookupAsksWithACapitalCheckCharacter) {
  const std::string with_x = idNumberFor("11010519491231002");
  answerQueries([](const PersonQuery& query) {
    return LookupAnswer{PersonNotFound{query.message_id, query.id_number}};
  });

  std::string lower = with_x;
  lower.back() = 'x';
  Result<PersonRecord> person = adapter_.lookup(lower);

  ASSERT_FALSE(person.ok());
  EXPECT_EQ(person.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(codec_.decodePersonQuery(link_.calls()[0].body)->id_number, with_x);
}

TEST_F(PeopleAdapterTest, ARecordOfAnotherPersonIsCorrupt) {
  answerQueries([](const PersonQuery& query) {
    PersonRecord other = wangHai();
    other.id_number = idNumberFor("37021119900612456");
    return LookupAnswer{PersonFound{query.message_id, other}};
  });

  Result<PersonRecord> person = adapter_.lookup(kIdNumber);

  ASSERT_FALSE(person.ok());
  EXPECT_EQ(person.error().code, ErrorCode::kCorrupt);
}

TEST_F(PeopleAdapterTest, ErrorsMapLikeEverySynchronousExchange) {
  expectRefused(adapter_.lookup("3702021985"), "IdNumber");
  EXPECT_TRUE(link_.calls().empty());

  testing::expectSynchronousErrorMapping(
      link_, codec_, Refusal{"QUERY_NOT_PERMITTED", "未获授权查询"}, [this] {
        Result<PersonRecord> person = adapter_.lookup(kIdNumber);
        return person.ok() ? std::nullopt : std::optional<Error>(person.error());
      });

  // An answer to another query is not this query's answer.
  link_.answer(200, codec_.encode(LookupAnswer{PersonFound{"PQ-other", wangHai()}}).value());
  Result<PersonRecord> other = adapter_.lookup(kIdNumber);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kCorrupt);
}

// docs/partners/people.md shows one example of each document, as the encoder writes it.
TEST(PeopleDocsTest, ExamplesOnThePartnerPageAreWhatTheEncoderWrites) {
  const PeopleCodec codec = loadCodec();
  const MessageId id = "PQ-0c7e3a5b9d214f6e8a1b2c3d";
  testing::expectPageExamples(
      "people", {codec.encode(PersonQuery{id, kIdNumber}),
                 codec.encode(LookupAnswer{PersonFound{id, wangHai()}}),
                 codec.encode(LookupAnswer{PersonNotFound{id, kIdNumber}}),
                 codec.encode(Rejection{
                     id, Refusal{"QUERY_NOT_PERMITTED", "调用方未获授权查询该类人口信息。"}}),
                 codec.encode(ErrorReport{id,
                                          "document does not match people.xsd: line 4, element "
                                          "<IdNumber>: [facet 'pattern'] The value "
                                          "'3702021985' is not accepted"})});
}

}  // namespace
}  // namespace kaiban::adapters
