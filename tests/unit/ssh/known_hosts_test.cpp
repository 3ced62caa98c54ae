#include "ssh/known_hosts.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace pgdeploy {
namespace {

namespace fs = std::filesystem;

constexpr const char* key =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP2lpUn8wzr9yQqL0cA7CzKc4VpH6MM6Z5PvTIesoxJC";
// [127.0.0.1]:2222, hashed by ssh-keygen -H.
constexpr const char* hashed = "|1|1S/LNuOWHGiigBaXWXGHJmRK4dU=|1Vc+nz2wtnP2Shhxbi65e2SfQl8=";

class CorruptKnownHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "pgdeploy-kh-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir = pattern;
    file = dir / "known_hosts";
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
  std::optional<CorruptKnownHost> scan(const std::string& content, const std::string& address,
                                       int port) {
    std::ofstream(file) << content;
    return corrupt_known_host(file, address, port);
  }

  fs::path dir;
  fs::path file;
};

TEST_F(CorruptKnownHostTest, ValidLinesAreNotCorrupt) {
  EXPECT_FALSE(scan(std::string("# comment\n\n[127.0.0.1]:2222 ") + key + " a comment\n" + hashed +
                        " " + key + "\n",
                    "127.0.0.1", 2222));
}

TEST_F(CorruptKnownHostTest, NamesTheLineOfTheHostWithABrokenKey) {
  const auto corrupt =
      scan(std::string("other ") + key + "\n[127.0.0.1]:2222 ssh-ed25519 AAAAC3Nz\n" +
               "[127.0.0.1]:2222 " + key + "\n",
           "127.0.0.1", 2222);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->line, 2);
  EXPECT_EQ(corrupt->why, "its ssh-ed25519 key does not decode");
  EXPECT_EQ(describe(*corrupt, file), "known_hosts line " + file.string() +
                                          ":2 is corrupt (its ssh-ed25519 key does not decode); "
                                          "repair or delete it");
}

TEST_F(CorruptKnownHostTest, UnknownKeyTypesAndMissingKeysAreCorrupt) {
  auto corrupt = scan("[127.0.0.1]:2222 ssh-nonsense AAAA\n", "127.0.0.1", 2222);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->why, "unknown key type ssh-nonsense");
  corrupt = scan("[127.0.0.1]:2222\n", "127.0.0.1", 2222);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->why, "no key after the host name");
}

TEST_F(CorruptKnownHostTest, IgnoresBrokenLinesOfOtherHosts) {
  EXPECT_FALSE(
      scan("[127.0.0.1]:2223 ssh-ed25519 AAAA\n127.0.0.1 ssh-ed25519 AAAA\n"
           "[127.0.0.2]:2222 ssh-ed25519 AAAA\n# [127.0.0.1]:2222 ssh-ed25519 AAAA\n",
           "127.0.0.1", 2222));
}

TEST_F(CorruptKnownHostTest, Port22IsTheBareAddress) {
  const auto corrupt = scan("[app1]:2222 ssh-ed25519 AAAA\napp1 ssh-ed25519 AAAA\n", "app1", 22);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->line, 2);
}

TEST_F(CorruptKnownHostTest, MatchesListsWildcardsAndCaseLikeLibssh) {
  EXPECT_TRUE(scan("a,APP1.example.com b AAAA\n", "app1.example.com", 22));
  EXPECT_TRUE(scan("*.example.com b AAAA\n", "app1.example.com", 22));
  EXPECT_FALSE(scan("*.example.com,!app1.example.com b AAAA\n", "app1.example.com", 22));
  EXPECT_TRUE(scan("[127.0.0.?]:2222 b AAAA\n", "127.0.0.1", 2222));
  EXPECT_FALSE(scan("[127.0.0.1]:2222 b AAAA\n", "1", 2222));  // brackets are no character set
}

TEST_F(CorruptKnownHostTest, MatchesHashedNames) {
  const auto corrupt = scan(std::string(hashed) + " ssh-ed25519 AAAA\n", "127.0.0.1", 2222);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->line, 1);
  EXPECT_FALSE(scan(std::string(hashed) + " ssh-ed25519 AAAA\n", "127.0.0.1", 2223));
}

TEST_F(CorruptKnownHostTest, AnUnreadableFileHasNoCorruptLine) {
  EXPECT_FALSE(corrupt_known_host(dir / "missing", "127.0.0.1", 22));
}

}  // namespace
}  // namespace pgdeploy
