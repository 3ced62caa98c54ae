#include "pgdeploy/fragment_file.hpp"

#include <gtest/gtest.h>

namespace pgdeploy {
namespace {

FragmentInput sample_input() {
  return {"main", 2, "node2", {"10.0.0.12", 5433}, {3, "0/5000060"}, {"app", "crm"}, "web's",
          ReadOnlyRoute{"_ro", {"10.0.0.13", 5432}}};
}

TEST(FragmentFile, ReadsBackTheHeaderOfARenderedFragment) {
  const FragmentFile file = parse_fragment_file(render_fragment(sample_input()));
  EXPECT_EQ(file.primary_id, 2);
  EXPECT_EQ(file.primary_name, "node2");
  EXPECT_EQ(file.target, (Endpoint{"10.0.0.12", 5433}));
  EXPECT_EQ(file.timeline, 3);
  EXPECT_EQ(file.lsn, "0/5000060");
}

TEST(FragmentFile, ReadsBackEveryRouteOfARenderedFragment) {
  const FragmentInput input = sample_input();
  EXPECT_EQ(parse_fragment_file(render_fragment(input)).routes, routes_of(input));
}

TEST(FragmentFile, ReadsQuotedValuesWithDoubledQuotes) {
  const FragmentFile file =
      parse_fragment_file("a = host='my host' port=1 dbname=a application_name='x''y z'\n");
  ASSERT_EQ(file.routes.size(), 1U);
  EXPECT_EQ(file.routes[0].target.host, "my host");
  EXPECT_EQ(file.routes[0].target.port, 1);
  EXPECT_EQ(file.routes[0].dbname, "a");
}

TEST(FragmentFile, HandWrittenFileHasNoHeader) {
  const FragmentFile file = parse_fragment_file("; my own\nappdb = host=db1 port=5432\n");
  EXPECT_EQ(file.primary_id, std::nullopt);
  EXPECT_EQ(file.timeline, std::nullopt);
  ASSERT_EQ(file.routes.size(), 1U);
  EXPECT_EQ(file.routes[0].key, "appdb");
  EXPECT_EQ(describe_holder(file), "(no pgdeploy header)");
}

TEST(FragmentFile, IPv6TargetSplitsAtTheLastColon) {
  const FragmentFile file = parse_fragment_file("; Primary: node 1 (n1) at fd00::5:5432\n");
  EXPECT_EQ(file.target, (Endpoint{"fd00::5", 5432}));
}

TEST(FragmentFile, DescribesTheHolder) {
  EXPECT_EQ(describe_holder(parse_fragment_file(render_fragment(sample_input()))),
            "node 2 (node2) at 10.0.0.12:5433, timeline 3");
}

TEST(FragmentFile, FirstHeaderLinesCountAsForTheInstaller) {
  const FragmentFile file = parse_fragment_file(
      "; Primary: node 2 (n2) at h:1\n; Epoch: timeline 7, lsn 0/1\n"
      "; Primary: node 3 (n3) at h:2\n; Epoch: timeline 9, lsn 0/2\n");
  EXPECT_EQ(file.holder, "node 2 (n2) at h:1");
  EXPECT_EQ(file.timeline, 7);
}

TEST(FragmentFile, HolderIsKeptAsWrittenWhenItIsNotANode) {
  const FragmentFile file = parse_fragment_file("; Primary: someone else\n");
  EXPECT_EQ(file.holder, "someone else");
  EXPECT_EQ(file.primary_id, std::nullopt);
}

TEST(FragmentFile, EmptyTextHasNothing) {
  const FragmentFile file = parse_fragment_file("");
  EXPECT_EQ(file.primary_id, std::nullopt);
  EXPECT_TRUE(file.routes.empty());
}

}  // namespace
}  // namespace pgdeploy
