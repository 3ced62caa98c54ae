#include "plan/fragment.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "pgdeploy/version.hpp"
#include "support/pgbouncer_grammar.hpp"

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- golden files --------------------------------------------------------------------------

// The golden file NAME, byte for byte, with @VERSION@ replaced by the project's version.
std::string golden(const std::string& name) {
  const std::string path = std::string(PGDEPLOY_GOLDEN_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read golden file " + path);
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string placeholder = "@VERSION@";
  const auto at = text.find(placeholder);
  if (at == std::string::npos || text.find(placeholder, at + 1) != std::string::npos) {
    throw std::runtime_error(path + " must hold " + placeholder + " exactly once");
  }
  return text.replace(at, placeholder.size(), version);
}

// ---- PgBouncer 1.18's reading of a [databases] fragment --------------------------------------

// One database line as PgBouncer 1.18 reads it.
struct DatabaseLine {
  std::string name;
  std::map<std::string, std::string> parameters;
};

// Reads TEXT with the independent PgBouncer 1.18 grammar checker (pgbouncer_grammar.hpp) and
// fails the test on anything it rejects. Lines come back in the order of the file.
std::vector<DatabaseLine> read_as_pgbouncer(const std::string& text) {
  const grammar::FragmentResult result = grammar::check_fragment(text);
  const auto* parsed = std::get_if<grammar::ParsedFragment>(&result);
  if (parsed == nullptr) {
    ADD_FAILURE() << grammar::describe(result) << "\n" << text;
    return {};
  }
  std::vector<DatabaseLine> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const std::string key = line.substr(0, line.find_first_of(" ="));
    if (const auto entry = parsed->entries.find(key); entry != parsed->entries.end()) {
      lines.push_back({key, entry->second});
    }
  }
  return lines;
}

// ---- fixtures ------------------------------------------------------------------------------

FragmentInput basic_input() {
  return {"main",
          1,
          "node1",
          {"10.0.0.11", 5432},
          {1, "0/3000148", "7301234567890123456"},
          {"reporting", "app", "postgres"},
          ""};
}

std::vector<std::string> names_of(const std::vector<DatabaseLine>& lines) {
  std::vector<std::string> names;
  for (const auto& line : lines) {
    names.push_back(line.name);
  }
  return names;
}

// ---- render_fragment against golden files ----------------------------------------------------

TEST(RenderFragment, MatchesGoldenForThreeDatabases) {
  EXPECT_EQ(render_fragment(basic_input()), golden("basic.ini"));
}

TEST(RenderFragment, MatchesGoldenWithQuotedApplicationName) {
  const FragmentInput input{"prod",
                            3,
                            "pg-3",
                            {"db-primary.example.com", 5433},
                            {12, "2A/FF0000D8", "7301234567890123456"},
                            {"crm", "billing"},
                            "billing app's"};
  EXPECT_EQ(render_fragment(input), golden("application_name.ini"));
}

TEST(RenderFragment, MatchesGoldenLeavingOutNamesPgBouncerCannotRoute) {
  const FragmentInput input{"main",
                            2,
                            "node2\n[pgbouncer]",
                            {"10.0.0.12", 5432},
                            {2, "0/5000060\n[pgbouncer]", "7301234567890123456"},
                            {"app", "evil\n* = host=attacker", "pgbouncer", std::string(64, 'x'),
                             std::string(63, 'y'), "my db", "*", "caf\xc3\xa9", "a;b"},
                            ""};
  EXPECT_EQ(render_fragment(input), golden("filtered.ini"));
}

TEST(RenderFragment, MatchesGoldenWithoutDatabases) {
  FragmentInput input = basic_input();
  input.databases.clear();
  EXPECT_EQ(render_fragment(input), golden("no_databases.ini"));
}

TEST(RenderFragment, GoldenFilesAreWhatPgBouncerAccepts) {
  for (const char* name :
       {"basic.ini", "application_name.ini", "filtered.ini", "no_databases.ini"}) {
    SCOPED_TRACE(name);
    read_as_pgbouncer(golden(name));
  }
}

// ---- what PgBouncer reads back --------------------------------------------------------------

TEST(RenderFragment, EveryDatabaseRoutesToTheTargetUnderItsOwnName) {
  const auto lines = read_as_pgbouncer(render_fragment(basic_input()));
  ASSERT_EQ(lines.size(), 3U);
  for (const auto& line : lines) {
    EXPECT_EQ(line.parameters,
              (std::map<std::string, std::string>{
                  {"host", "10.0.0.11"}, {"port", "5432"}, {"dbname", line.name}}));
  }
}

TEST(RenderFragment, ApplicationNameReadsBackUnchanged) {
  FragmentInput input = basic_input();
  input.application_name = "it's a 'quoted' = app; # name";
  for (const auto& line : read_as_pgbouncer(render_fragment(input))) {
    EXPECT_EQ(line.parameters.at("application_name"), input.application_name);
  }
}

TEST(RenderFragment, HostNeedingQuotesReadsBackUnchanged) {
  FragmentInput input = basic_input();
  input.target.host = "db one";
  for (const auto& line : read_as_pgbouncer(render_fragment(input))) {
    EXPECT_EQ(line.parameters.at("host"), "db one");
  }
}

TEST(RenderFragment, WritesIpv6HostUnquoted) {
  FragmentInput input = basic_input();
  input.target = {"fd00::11", 6543};
  EXPECT_THAT(render_fragment(input), HasSubstr("app = host=fd00::11 port=6543 dbname=app\n"));
}

TEST(RenderFragment, HostileNamesNeverReachALine) {
  FragmentInput input = basic_input();
  input.databases = {"evil\n* = host=attacker", "x = host=attacker", "pgbouncer", "*", "a b"};
  const std::string text = render_fragment(input);
  EXPECT_TRUE(read_as_pgbouncer(text).empty());
  EXPECT_THAT(text, Not(HasSubstr("attacker")));
}

TEST(RenderFragment, HeaderControlCharactersCannotStartALine) {
  FragmentInput input = basic_input();
  input.cluster = "main\n* = host=attacker";
  input.primary_name = "n\r\n[pgbouncer]";
  const std::string text = render_fragment(input);
  EXPECT_EQ(names_of(read_as_pgbouncer(text)),
            (std::vector<std::string>{"app", "postgres", "reporting"}));
  EXPECT_THAT(text, HasSubstr("cluster main?* = host=attacker."));
  EXPECT_THAT(text, HasSubstr("(n??[pgbouncer])"));
}

TEST(RenderFragment, HeaderNamesVersionClusterAndPrimary) {
  const std::string text = render_fragment(basic_input());
  EXPECT_THAT(text, HasSubstr(std::string("pgdeploy ") + version + " "));
  EXPECT_THAT(text, HasSubstr("; Primary: node 1 (node1) at 10.0.0.11:5432\n"));
}

// ---- determinism ---------------------------------------------------------------------------

TEST(RenderFragment, SameInputGivesSameBytes) {
  EXPECT_EQ(render_fragment(basic_input()), render_fragment(basic_input()));
}

TEST(RenderFragment, SortsDatabasesWhateverTheInputOrder) {
  FragmentInput shuffled = basic_input();
  shuffled.databases = {"postgres", "reporting", "app"};
  EXPECT_EQ(render_fragment(shuffled), render_fragment(basic_input()));
  EXPECT_EQ(names_of(read_as_pgbouncer(render_fragment(shuffled))),
            (std::vector<std::string>{"app", "postgres", "reporting"}));
}

TEST(RenderFragment, SortsByteWise) {
  FragmentInput input = basic_input();
  input.databases = {"b", "B", "a", "_x", "1"};
  EXPECT_EQ(names_of(read_as_pgbouncer(render_fragment(input))),
            (std::vector<std::string>{"1", "B", "_x", "a", "b"}));
}

TEST(RenderFragment, WritesDuplicatesOnce) {
  FragmentInput input = basic_input();
  input.databases = {"app", "postgres", "app", "reporting", "postgres"};
  EXPECT_EQ(render_fragment(input), render_fragment(basic_input()));
}

// ---- invalid input -------------------------------------------------------------------------

TEST(RenderFragment, RejectsEmptyHost) {
  FragmentInput input = basic_input();
  input.target.host = "";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
}

TEST(RenderFragment, RejectsHostWithControlCharacter) {
  FragmentInput input = basic_input();
  input.target.host = "db1\n* = host=attacker";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
  input.target.host = "db1\tx";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
}

TEST(RenderFragment, RejectsApplicationNameWithControlCharacter) {
  FragmentInput input = basic_input();
  input.application_name = "app\nname";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
  input.application_name = "app\tname";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
}

TEST(RenderFragment, RejectsBadHostEvenWithoutDatabases) {
  FragmentInput input = basic_input();
  input.databases.clear();
  input.target.host = "";
  EXPECT_THROW(render_fragment(input), std::invalid_argument);
}

TEST(RenderFragment, EmptyApplicationNameWritesNoParameter) {
  EXPECT_THAT(render_fragment(basic_input()), Not(HasSubstr("application_name")));
}

// ---- application_name as PostgreSQL keeps it -------------------------------------------------

std::string application_name_read_back(const std::string& application_name) {
  FragmentInput input = basic_input();
  input.application_name = application_name;
  const auto lines = read_as_pgbouncer(render_fragment(input));
  return lines.empty() ? "" : lines.front().parameters.at("application_name");
}

TEST(RenderFragment, ApplicationNameOf63BytesIsKeptWhole) {
  const std::string name(63, 'a');
  EXPECT_EQ(application_name_read_back(name), name);
  EXPECT_EQ(application_name_cut(name), std::nullopt);
}

TEST(RenderFragment, LongApplicationNameIsCutTo63Bytes) {
  const std::string name = "billing app's " + std::string(1500, 'x');
  EXPECT_EQ(application_name_read_back(name), name.substr(0, 63));
  EXPECT_EQ(application_name_cut(name),
            "application_name is 1514 bytes, PostgreSQL keeps 63: the fragment has its first 63");
}

TEST(RenderFragment, ApplicationNameIsCutAtACharacterBoundary) {
  const std::string two_bytes = "\xc3\xa9";           // é
  const std::string four_bytes = "\xf0\x9f\x90\x98";  // an elephant
  EXPECT_EQ(application_name_read_back(std::string(62, 'a') + two_bytes), std::string(62, 'a'));
  EXPECT_EQ(application_name_read_back(std::string(61, 'a') + two_bytes + "b"),
            std::string(61, 'a') + two_bytes);
  EXPECT_EQ(application_name_read_back(std::string(60, 'a') + four_bytes), std::string(60, 'a'));
  EXPECT_EQ(application_name_read_back(std::string(59, 'a') + four_bytes + "b"),
            std::string(59, 'a') + four_bytes);
  EXPECT_EQ(application_name_cut(std::string(62, 'a') + two_bytes),
            "application_name is 64 bytes, PostgreSQL keeps 63: the fragment has its first 62");
}

// ---- read-only routes -------------------------------------------------------------------------

FragmentInput read_only_input(std::vector<std::string> databases) {
  FragmentInput input = basic_input();
  input.databases = std::move(databases);
  input.read_only = ReadOnlyRoute{"_ro", {"10.0.0.13", 5432}};
  return input;
}

TEST(RoutesOf, ReadOnlyKeyOfARealDatabaseStaysThatDatabases) {
  const std::vector<Route> routes = routes_of(read_only_input({"appdb", "appdb_ro"}));
  const Endpoint primary{"10.0.0.11", 5432};
  const Endpoint standby{"10.0.0.13", 5432};
  EXPECT_EQ(routes, (std::vector<Route>{{"appdb", "appdb", primary},
                                        {"appdb_ro", "appdb_ro", primary},
                                        {"appdb_ro_ro", "appdb_ro", standby}}));
}

TEST(RoutesOf, ShadowedReadOnlyKeysAreNamed) {
  EXPECT_EQ(shadowed_read_only_keys({"appdb", "appdb_ro", "crm", "x_ro_ro", "x_ro"}, "_ro"),
            (std::vector<std::string>{"appdb_ro", "x_ro_ro"}));
  EXPECT_TRUE(shadowed_read_only_keys({"appdb", "crm"}, "_ro").empty());
}

TEST(RenderFragment, OneLinePerKeyWhenARealDatabaseHasAReadOnlyName) {
  const auto lines = read_as_pgbouncer(render_fragment(read_only_input({"appdb_ro", "appdb"})));
  EXPECT_EQ(names_of(lines), (std::vector<std::string>{"appdb", "appdb_ro", "appdb_ro_ro"}));
  for (const auto& line : lines) {
    if (line.name == "appdb_ro") {
      EXPECT_EQ(line.parameters.at("dbname"), "appdb_ro");
      EXPECT_EQ(line.parameters.at("host"), "10.0.0.11");
    }
  }
}

}  // namespace
}  // namespace pgdeploy
