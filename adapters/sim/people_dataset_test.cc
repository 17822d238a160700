#include "adapters/sim/people_dataset.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/testing/test_env.h"

namespace kaiban::sim {
namespace {

constexpr CivilDate kToday{2026, 3, 2};

TEST(PeopleDatasetTest, GeneratedPeopleAreValidAndConsistent) {
  const std::vector<SimPerson> people = generatePeople(kDefaultPeople);
  ASSERT_EQ(people.size(), static_cast<size_t>(kDefaultPeople));
  int men = 0;
  std::set<std::string> divisions;
  for (const SimPerson& person : people) {
    Result<IdNumber> id = IdNumber::parse(person.id_number, kToday);
    ASSERT_TRUE(id.ok()) << person.id_number << ": " << id.error();
    EXPECT_EQ(person.sex, id->sex() == Sex::kMale ? "male" : "female") << person.id_number;
    EXPECT_EQ(person.birth_date, id->birthDate().toString()) << person.id_number;
    EXPECT_TRUE(person.id_number.starts_with("3702")) << person.id_number;
    EXPECT_TRUE(person.address.starts_with("山东省青岛市")) << person.address;
    // Two or three characters of three bytes each.
    EXPECT_TRUE(person.name.size() == 6 || person.name.size() == 9) << person.name;
    men += person.sex == "male";
    divisions.insert(person.id_number.substr(0, 6));
  }
  EXPECT_GT(men, kDefaultPeople / 3);
  EXPECT_LT(men, kDefaultPeople * 2 / 3);
  EXPECT_EQ(divisions.size(), 10u);  // every Qingdao district appears
  EXPECT_EQ(people[0].id_number, "370202198503071235");
  EXPECT_EQ(people[0].name, "张伟");
}

TEST(PeopleDatasetTest, AddressIsInTheDistrictOfTheIdNumber) {
  const std::vector<std::pair<std::string_view, std::string_view>> districts = {
      {"370202", "市南区"}, {"370203", "市北区"}, {"370211", "黄岛区"}, {"370212", "崂山区"},
      {"370213", "李沧区"}, {"370214", "城阳区"}, {"370215", "即墨区"}, {"370281", "胶州市"},
      {"370283", "平度市"}, {"370285", "莱西市"}};
  for (const SimPerson& person : generatePeople(kDefaultPeople)) {
    bool matched = false;
    for (const auto& [code, name] : districts) {
      if (person.id_number.starts_with(code)) {
        matched = person.address.find(name) != std::string::npos;
      }
    }
    EXPECT_TRUE(matched) << person.id_number << " " << person.address;
  }
}

TEST(PeopleDatasetTest, GenerationIsDeterministic) {
  EXPECT_EQ(generatePeople(50), generatePeople(50));
  const std::vector<SimPerson> more = generatePeople(60);
  EXPECT_EQ(std::vector<SimPerson>(more.begin(), more.begin() + 50), generatePeople(50));
}

TEST(PeopleDatasetTest, CommittedCsvIsTheGeneratorsOutput) {
  const std::string committed =
      testing::readFile(testing::repoFile("adapters/sim/data/people.csv"));
  EXPECT_EQ(committed, toCsv(generatePeople(kDefaultPeople)))
      << "regenerate with: kaiban-sim --generate-people 300 > adapters/sim/data/people.csv";
  Result<std::vector<SimPerson>> parsed = parsePeopleCsv(committed, kToday);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->size(), static_cast<size_t>(kDefaultPeople));
}

TEST(PeopleDatasetTest, CsvRoundTrips) {
  const std::vector<SimPerson> people = generatePeople(20);
  Result<std::vector<SimPerson>> parsed = parsePeopleCsv(toCsv(people), kToday);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(*parsed, people);
}

TEST(PeopleDatasetTest, CsvWithABadRowIsRefusedNamingTheLine) {
  const std::string header = "id_number,name,sex,birth_date,address\n";
  const std::string good = "370202198503071235,张伟,male,1985-03-07,山东省青岛市市南区\n";
  const std::vector<std::string> bad_rows = {
      "370202198503071236,张伟,male,1985-03-07,山东省青岛市市南区\n",    // check character
      "370202198503071235,张伟,female,1985-03-07,山东省青岛市市南区\n",  // sex
      "370202198503071235,张伟,male,1985-03-08,山东省青岛市市南区\n",    // birth date
      "370202198503071235,张伟,male,1985-03-07\n",                       // fields
      "370202198503071235,,male,1985-03-07,山东省青岛市市南区\n",        // empty name
      good,                                                              // duplicate
  };
  for (const std::string& row : bad_rows) {
    Result<std::vector<SimPerson>> parsed = parsePeopleCsv(header + good + row, kToday);
    ASSERT_FALSE(parsed.ok()) << row;
    EXPECT_NE(parsed.error().message.find("line 3"), std::string::npos) << parsed.error();
  }
  EXPECT_FALSE(parsePeopleCsv("id,name\n" + good, kToday).ok());
  EXPECT_FALSE(parsePeopleCsv(header, kToday).ok());
}

TEST(PeopleDatasetTest, RegisterFindsByIdNumber) {
  PeopleRegister people(generatePeople(30));
  EXPECT_EQ(people.size(), 30u);
  ASSERT_TRUE(people.find("370212198811110040").has_value());
  EXPECT_EQ(people.find("370212198811110040")->name, "陈静");
  EXPECT_FALSE(people.find("110101199003070014").has_value());
  EXPECT_EQ(people.first(3).size(), 3u);
  EXPECT_EQ(people.first(100).size(), 30u);
}

}  // namespace
}  // namespace kaiban::sim
