#include "postgres/conninfo.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

namespace pgdeploy {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// ---- parse_conninfo ------------------------------------------------------------------------

TEST(ParseConninfo, ReadsKeyValuePairsWithoutAddingDefaults) {
  EXPECT_EQ(
      parse_conninfo("host=db1 port=5433 user=repmgr dbname=repmgr"),
      (ConnInfo{{"dbname", "repmgr"}, {"host", "db1"}, {"port", "5433"}, {"user", "repmgr"}}));
}

TEST(ParseConninfo, ReadsQuotedValuesWithEscapes) {
  const ConnInfo parsed = parse_conninfo(R"(host=db1 application_name='my app' password='it\'s')");
  EXPECT_EQ(parsed.at("application_name"), "my app");
  EXPECT_EQ(parsed.at("password"), "it's");
}

TEST(ParseConninfo, ReadsUriForm) {
  EXPECT_EQ(
      parse_conninfo("postgresql://u:pw@h:5433/db"),
      (ConnInfo{
          {"dbname", "db"}, {"host", "h"}, {"password", "pw"}, {"port", "5433"}, {"user", "u"}}));
}

TEST(ParseConninfo, ReadsUriQueryParameters) {
  const ConnInfo parsed = parse_conninfo("postgres://h/db?connect_timeout=2&sslmode=disable");
  EXPECT_EQ(parsed.at("connect_timeout"), "2");
  EXPECT_EQ(parsed.at("sslmode"), "disable");
}

TEST(ParseConninfo, EmptyStringHasNoKeywords) { EXPECT_TRUE(parse_conninfo("").empty()); }

TEST(ParseConninfo, RejectsUnknownKeywordWithoutQuotingIt) {
  // A keyword may be the first half of a password written without its own keyword ("a=b").
  try {
    parse_conninfo("hots=db1");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid connection string: unknown keyword");
  }
}

TEST(ParseConninfo, ErrorsNeverQuoteTheInput) {
  const std::pair<const char*, const char*> cases[] = {
      {"host=db1 SeCrEt port=5432", "missing \"=\" after a keyword"},
      {"host=db1 password='SeCrEt", "unterminated quoted string"},
      {"SeCrEt=1", "unknown keyword"},
      {"postgresql://u:SeCrEt@[::1/db", "invalid URI"},
      {"postgresql://u:SeCrEt@h/db?sslmode", "invalid URI"},
      {"postgresql://u:SeCrEt%zz@h/db", "invalid percent-encoding"},
  };
  for (const auto& [conninfo, problem] : cases) {
    try {
      parse_conninfo(conninfo);
      ADD_FAILURE() << "accepted: " << conninfo;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), std::string("invalid connection string: ") + problem)
          << conninfo;
      EXPECT_THAT(e.what(), Not(HasSubstr("SeCrEt")));
    }
  }
}

TEST(IsConnectionString, TellsConninfosFromDatabaseNames) {
  EXPECT_TRUE(is_connection_string("host=db1"));
  EXPECT_TRUE(is_connection_string("postgresql://db1/repmgr"));
  EXPECT_TRUE(is_connection_string("postgres://db1"));
  EXPECT_FALSE(is_connection_string("repmgr"));
  EXPECT_FALSE(is_connection_string(""));
}

TEST(CheckNamedHost, LeavesAMissingHostToLibpq) {
  EXPECT_NO_THROW(check_named_host({{"service", "main"}}));
  EXPECT_NO_THROW(check_named_host({{"host", "db1"}}));
  EXPECT_THROW(check_named_host({{"host", "/tmp"}}), std::invalid_argument);
  EXPECT_THROW(check_named_host({{"host", "a,b"}}), std::invalid_argument);
  EXPECT_THROW(check_named_host({{"hostaddr", "10.0.0.1,10.0.0.2"}}), std::invalid_argument);
}

TEST(ParseConninfo, RejectsKeywordWithoutValue) {
  EXPECT_THROW(parse_conninfo("host"), std::invalid_argument);
}

TEST(ParseConninfo, RejectsUnterminatedQuote) {
  EXPECT_THROW(parse_conninfo("host='db1"), std::invalid_argument);
}

TEST(ParseConninfo, RejectsInvalidUri) {
  EXPECT_THROW(parse_conninfo("postgresql://u@[::1/db"), std::invalid_argument);
}

// ---- endpoint_of ---------------------------------------------------------------------------

TEST(EndpointOf, UsesHostAndPort) {
  EXPECT_EQ(endpoint_of({{"host", "db1"}, {"port", "5433"}}), (Endpoint{"db1", 5433}));
}

TEST(EndpointOf, DefaultsToPort5432) {
  EXPECT_EQ(endpoint_of({{"host", "db1"}}), (Endpoint{"db1", 5432}));
}

TEST(EndpointOf, PrefersHostaddrOverHost) {
  EXPECT_EQ(endpoint_of({{"host", "db1.example.com"}, {"hostaddr", "10.0.0.7"}}),
            (Endpoint{"10.0.0.7", 5432}));
}

TEST(EndpointOf, FallsBackToHostWhenHostaddrIsEmpty) {
  EXPECT_EQ(endpoint_of({{"host", "db1"}, {"hostaddr", ""}}), (Endpoint{"db1", 5432}));
}

TEST(EndpointOf, AcceptsIpv6Address) {
  EXPECT_EQ(endpoint_of({{"hostaddr", "fd00::11"}, {"port", "6543"}}),
            (Endpoint{"fd00::11", 6543}));
}

TEST(EndpointOf, IgnoresLoginAndSessionKeywords) {
  EXPECT_EQ(endpoint_of(parse_conninfo("host=node1 user=repmgr dbname=repmgr connect_timeout=2 "
                                       "sslmode=require password=s3cret")),
            (Endpoint{"node1", 5432}));
}

TEST(EndpointOf, ReadsUriConninfo) {
  EXPECT_EQ(endpoint_of(parse_conninfo("postgresql://u:pw@h:5433/db")), (Endpoint{"h", 5433}));
}

TEST(EndpointOf, RejectsMissingHost) {
  EXPECT_THROW(endpoint_of({{"dbname", "repmgr"}, {"port", "5432"}}), std::invalid_argument);
}

TEST(EndpointOf, RejectsEmptyHost) {
  EXPECT_THROW(endpoint_of({{"host", ""}}), std::invalid_argument);
}

TEST(EndpointOf, RejectsSeveralHosts) {
  EXPECT_THROW(endpoint_of({{"host", "a,b"}}), std::invalid_argument);
  EXPECT_THROW(endpoint_of(parse_conninfo("postgresql://h1:5432,h2:5433/db")),
               std::invalid_argument);
}

TEST(EndpointOf, RejectsUnixSocketDirectory) {
  try {
    endpoint_of({{"host", "/var/run/postgresql"}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("Unix socket"));
  }
}

TEST(EndpointOf, RejectsAbstractUnixSocket) {
  EXPECT_THROW(endpoint_of({{"host", "@pgsocket"}}), std::invalid_argument);
}

TEST(EndpointOf, RejectsInvalidPorts) {
  for (const char* port : {"abc", "0", "65536", "-1", "5432x", " 5432", "5432,5433"}) {
    EXPECT_THROW(endpoint_of({{"host", "db1"}, {"port", port}}), std::invalid_argument)
        << "port \"" << port << "\"";
  }
}

TEST(EndpointOf, AcceptsHighestPort) {
  EXPECT_EQ(endpoint_of({{"host", "db1"}, {"port", "65535"}}).port, 65535);
}

// ---- redact_conninfo -----------------------------------------------------------------------

TEST(RedactConninfo, HidesPasswordInKeyValueForm) {
  const std::string redacted =
      redact_conninfo("host=db1 user=repmgr password=s3cret dbname=repmgr");
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
  EXPECT_THAT(redacted, HasSubstr("password=********"));
  EXPECT_THAT(redacted, HasSubstr("host=db1"));
  EXPECT_THAT(redacted, HasSubstr("user=repmgr"));
}

TEST(RedactConninfo, HidesQuotedPasswordWithSpaces) {
  const std::string redacted = redact_conninfo("password='top s3cret' host=db1");
  EXPECT_THAT(redacted, Not(HasSubstr("top")));
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
}

TEST(RedactConninfo, HidesPasswordInUriForm) {
  const std::string redacted = redact_conninfo("postgresql://repmgr:s3cret@db1:5433/repmgr");
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
  EXPECT_THAT(redacted, HasSubstr("host=db1"));
  EXPECT_THAT(redacted, HasSubstr("port=5433"));
}

TEST(RedactConninfo, HidesPercentEncodedPasswordInUriForm) {
  const std::string redacted = redact_conninfo("postgresql://repmgr:s%33cret@db1/repmgr");
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
  EXPECT_THAT(redacted, Not(HasSubstr("s%33cret")));
}

TEST(RedactConninfo, HidesPasswordGivenAsUriQueryParameter) {
  const std::string redacted = redact_conninfo("postgresql://db1/repmgr?password=s3cret");
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
}

TEST(RedactConninfo, KeepsConninfoWithoutPassword) {
  EXPECT_EQ(redact_conninfo("host=db1 dbname=repmgr"), "dbname=repmgr host=db1");
}

TEST(RedactConninfo, ReplacesUnparsableKeyValueConninfo) {
  const std::string redacted = redact_conninfo("host=db1 password=s3cret bogus");
  EXPECT_EQ(redacted, "(unparsable conninfo)");
}

TEST(RedactConninfo, ReplacesUnparsableUriWithoutQuotingIt) {
  // libpq quotes the whole URI in this error message; it must not come through.
  const std::string redacted = redact_conninfo("postgresql://repmgr:s3cret@[::1/repmgr");
  EXPECT_THAT(redacted, Not(HasSubstr("s3cret")));
  EXPECT_EQ(redacted, "(unparsable conninfo)");
}

TEST(ScrubLibpqMessage, HidesQuotedConninfosButKeepsHostNames) {
  const std::string message = scrub_libpq_message(
      "connection to server at \"db1.example.com\" (10.0.0.1), port 5432 failed: "
      "invalid URI \"postgresql://u:s3cret@db1/x\" and \"host=a password=s3cret\"\n");
  EXPECT_THAT(message, HasSubstr("\"db1.example.com\""));
  EXPECT_THAT(message, Not(HasSubstr("s3cret")));
  EXPECT_NE(message.back(), '\n');
}

TEST(ParseConninfo, HidesABareTokenThatMayBeAPassword) {
  try {
    parse_conninfo("host=db1 password s3cret");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("s3cret")));
    EXPECT_THAT(e.what(), Not(HasSubstr("password")));
  }
}

TEST(WithEndpoint, ReplacesHostHostaddrAndPortKeepsTheRest) {
  const std::string result =
      with_endpoint("host=old hostaddr=10.0.0.1 port=1 user=repmgr password='a b\\'c'",
                    Endpoint{"10.0.0.2", 5433});
  const ConnInfo parsed = parse_conninfo(result);
  EXPECT_EQ(parsed.at("host"), "10.0.0.2");
  EXPECT_EQ(parsed.at("port"), "5433");
  EXPECT_EQ(parsed.count("hostaddr"), 0U);
  EXPECT_EQ(parsed.at("user"), "repmgr");
  EXPECT_EQ(parsed.at("password"), "a b'c");
}

}  // namespace
}  // namespace pgdeploy
