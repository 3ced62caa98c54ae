#include "cli/front.hpp"
#include "util/failure.hpp"

int main(int argc, char** argv) {
  return pgdeploy::run_reporting_failures(pgdeploy::run_front, argc, argv);
}
