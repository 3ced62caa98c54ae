// The core program (libexec/pgdeploy/pgdeploy): every run the front end (front_main.cpp) hands
// over.
#include "app/app.hpp"
#include "util/failure.hpp"

int main(int argc, char** argv) {
  return pgdeploy::run_reporting_failures(pgdeploy::run, argc, argv);
}
