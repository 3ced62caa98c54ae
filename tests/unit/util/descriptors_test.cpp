#include "util/descriptors.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace pgdeploy {
namespace {

TEST(JobsWithin, KeepsJobsTheLimitAllows) {
  EXPECT_EQ(jobs_within(32, 1024), 32);
  EXPECT_EQ(jobs_within(1024, 1 << 20), 1024);
  EXPECT_EQ(jobs_within(8, -1), 8);  // unlimited
}

TEST(JobsWithin, LowersJobsToWhatTheDescriptorsServe) {
  EXPECT_EQ(jobs_within(32, reserved_descriptors + 5 * descriptors_per_host), 5);
  EXPECT_EQ(jobs_within(32, reserved_descriptors + 5 * descriptors_per_host + 3), 5);
  EXPECT_EQ(jobs_within(1024, 1024), (1024 - reserved_descriptors) / descriptors_per_host);
}

TEST(JobsWithin, LeavesAtLeastOneJob) {
  EXPECT_EQ(jobs_within(32, 8), 1);
  EXPECT_EQ(jobs_within(32, 0), 1);
}

TEST(RaiseDescriptorLimit, RaisesTheSoftLimitToTheHardOne) {
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  if (saved.rlim_max == RLIM_INFINITY || saved.rlim_max < 64) {
    GTEST_SKIP() << "needs a finite hard limit of at least 64";
  }
  rlimit low = saved;
  low.rlim_cur = 32;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  EXPECT_EQ(raise_descriptor_limit(), static_cast<long>(saved.rlim_max));
  rlimit now{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &now), 0);
  EXPECT_EQ(now.rlim_cur, saved.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &saved);
}

TEST(OutOfDescriptors, FalseWhileFilesCanBeOpened) { EXPECT_FALSE(out_of_descriptors()); }

}  // namespace
}  // namespace pgdeploy
