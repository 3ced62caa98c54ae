#include "plan/pgbouncer_syntax.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace pgdeploy {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

// ---- is_representable_database -------------------------------------------------------------

TEST(IsRepresentableDatabase, AcceptsLettersDigitsUnderscoreDotAndDash) {
  EXPECT_TRUE(is_representable_database("app"));
  EXPECT_TRUE(is_representable_database("App_DB-2.v1"));
  EXPECT_TRUE(is_representable_database("0"));
  EXPECT_TRUE(is_representable_database("_"));
  EXPECT_TRUE(is_representable_database("repmgr"));
}

TEST(IsRepresentableDatabase, Accepts63BytesButNot64) {
  EXPECT_TRUE(is_representable_database(std::string(63, 'a')));
  EXPECT_FALSE(is_representable_database(std::string(64, 'a')));
}

TEST(IsRepresentableDatabase, RejectsReservedAdminDatabase) {
  EXPECT_FALSE(is_representable_database("pgbouncer"));
}

TEST(IsRepresentableDatabase, RejectsFallbackStar) {
  EXPECT_FALSE(is_representable_database("*"));
  EXPECT_FALSE(is_representable_database("app*"));
}

TEST(IsRepresentableDatabase, RejectsEmptyName) { EXPECT_FALSE(is_representable_database("")); }

TEST(IsRepresentableDatabase, RejectsCharactersWithMeaningInTheIniFile) {
  for (const char* name : {"my db", "evil\n* = host=attacker", "a;b", "a=b", "a\"b", "a'b", "a#b",
                           "a\tb", "[databases]", "a\\b", "a/b", "a%b", "a:b", "a\rb"}) {
    EXPECT_FALSE(is_representable_database(name)) << "name \"" << name << "\"";
  }
}

TEST(IsRepresentableDatabase, RejectsNonAsciiBytes) {
  EXPECT_FALSE(is_representable_database("caf\xc3\xa9"));
  EXPECT_FALSE(is_representable_database("\xff"));
}

TEST(IsRepresentableDatabase, RejectsEmbeddedNul) {
  EXPECT_FALSE(is_representable_database(std::string("a\0b", 3)));
}

TEST(UnrepresentableDatabases, ListsRejectedNamesInGivenOrder) {
  EXPECT_THAT(unrepresentable_databases({"ok", "pgbouncer", "bad name", "ok2", "*"}),
              ElementsAre("pgbouncer", "bad name", "*"));
}

TEST(UnrepresentableDatabases, EmptyWhenAllAreFine) {
  EXPECT_TRUE(unrepresentable_databases({"app", "postgres"}).empty());
}

// ---- format_value --------------------------------------------------------------------------

TEST(FormatValue, KeepsPlainValuesUnquoted) {
  EXPECT_THAT(format_value("db1.example.com"), Optional(std::string("db1.example.com")));
  EXPECT_THAT(format_value("10.0.0.5"), Optional(std::string("10.0.0.5")));
  EXPECT_THAT(format_value("fd00::11"), Optional(std::string("fd00::11")));
  EXPECT_THAT(format_value("my_app-1"), Optional(std::string("my_app-1")));
}

TEST(FormatValue, QuotesValueWithSpaces) {
  EXPECT_THAT(format_value("my app"), Optional(std::string("'my app'")));
}

TEST(FormatValue, DoublesSingleQuotes) {
  EXPECT_THAT(format_value("it's"), Optional(std::string("'it''s'")));
  EXPECT_THAT(format_value("'"), Optional(std::string("''''")));
}

TEST(FormatValue, QuotesCharactersPgBouncerCouldMisread) {
  EXPECT_THAT(format_value("a=b"), Optional(std::string("'a=b'")));
  EXPECT_THAT(format_value("a;b"), Optional(std::string("'a;b'")));
  EXPECT_THAT(format_value("a#b"), Optional(std::string("'a#b'")));
}

TEST(FormatValue, KeepsBackslashLiterallyInsideQuotes) {
  // PgBouncer knows no backslash escapes.
  EXPECT_THAT(format_value("a\\b"), Optional(std::string("'a\\b'")));
}

TEST(FormatValue, QuotesNonAsciiText) {
  EXPECT_THAT(format_value("caf\xc3\xa9"), Optional(std::string("'caf\xc3\xa9'")));
}

TEST(FormatValue, RejectsEmptyValue) { EXPECT_EQ(format_value(""), std::nullopt); }

TEST(FormatValue, RejectsControlCharacters) {
  for (const char* value : {"a\tb", "a\nb", "a\rb", "\x7f", "a\x01"}) {
    EXPECT_EQ(format_value(value), std::nullopt) << "value \"" << value << "\"";
  }
  EXPECT_EQ(format_value(std::string("a\0b", 3)), std::nullopt);
}

// ---- comment_text --------------------------------------------------------------------------

TEST(CommentText, ReplacesControlCharactersWithQuestionMarks) {
  EXPECT_EQ(comment_text("a\nb\tc\rd\x7f"), "a?b?c?d?");
}

TEST(CommentText, KeepsOrdinaryText) {
  EXPECT_EQ(comment_text("node 1 (pg-1); [x] = y 'q' \"d\""), "node 1 (pg-1); [x] = y 'q' \"d\"");
}

TEST(CommentText, KeepsNonAsciiBytes) { EXPECT_EQ(comment_text("caf\xc3\xa9"), "caf\xc3\xa9"); }

TEST(CommentText, EmptyStaysEmpty) { EXPECT_EQ(comment_text(""), ""); }

}  // namespace
}  // namespace pgdeploy
